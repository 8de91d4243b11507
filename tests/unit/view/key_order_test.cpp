#include <doctest/doctest.h>

#include <algorithm>
#include <random>

#include "view/key_order.h"

using namespace weft;
using change::Value;
using view::CompareKeys;
using view::CompareKeyValues;
using view::JoinKey;
using view::OrderedKey;

namespace {

int Sign(int c) { return c < 0 ? -1 : (c > 0 ? 1 : 0); }

int MemSign(const std::string& a, const std::string& b) { return Sign(a.compare(b)); }

Value RandomValue(std::mt19937_64& rng) {
  auto pick = [&](int n) { return static_cast<int>(std::uniform_int_distribution<int>(0, n - 1)(rng)); };
  static const char* kTexts[] = {"", "a", "ab", "a\0", "A", "b", "\xff", "a\xff", "\x01"};
  static const char* kDecimals[] = {"0", "0.00", "-0.0", "1", "1.0", "10", "9.99", "-1", "-1.5", "-10", "0.001",
                                    "123456789012345678901234567890.5", "-0.0001", "5.00", "50"};
  switch (pick(11)) {
    case 0: return Value::Null();
    case 1: return Value::Bool(pick(2) == 1);
    case 2: return Value::Int(std::uniform_int_distribution<int64_t>(-20, 20)(rng) * (pick(3) == 0 ? 1000000007 : 1));
    case 3: return Value::UInt(pick(2) ? std::uniform_int_distribution<uint64_t>(0, 30)(rng) : 18446744073709551615ull);
    case 4: return Value::Decimal(kDecimals[pick(15)]);
    case 5: return Value::Double(std::uniform_real_distribution<double>(-50, 50)(rng) * (pick(2) ? 1 : 1e-7));
    case 6: return Value::Float(static_cast<float>(pick(7) - 3) / 2.0f);
    case 7: {
      const char* t = kTexts[pick(9)];
      size_t n = std::string_view(t) == "a" && pick(2) ? 2 : std::char_traits<char>::length(t);
      return Value::String(std::string(t, n));
    }
    case 8: return Value::Bytes(std::string(kTexts[pick(9)]));
    case 9: return pick(2) ? Value::Date(pick(2) ? "2024-11-10" : "2024-01-31") : Value::DateTime("2024-11-10 00:00:00");
    default: return Value::Json(pick(2) ? "{\"a\":1}" : "[1,2]");
  }
}

}  // namespace

TEST_CASE("the ordered key encoding sorts exactly like the comparator") {
  std::mt19937_64 rng(7);
  for (int i = 0; i < 20000; ++i) {
    std::vector<Value> a, b;
    size_t n = std::uniform_int_distribution<size_t>(1, 2)(rng);
    for (size_t k = 0; k < n; ++k) {
      a.push_back(RandomValue(rng));
      b.push_back(RandomValue(rng));
    }
    int expected = Sign(CompareKeys(a, b));
    INFO(change::ToJson(Value::MakeArray(a)), " vs ", change::ToJson(Value::MakeArray(b)));
    REQUIRE(MemSign(OrderedKey(a), OrderedKey(b)) == expected);
    REQUIRE(Sign(CompareKeys(b, a)) == -expected);
  }
}

TEST_CASE("primary-key order: numbers numerically across kinds, text by bytes, NULL first") {
  CHECK(CompareKeyValues(Value::Int(2), Value::Int(10)) < 0);  // not "10" < "2"
  CHECK(CompareKeyValues(Value::Decimal("9.99"), Value::Int(10)) < 0);
  CHECK(CompareKeyValues(Value::Decimal("5.00"), Value::UInt(5)) == 0);
  CHECK(CompareKeyValues(Value::Int(-3), Value::Decimal("-2.5")) < 0);
  CHECK(CompareKeyValues(Value::UInt(18446744073709551615ull), Value::Int(9223372036854775807LL)) > 0);
  CHECK(CompareKeyValues(Value::Double(0.5), Value::Decimal("0.25")) > 0);
  CHECK(CompareKeyValues(Value::String("B"), Value::String("a")) < 0);  // bytes, no collation
  CHECK(CompareKeyValues(Value::String("a"), Value::String("a\xff")) < 0);
  CHECK(CompareKeyValues(Value::Null(), Value::Int(-100)) < 0);
  CHECK(CompareKeyValues(Value::Date("2024-01-31"), Value::Date("2024-11-10")) < 0);
  CHECK(OrderedKey({Value::Int(2)}) < OrderedKey({Value::Int(10)}));
  CHECK(OrderedKey({Value::String("ORD1"), Value::Int(2)}) < OrderedKey({Value::String("ORD1"), Value::Int(10)}));
  CHECK(OrderedKey({Value::String("ORD1"), Value::Int(99)}) < OrderedKey({Value::String("ORD10"), Value::Int(1)}));
}

TEST_CASE("join keys: exact equality, numbers by value, NULL never matches") {
  CHECK(!JoinKey(Value::Null()).has_value());
  CHECK(JoinKey(Value::String("abc")) == JoinKey(Value::String("abc")));
  CHECK(JoinKey(Value::String("abc")) != JoinKey(Value::String("ABC")));  // not MySQL's collation
  CHECK(JoinKey(Value::String("abc ")) != JoinKey(Value::String("abc")));  // no PAD SPACE either
  CHECK(JoinKey(Value::Int(5)) == JoinKey(Value::UInt(5)));
  CHECK(JoinKey(Value::Int(5)) == JoinKey(Value::Decimal("5.00")));
  CHECK(JoinKey(Value::Decimal("-0.0")) == JoinKey(Value::Int(0)));
  CHECK(JoinKey(Value::Int(5)) != JoinKey(Value::String("5")));
  CHECK(JoinKey(Value::Date("2024-11-10")) != JoinKey(Value::String("2024-11-10")));
  CHECK(JoinKey(Value::Double(0.5)) == JoinKey(Value::Double(0.5)));
  CHECK(JoinKey(Value::String(std::string("a\0b", 3))) != JoinKey(Value::String("a")));
}

TEST_CASE("id_key: a string _id is its text, anything else its JSON") {
  CHECK(view::IdKey(Value::String("ORD789654")) == "ORD789654");
  CHECK(view::IdKey(Value::Int(7)) == "7");
  CHECK(view::IdKey(Value::MakeObject({{"order_id", Value::String("A")}, {"n", Value::Int(1)}})) ==
        "{\"order_id\":\"A\",\"n\":1}");
}
