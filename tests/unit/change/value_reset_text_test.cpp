// Value::ResetText: the in-place form of the text factories that the binlog decoders write through.
#include <doctest/doctest.h>

#include "change/value.h"

using namespace weft::change;

TEST_CASE("ResetText makes the same value as the text factories, from any previous value") {
  const Value previous[] = {Value::Null(), Value::Int(7), Value::String("an old string longer than sixteen bytes"),
                            Value::MakeArray({Value::Int(1)}), Value::MakeObject({{"a", Value::Bool(true)}})};
  for (const Value& before : previous) {
    Value v = before;
    v.ResetText(ValueKind::kDateTime).append("2024-11-02 10:20:00.123456");
    CHECK(v.kind() == ValueKind::kDateTime);
    CHECK(v == Value::DateTime("2024-11-02 10:20:00.123456"));
    CHECK(ToJson(v) == "\"2024-11-02 10:20:00.123456\"");

    Value d = before;
    d.ResetText(ValueKind::kDecimal).assign("-12.50");
    CHECK(d == Value::Decimal("-12.50"));
    CHECK(ToJson(d) == "-12.50");
  }
  // The string handed out is empty even when the value held text before, and it is the value's own.
  Value s = Value::String("abc");
  std::string& text = s.ResetText(ValueKind::kBytes);
  CHECK(text.empty());
  text.append("\x01\x02", 2);
  CHECK(s.kind() == ValueKind::kBytes);
  CHECK(s.text() == std::string("\x01\x02", 2));
  CHECK(s == Value::Bytes(std::string("\x01\x02", 2)));
  // An empty text value is not null.
  Value e;
  e.ResetText(ValueKind::kString);
  CHECK_FALSE(e.is_null());
  CHECK(e == Value::String(""));
}
