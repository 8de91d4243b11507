// ParseJsonValue refuses nesting beyond kMaxJsonDepth instead of building a value whose rendering or
// destruction overflows the stack (a 30,000-deep "[[[..." did, found fuzzing); at the bound the value
// round-trips through the JSON rendering and the binary codec.
#include <doctest/doctest.h>

#include <string>

#include "change/json_parse.h"
#include "change/value.h"
#include "change/value_codec.h"

namespace weft::change {
namespace {

std::string Nested(int depth, const std::string& open, const std::string& leaf, const std::string& close) {
  std::string out;
  for (int i = 0; i < depth; ++i) out += open;
  out += leaf;
  for (int i = 0; i < depth; ++i) out += close;
  return out;
}

}  // namespace

TEST_CASE("nesting up to kMaxJsonDepth parses and round-trips; one more level is refused") {
  // `depth` containers around a leaf put the leaf at depth `depth`.
  std::string at_bound = Nested(kMaxJsonDepth, "[", "1", "]");
  auto ok = ParseJsonValue(at_bound);
  REQUIRE_MESSAGE(ok.ok(), ok.status().message());
  CHECK(ToJson(*ok) == at_bound);
  Value decoded;
  REQUIRE(DecodeValue(EncodeValue(*ok), &decoded));
  CHECK(decoded == *ok);

  auto over = ParseJsonValue(Nested(kMaxJsonDepth + 1, "[", "1", "]"));
  REQUIRE_FALSE(over.ok());
  CHECK(over.status().code() == core::Code::kCorruption);
  CHECK(over.status().message().find("nested deeper than 200 levels") != std::string::npos);
  // An empty container is itself the deepest value: at the bound it parses, one below it not.
  CHECK(ParseJsonValue(Nested(kMaxJsonDepth + 1, "[", "", "]")).ok());
  CHECK_FALSE(ParseJsonValue(Nested(kMaxJsonDepth + 2, "[", "", "]")).ok());
  CHECK_FALSE(ParseJsonValue(Nested(kMaxJsonDepth + 1, "{\"a\":", "null", "}")).ok());
}

TEST_CASE("hostile nesting is refused without exhausting the stack") {
  CHECK_FALSE(ParseJsonValue(Nested(100000, "[", "", "]")).ok());
  CHECK_FALSE(ParseJsonValue(Nested(100000, "{\"k\":", "1", "}")).ok());
  CHECK_FALSE(ParseJsonValue(std::string(100000, '[')).ok());  // never closed
}

}  // namespace weft::change
