// ParseJsonValue: weft's JSON rendering read back (the SQLite and JSONL sinks' Scan).
#include <doctest/doctest.h>

#include <cstdint>
#include <string>

#include "change/json_parse.h"

using weft::change::ParseJsonValue;
using weft::change::Value;

TEST_CASE("ParseJsonValue keeps numbers' text, field order and duplicate keys") {
  auto v = ParseJsonValue(R"({"z":1,"a":[199.90,-5,18446744073709551615,123456789012345678901234567890,1e+21],)"
                          R"("s":"x\u00e9\n","b":true,"n":null,"z":2})");
  REQUIRE(v.ok());
  const auto& fields = v->object();
  REQUIRE(fields.size() == 6);
  CHECK(fields[0].first == "z");
  CHECK(fields[5].first == "z");
  const auto& a = fields[1].second.array();
  CHECK(a[0] == Value::Decimal("199.90"));
  CHECK(a[1] == Value::Int(-5));
  CHECK(a[2] == Value::UInt(UINT64_MAX));
  CHECK(a[3] == Value::Decimal("123456789012345678901234567890"));
  CHECK(a[4] == Value::Decimal("1e+21"));
  CHECK(fields[2].second == Value::String("x\xC3\xA9\n"));
  CHECK(fields[3].second == Value::Bool(true));
  CHECK(fields[4].second.is_null());
}

TEST_CASE("rendering a parsed rendering gives the same text") {
  Value doc = Value::MakeObject({{"_id", Value::String("k")}, {"d", Value::Decimal("0.00")}, {"f", Value::Float(0.1f)},
                                 {"b", Value::Bytes("\x01")}, {"arr", Value::MakeArray({Value::Int(-1), Value::UInt(9)})}});
  std::string text = weft::change::ToJson(doc);
  auto back = ParseJsonValue(text);
  REQUIRE(back.ok());
  CHECK(weft::change::ToJson(*back) == text);
}

TEST_CASE("text that is not one JSON value is Corruption with a position") {
  for (const char* bad : {"", "{\"a\":", "[1,2] 3", "\"caf\xE9\""}) {
    CAPTURE(bad);
    auto r = ParseJsonValue(bad);
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().code() == weft::core::Code::kCorruption);
  }
}
