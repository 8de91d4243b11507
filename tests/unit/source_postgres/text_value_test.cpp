// PostgreSQL text output -> change::Value: one case per type family, including the edges (NaN,
// infinities, BC dates, quoted and nested arrays, domains over arrays).
#include <doctest/doctest.h>

#include <cmath>
#include <string>

#include "source/postgres/decode/text_value.h"

namespace weft::source::postgres {
namespace {

using change::Value;
using change::ValueKind;

Value Decode(const TypeRegistry& types, Oid type, const std::string& text) {
  return TextToValue(types, types.Resolve(type), text.data(), text.size());
}
Value Decode(Oid type, const std::string& text) { return Decode(TypeRegistry(), type, text); }

TEST_CASE("numbers") {
  CHECK(Decode(oid::kInt2, "-32768") == Value::Int(-32768));
  CHECK(Decode(oid::kInt8, "9223372036854775807") == Value::Int(9223372036854775807LL));
  CHECK(Decode(oid::kOid, "4294967295") == Value::UInt(4294967295u));
  CHECK(Decode(oid::kNumeric, "123456789012345678901234567890.000000001") ==
        Value::Decimal("123456789012345678901234567890.000000001"));
  CHECK(Decode(oid::kNumeric, "NaN") == Value::String("NaN"));
  CHECK(Decode(oid::kNumeric, "-Infinity") == Value::String("-Infinity"));
  CHECK(Decode(oid::kFloat8, "0.1") == Value::Double(0.1));
  CHECK(Decode(oid::kFloat4, "3.1415927") == Value::Float(3.1415927f));
  CHECK(std::isnan(Decode(oid::kFloat8, "NaN").as_double()));
  CHECK(Decode(oid::kFloat8, "Infinity").as_double() == INFINITY);
  CHECK(Decode(oid::kFloat4, "-Infinity").as_double() == -INFINITY);
  CHECK(Decode(oid::kMoney, "$1,234.56") == Value::Decimal("1234.56"));
  CHECK(Decode(oid::kMoney, "-$0.99") == Value::Decimal("-0.99"));
}

TEST_CASE("text, bool, bytea, json") {
  CHECK(Decode(oid::kBool, "t") == Value::Bool(true));
  CHECK(Decode(oid::kBool, "f") == Value::Bool(false));
  CHECK(Decode(oid::kBpchar, "ab   ") == Value::String("ab   "));
  CHECK(Decode(oid::kUuid, "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11") ==
        Value::String("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"));
  CHECK(Decode(oid::kInet, "192.168.0.1/24") == Value::String("192.168.0.1/24"));
  CHECK(Decode(oid::kBytea, "\\x00ff41") == Value::Bytes(std::string("\0\xff"
                                                                     "A",
                                                                     3)));
  CHECK(Decode(oid::kBytea, "\\x") == Value::Bytes(""));
  CHECK(Decode(oid::kJsonb, "{\"a\": [1, 2]}") == Value::Json("{\"a\": [1, 2]}"));
  CHECK(Decode(oid::kInterval, "P1Y2M3DT4H5M6S") == Value::String("P1Y2M3DT4H5M6S"));
  CHECK(Decode(oid::kTimeTz, "10:20:00+02") == Value::String("10:20:00+02"));
  CHECK(TextToValue(TypeRegistry(), TypeRegistry().Resolve(oid::kText), nullptr, 0).is_null());
}

TEST_CASE("dates and times: calendar values, and the ones no calendar holds stay text") {
  CHECK(Decode(oid::kDate, "2024-11-10") == Value::Date("2024-11-10"));
  CHECK(Decode(oid::kDate, "0044-03-15 BC") == Value::String("0044-03-15 BC"));
  CHECK(Decode(oid::kDate, "infinity") == Value::String("infinity"));
  CHECK(Decode(oid::kTime, "10:20:00.123456") == Value::Time("10:20:00.123456"));
  CHECK(Decode(oid::kTimestamp, "2024-11-02 10:20:00.5") == Value::DateTime("2024-11-02 10:20:00.5"));
  CHECK(Decode(oid::kTimestamp, "12345-01-01 00:00:00") == Value::String("12345-01-01 00:00:00"));
  CHECK(Decode(oid::kTimestampTz, "2024-11-02 08:20:00+00") == Value::DateTime("2024-11-02 08:20:00"));
  CHECK(Decode(oid::kTimestampTz, "2024-11-02 08:20:00.25+00") == Value::DateTime("2024-11-02 08:20:00.25"));
  CHECK(Decode(oid::kTimestampTz, "-infinity") == Value::String("-infinity"));
}

TEST_CASE("arrays: quoting, NULL, nesting, bounds, and the element type's decoding") {
  TypeRegistry types;
  types.Add({1007, "_int4", 'b', 'A', oid::kInt4, 0, ','});
  types.Add({1009, "_text", 'b', 'A', oid::kText, 0, ','});
  types.Add({oid::kText, "text", 'b', 'S', 0, 0, ','});
  types.Add({oid::kInt4, "int4", 'b', 'N', 0, 0, ','});
  CHECK(Decode(types, 1007, "{1,2,NULL}") == Value::MakeArray({Value::Int(1), Value::Int(2), Value()}));
  CHECK(Decode(types, 1007, "{}") == Value::MakeArray());
  CHECK(Decode(types, 1007, "{{1,2},{3,4}}") == Value::MakeArray({Value::MakeArray({Value::Int(1), Value::Int(2)}),
                                                                  Value::MakeArray({Value::Int(3), Value::Int(4)})}));
  CHECK(Decode(types, 1007, "[0:1]={7,8}") == Value::MakeArray({Value::Int(7), Value::Int(8)}));
  CHECK(Decode(types, 1009, R"({plain,"with space","q\"uote","back\\slash","NULL",NULL})") ==
        Value::MakeArray({Value::String("plain"), Value::String("with space"), Value::String("q\"uote"),
                          Value::String("back\\slash"), Value::String("NULL"), Value()}));
  CHECK(Decode(types, 1007, "{1,2") == Value::String("{1,2"));  // malformed: kept as text
}

TEST_CASE("domains decode as their base type; enums as text") {
  TypeRegistry types;
  types.Add({70000, "price", 'd', 'N', 0, oid::kNumeric, ','});
  types.Add({70001, "price2", 'd', 'N', 0, 70000, ','});  // a domain over a domain
  types.Add({70002, "mood", 'e', 'E', 0, 0, ','});
  types.Add({70003, "_mood", 'b', 'A', 70002, 0, ','});
  types.Add({70004, "tags", 'd', 'A', 0, 1009, ','});  // a domain over text[]
  types.Add({1009, "_text", 'b', 'A', oid::kText, 0, ','});
  CHECK(Decode(types, 70001, "12.50") == Value::Decimal("12.50"));
  CHECK(Decode(types, 70002, "happy") == Value::String("happy"));
  CHECK(Decode(types, 70003, "{happy,sad}") == Value::MakeArray({Value::String("happy"), Value::String("sad")}));
  CHECK(Decode(types, 70004, "{a}") == Value::MakeArray({Value::String("a")}));
  CHECK(types.Resolve(70001).cls == TypeClass::kNumeric);
  CHECK(types.Resolve(424242).cls == TypeClass::kString);  // unknown OID: text
}

}  // namespace
}  // namespace weft::source::postgres
