// libFuzzer target for weft's own value readers: change::DecodeValue (the binary encoding the state
// replicas and the outbox are stored in, so a damaged state file is hostile input) and
// change::ParseJsonValue (reads documents back from the SQLite and JSONL sinks). Built only with
// -DWEFT_FUZZ=ON and clang (tests/fuzz/CMakeLists.txt).
//
// Input layout: byte 0 picks the reader, the rest is its input.
//   even: DecodeValue. A decoded value must encode to bytes that decode to an equal value and
//         re-encode to the same bytes (the codec is lossless for everything it accepts), and
//         `consumed` must lie within the input.
//   odd:  ParseJsonValue. A parsed value must render (AppendJson) to JSON that parses again to an
//         equal value, and that rendering must be stable (render(parse(render(v))) == render(v)).
// Seed corpus: tests/fuzz/make_seeds.py writes encoded values and JSON documents.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "change/json_parse.h"
#include "change/value.h"
#include "change/value_codec.h"

namespace wc = weft::change;

namespace {

[[noreturn]] void Fail(const char* what, std::string_view detail) {
  std::fprintf(stderr, "value_fuzz: %s\n%.*s\n", what, static_cast<int>(detail.size()), detail.data());
  std::abort();
}

// NaN != NaN, so compare the encodings where a double may be NaN.
bool SameEncoding(const wc::Value& a, const wc::Value& b) { return wc::EncodeValue(a) == wc::EncodeValue(b); }

void CheckCodec(std::string_view in) {
  wc::Value v;
  size_t consumed = 0;
  if (!wc::DecodeValue(in, &v, &consumed)) return;
  if (consumed == 0 || consumed > in.size()) Fail("DecodeValue: consumed outside the input", in);
  std::string encoded = wc::EncodeValue(v);
  wc::Value again;
  size_t consumed_again = 0;
  if (!wc::DecodeValue(encoded, &again, &consumed_again)) Fail("DecodeValue rejects EncodeValue's output", encoded);
  if (consumed_again != encoded.size()) Fail("DecodeValue does not consume a whole encoding", encoded);
  if (!SameEncoding(v, again) || wc::EncodeValue(again) != encoded) Fail("the codec is not lossless", encoded);
  // Rendering any decoded value must not crash (text kinds are embedded as they are).
  std::string json;
  wc::AppendJson(v, &json);
}

void CheckJson(std::string_view in) {
  auto parsed = wc::ParseJsonValue(in);
  if (!parsed.ok()) return;
  std::string rendered = wc::ToJson(*parsed);
  auto reparsed = wc::ParseJsonValue(rendered);
  if (!reparsed.ok()) Fail("ParseJsonValue rejects the rendering of a value it parsed", rendered);
  if (!(*reparsed == *parsed)) Fail("parse(render(v)) != v", rendered);
  if (wc::ToJson(*reparsed) != rendered) Fail("the rendering is not stable", rendered);
  // The binary codec must carry every parsed value too.
  wc::Value decoded;
  if (!wc::DecodeValue(wc::EncodeValue(*parsed), &decoded) || !(decoded == *parsed)) {
    Fail("the codec loses a parsed JSON value", rendered);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  std::string_view in(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (data[0] % 2 == 0) CheckCodec(in);
  else CheckJson(in);
  return 0;
}
