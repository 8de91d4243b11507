// Value -> BSON (and back) without a server: every kind and its edge values, by BSON type and value.
#include <doctest/doctest.h>

#include <cstdint>
#include <limits>
#include <string>

#include "sink/document_sink.h"
#include "sink/mongo/mongo_handles.h"
#include "sink/mongo/value_bson.h"

using weft::change::Value;
using namespace weft::sink::mongo;

namespace {

// Converts {"v": value} and returns an iterator positioned on "v" (the BsonPtr keeps it alive).
struct Converted {
  BsonPtr doc = NewBson();
  weft::core::Status status;
  bson_iter_t iter;
  ConversionNotes notes;
};

Converted Convert(const Value& value) {
  Converted c;
  c.status = AppendValue(c.doc.get(), "v", value, &c.notes);
  if (c.status.ok()) REQUIRE(bson_iter_init_find(&c.iter, c.doc.get(), "v"));
  return c;
}

std::string DecimalText(const bson_iter_t& iter) {
  bson_decimal128_t dec;
  REQUIRE(bson_iter_decimal128(&iter, &dec));
  char buf[BSON_DECIMAL128_STRING];
  bson_decimal128_to_string(&dec, buf);
  return buf;
}

std::string Utf8(const bson_iter_t& iter) {
  uint32_t len = 0;
  const char* s = bson_iter_utf8(&iter, &len);
  return std::string(s, len);
}

}  // namespace

TEST_CASE("integers: int32 when it fits, int64 otherwise; unsigned above INT64_MAX is Decimal128") {
  struct Case {
    Value v;
    bson_type_t type;
  };
  for (const Case& c : {Case{Value::Int(5), BSON_TYPE_INT32}, Case{Value::Int(INT32_MAX), BSON_TYPE_INT32},
                        Case{Value::Int(INT32_MIN), BSON_TYPE_INT32},
                        Case{Value::Int(int64_t{INT32_MAX} + 1), BSON_TYPE_INT64},
                        Case{Value::Int(int64_t{INT32_MIN} - 1), BSON_TYPE_INT64},
                        Case{Value::Int(INT64_MIN), BSON_TYPE_INT64}, Case{Value::UInt(5), BSON_TYPE_INT64},
                        Case{Value::UInt(INT64_MAX), BSON_TYPE_INT64}}) {
    Converted r = Convert(c.v);
    REQUIRE(r.status.ok());
    CHECK(bson_iter_type(&r.iter) == c.type);
    if (c.v.kind() == weft::change::ValueKind::kInt) CHECK(bson_iter_as_int64(&r.iter) == c.v.as_int());
    else CHECK(static_cast<uint64_t>(bson_iter_as_int64(&r.iter)) == c.v.as_uint());
  }
  Converted big = Convert(Value::UInt(uint64_t{INT64_MAX} + 1));
  REQUIRE(big.status.ok());
  REQUIRE(bson_iter_type(&big.iter) == BSON_TYPE_DECIMAL128);
  CHECK(DecimalText(big.iter) == "9223372036854775808");
  Converted max = Convert(Value::UInt(UINT64_MAX));
  CHECK(DecimalText(max.iter) == "18446744073709551615");
  CHECK(max.notes.decimals_as_text == 0);
}

TEST_CASE("FLOAT goes through its shortest text; DOUBLE is kept bit for bit") {
  Converted f = Convert(Value::Float(0.1f));
  REQUIRE(bson_iter_type(&f.iter) == BSON_TYPE_DOUBLE);
  CHECK(bson_iter_double(&f.iter) == 0.1);  // not 0.10000000149011612
  Converted d = Convert(Value::Double(0.1f));
  CHECK(bson_iter_double(&d.iter) == static_cast<double>(0.1f));
  Converted neg = Convert(Value::Double(-1.5e300));
  CHECK(bson_iter_double(&neg.iter) == -1.5e300);
}

TEST_CASE("DECIMAL becomes Decimal128 with its scale; over 34 digits it is never rounded") {
  for (const char* text : {"199.99", "199.90", "-0.5", "0.00", "1234567890123456789012345678901234", "-12.000"}) {
    CAPTURE(text);
    Converted r = Convert(Value::Decimal(text));
    REQUIRE(r.status.ok());
    REQUIRE(bson_iter_type(&r.iter) == BSON_TYPE_DECIMAL128);
    bson_decimal128_t dec;
    bson_iter_decimal128(&r.iter, &dec);
    CHECK(DecimalPlainText(dec) == text);
  }
  // 36 digits, but the last five are fraction zeros: same number with a smaller scale, exactly.
  Converted trimmed = Convert(Value::Decimal("1234567890123456789012345678901.00000"));
  REQUIRE(bson_iter_type(&trimmed.iter) == BSON_TYPE_DECIMAL128);
  bson_decimal128_t dec;
  bson_iter_decimal128(&trimmed.iter, &dec);
  CHECK(DecimalPlainText(dec) == "1234567890123456789012345678901.000");  // 34 digits: only two zeros go
  CHECK(trimmed.notes.decimals_as_text == 0);

  // DECIMAL(65,30) with 65 significant digits cannot be a Decimal128: stored as its exact text.
  std::string huge = "12345678901234567890123456789012345.123456789012345678901234567891";
  Converted text = Convert(Value::Decimal(huge));
  REQUIRE(text.status.ok());
  REQUIRE(bson_iter_type(&text.iter) == BSON_TYPE_UTF8);
  CHECK(Utf8(text.iter) == huge);
  CHECK(text.notes.decimals_as_text == 1);

  CHECK_FALSE(Convert(Value::Decimal("12a.5")).status.ok());
}

TEST_CASE("DATE/DATETIME become BSON dates in UTC ms, fractions truncated; zero dates are null") {
  struct Case {
    Value v;
    int64_t ms;
  };
  for (const Case& c : {Case{Value::Date("2024-11-10"), 1731196800000}, Case{Value::Date("1970-01-01"), 0},
                        Case{Value::Date("1969-12-31"), -86400000}, Case{Value::Date("2024-02-29"), 1709164800000},
                        Case{Value::DateTime("2024-11-02 10:20:00.123456"), 1730542800123},
                        Case{Value::DateTime("2024-11-02 10:20:00.9999"), 1730542800999},
                        Case{Value::DateTime("2024-11-02 10:20:00.5"), 1730542800500},
                        Case{Value::DateTime("1969-12-31 23:59:59.999999"), -1},
                        Case{Value::DateTime("9999-12-31 23:59:59"), 253402300799000},
                        Case{Value::DateTime("1000-01-01 00:00:00"), -30610224000000}}) {
    CAPTURE(c.v.text());
    Converted r = Convert(c.v);
    REQUIRE(r.status.ok());
    REQUIRE(bson_iter_type(&r.iter) == BSON_TYPE_DATE_TIME);
    CHECK(bson_iter_date_time(&r.iter) == c.ms);
  }
  for (const Value& zero : {Value::Date("0000-00-00"), Value::DateTime("0000-00-00 00:00:00"),
                            Value::DateTime("0000-00-00 00:00:00.000000")}) {
    Converted r = Convert(zero);
    REQUIRE(r.status.ok());
    CHECK(bson_iter_type(&r.iter) == BSON_TYPE_NULL);
  }
  // Dates MySQL can hold that are no calendar day keep their text.
  for (const char* odd : {"2024-00-10", "2024-11-00", "2023-02-29"}) {
    Converted r = Convert(Value::Date(odd));
    REQUIRE(r.status.ok());
    REQUIRE(bson_iter_type(&r.iter) == BSON_TYPE_UTF8);
    CHECK(Utf8(r.iter) == odd);
  }
  CHECK_FALSE(Convert(Value::Date("10/11/2024")).status.ok());
}

TEST_CASE("TIME is a string; strings must be UTF-8; bytes are binary subtype 0") {
  Converted t = Convert(Value::Time("-838:59:59.000000"));
  REQUIRE(bson_iter_type(&t.iter) == BSON_TYPE_UTF8);
  CHECK(Utf8(t.iter) == "-838:59:59.000000");

  Converted s = Convert(Value::String(std::string("a\0b \xF0\x9F\x98\x80", 8)));
  REQUIRE(s.status.ok());
  CHECK(Utf8(s.iter) == std::string("a\0b \xF0\x9F\x98\x80", 8));

  Converted bad = Convert(Value::String("caf\xE9"));
  REQUIRE_FALSE(bad.status.ok());
  CHECK(bad.status.message().find("v: string is not valid UTF-8") != std::string::npos);

  std::string bytes("\x00\xFF\x10 ok", 6);
  Converted b = Convert(Value::Bytes(bytes));
  REQUIRE(bson_iter_type(&b.iter) == BSON_TYPE_BINARY);
  bson_subtype_t subtype;
  uint32_t len;
  const uint8_t* data;
  bson_iter_binary(&b.iter, &subtype, &len, &data);
  CHECK(subtype == BSON_SUBTYPE_BINARY);
  CHECK(std::string(reinterpret_cast<const char*>(data), len) == bytes);
}

TEST_CASE("JSON columns become embedded BSON with their field order and number types") {
  Converted j = Convert(Value::Json(R"({"b": 1, "a": [1.5, "x", null, true, {"c": 18446744073709551615}],
                                       "n": -7})"));
  REQUIRE(j.status.ok());
  REQUIRE(bson_iter_type(&j.iter) == BSON_TYPE_DOCUMENT);
  CHECK(CanonicalJson(j.doc.get()) ==
        R"({ "v" : { "b" : { "$numberLong" : "1" }, "a" : [ { "$numberDouble" : "1.5" }, "x", null, true, )"
        R"({ "c" : { "$numberDecimal" : "18446744073709551615" } } ], "n" : { "$numberLong" : "-7" } } })");

  Converted arr = Convert(Value::Json("[1,2]"));
  CHECK(bson_iter_type(&arr.iter) == BSON_TYPE_ARRAY);
  Converted str = Convert(Value::Json(R"("text")"));
  CHECK(Utf8(str.iter) == "text");
  Converted num = Convert(Value::Json("42"));
  CHECK(bson_iter_type(&num.iter) == BSON_TYPE_INT64);

  CHECK_FALSE(Convert(Value::Json("{\"a\":")).status.ok());
  CHECK_FALSE(Convert(Value::Json("\"caf\xE9\"")).status.ok());
}

TEST_CASE("arrays and objects convert recursively; bad field names are errors naming the path") {
  Value doc = Value::MakeObject({{"items", Value::MakeArray({Value::MakeObject({{"q", Value::Int(2)}}), Value::Null()})},
                                 {"ok", Value::Bool(true)}});
  Converted r = Convert(doc);
  REQUIRE(r.status.ok());
  CHECK(CanonicalJson(r.doc.get()) ==
        R"({ "v" : { "items" : [ { "q" : { "$numberInt" : "2" } }, null ], "ok" : true } })");

  Value bad_key = Value::MakeObject({{"in\xFFvalid", Value::Int(1)}});
  Converted k = Convert(Value::MakeObject({{"outer", bad_key}}));
  REQUIRE_FALSE(k.status.ok());
  CHECK(k.status.message().find("v.outer.in") != std::string::npos);
  CHECK_FALSE(Convert(Value::MakeObject({{std::string("a\0b", 3), Value::Int(1)}})).status.ok());
  // The message shows such a name escaped: a NUL would cut the log line and the dead letter short.
  CHECK(k.status.message() == "v.outer.in\\xffvalid: field name is not valid UTF-8 or holds a NUL byte");
  CHECK(Convert(Value::MakeObject({{std::string("a\0b", 3), Value::Int(1)}})).status.message() ==
        "v.a\\u0000b: field name is not valid UTF-8 or holds a NUL byte");

  Value nested_bad = Value::MakeObject({{"customer", Value::MakeObject({{"name", Value::String("\xC3")}})}});
  BsonPtr out = NewBson();
  weft::core::Status status = DocumentToBson(nested_bad, out.get(), nullptr);
  REQUIRE_FALSE(status.ok());
  CHECK(status.message() == "customer.name: string is not valid UTF-8");
}

TEST_CASE("documents put _id first, and keep temporal values inside _id as their exact text") {
  Value doc = Value::MakeObject({{"a", Value::Int(1)},
                                 {"_id", Value::MakeObject({{"day", Value::Date("2024-11-10")},
                                                            {"at", Value::DateTime("2024-11-02 10:20:00.000001")},
                                                            {"n", Value::Int(3)}})},
                                 {"when", Value::DateTime("2024-11-02 10:20:00.000001")}});
  BsonPtr out = NewBson();
  REQUIRE(DocumentToBson(doc, out.get(), nullptr).ok());
  CHECK(CanonicalJson(out.get()) ==
        R"({ "_id" : { "day" : "2024-11-10", "at" : "2024-11-02 10:20:00.000001", "n" : { "$numberInt" : "3" } }, )"
        R"("a" : { "$numberInt" : "1" }, "when" : { "$date" : { "$numberLong" : "1730542800000" } } })");

  BsonPtr filter = NewBson();
  REQUIRE(AppendId(Value::DateTime("2024-11-02 10:20:00.000001"), filter.get()).ok());
  CHECK(CanonicalJson(filter.get()) == R"({ "_id" : "2024-11-02 10:20:00.000001" })");

  CHECK_FALSE(DocumentToBson(Value::Int(1), out.get(), nullptr).ok());
}

TEST_CASE("BSON reads back: Decimal128 in plain notation, dates as UTC text, ids round-trip") {
  for (auto [in, plain] : {std::pair{"1.000E-7", "0.0000001000"}, std::pair{"123E3", "123000"},
                           std::pair{"-0", "-0"}, std::pair{"0E-2", "0.00"}, std::pair{"-12.50", "-12.50"},
                           std::pair{"1E+40", "10000000000000000000000000000000000000000"}}) {
    CAPTURE(in);
    bson_decimal128_t dec;
    REQUIRE(bson_decimal128_from_string(in, &dec));
    CHECK(DecimalPlainText(dec) == std::string(plain));
  }

  BsonPtr doc = NewBson();
  bson_append_date_time(doc.get(), "d", 1, -1);
  bson_oid_t oid;
  bson_oid_init_from_string(&oid, "0123456789abcdef01234567");
  bson_append_oid(doc.get(), "o", 1, &oid);
  bson_append_timestamp(doc.get(), "t", 1, 5, 1);
  bson_iter_t it;
  REQUIRE(bson_iter_init_find(&it, doc.get(), "d"));
  CHECK(BsonToValue(&it) == Value::DateTime("1969-12-31 23:59:59.999"));
  REQUIRE(bson_iter_init_find(&it, doc.get(), "o"));
  CHECK(BsonToValue(&it) == Value::String("0123456789abcdef01234567"));
  REQUIRE(bson_iter_init_find(&it, doc.get(), "t"));
  CHECK(BsonToValue(&it) == Value::Json(R"({ "$timestamp" : { "t" : 5, "i" : 1 } })"));

  // What Scan reports for the ids weft writes: the same id_key, except temporal values (text).
  for (const Value& id : {Value::String("ORD789654"), Value::Int(42), Value::UInt(7), Value::UInt(UINT64_MAX),
                          Value::Decimal("10.50"), Value::Bytes(std::string("\x01\x02", 2)),
                          Value::MakeObject({{"a", Value::Int(1)}, {"b", Value::String("x")}})}) {
    BsonPtr holder = NewBson();
    REQUIRE(AppendId(id, holder.get()).ok());
    REQUIRE(bson_iter_init_find(&it, holder.get(), "_id"));
    Value back = BsonToValue(&it);
    CHECK(weft::sink::IdKeyOf(back) == weft::sink::IdKeyOf(id));
  }
}
