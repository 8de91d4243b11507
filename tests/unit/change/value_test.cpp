#include <doctest/doctest.h>

#include "change/change.h"
#include "change/value.h"

using namespace weft::change;

TEST_CASE("JSON rendering keeps exact digits and escapes text") {
  CHECK(ToJson(Value::Decimal("12345678901234567890123456789012345.123456789012345678901234567890")) ==
        "12345678901234567890123456789012345.123456789012345678901234567890");
  CHECK(ToJson(Value::UInt(18446744073709551615ull)) == "18446744073709551615");
  CHECK(ToJson(Value::Int(INT64_MIN)) == "-9223372036854775808");
  CHECK(ToJson(Value::Float(0.1f)) == "0.1");
  CHECK(ToJson(Value::Double(0.1)) == "0.1");
  CHECK(ToJson(Value::String("a\"b\\\n\x01")) == "\"a\\\"b\\\\\\n\\u0001\"");
  CHECK(ToJson(Value::String("\xF0\x9F\x98\x80")) == "\"\xF0\x9F\x98\x80\"");
  CHECK(ToJson(Value::String("bad\xFFx")) == "\"bad\xEF\xBF\xBDx\"");
  CHECK(ToJson(Value::String("\tplain text, then \xC3\xA9 and a quote \"")) == "\"\\tplain text, then \xC3\xA9 and a quote \\\"\"");
  CHECK(ToJson(Value::Bytes(std::string("\x00\xFF\x10", 3))) == "\"AP8Q\"");
  CHECK(ToJson(Value::Json("{\"a\":[1,2]}")) == "{\"a\":[1,2]}");
  CHECK(ToJson(Value::Null()) == "null");
}

TEST_CASE("base64 round-trips every length") {
  std::string bytes;
  for (int n = 0; n < 40; ++n) {
    std::string decoded;
    REQUIRE(Base64Decode(Base64Encode(bytes), &decoded));
    CHECK(decoded == bytes);
    bytes.push_back(static_cast<char>(n * 37));
  }
}

TEST_CASE("objects keep order, Set replaces in place, equality is structural") {
  Value doc = Value::MakeObject();
  doc.Set("b", Value::Int(1));
  doc.Set("a", Value::Int(2));
  doc.Set("b", Value::Int(3));
  CHECK(ToJson(doc) == "{\"b\":3,\"a\":2}");
  Value other = Value::MakeObject({{"b", Value::Int(3)}, {"a", Value::Int(2)}});
  CHECK(doc == other);
  other.Set("a", Value::UInt(2));
  CHECK(doc != other);
  CHECK(doc.Erase("a"));
  CHECK(doc.Find("a") == nullptr);
}

TEST_CASE("update records carry before, after, key and a $set patch of the changed columns") {
  auto schema = std::make_shared<TableSchema>();
  schema->db = "shop";
  schema->table = "ecom_orders";
  schema->columns = {{"order_id", "varchar(32)"}, {"order_status", "varchar(32)"}};
  schema->primary_key = {0};
  Change c;
  c.op = Op::kUpdate;
  c.ts_ms = 1732184400000;
  c.offset = "tok";
  c.source.name = "shop";
  c.source.db = "shop";
  c.source.table = "ecom_orders";
  c.source.gtid = "0-1-42";
  c.source.file = "mariadb-bin.000002";
  c.source.pos = 1234;
  c.schema = schema;
  c.before.values = {Value::String("ORD1"), Value::String("pending")};
  c.after.values = {Value::String("ORD1"), Value::String("shipped")};
  CHECK(ChangeToJson(c) ==
        R"({"op":"u","ts":1732184400000,"type":"dml","offset":"tok","source":{"connector":"mysql","name":"shop","db":"shop","table":"ecom_orders","snapshot":false,"gtid":"0-1-42","file":"mariadb-bin.000002","pos":1234},"key":{"order_id":"ORD1"},"before":{"order_id":"ORD1","order_status":"pending"},"after":{"order_id":"ORD1","order_status":"shipped"},"patch":{"$set":{"order_status":"shipped"},"$unset":{}}})");
}

#include "change/value_codec.h"

TEST_CASE("the binary value codec is lossless for every kind and rejects truncated input") {
  Value doc = Value::MakeObject({
      {"i", Value::Int(-5)}, {"u", Value::UInt(UINT64_MAX)}, {"f", Value::Float(0.1f)},
      {"d", Value::Double(2.5)}, {"dec", Value::Decimal("-0.00")}, {"s", Value::String("x")},
      {"b", Value::Bytes(std::string("\0\1", 2))}, {"date", Value::Date("2024-11-10")},
      {"dt", Value::DateTime("2024-11-02 10:20:00.5")}, {"t", Value::Time("-01:00:00")},
      {"j", Value::Json("[1]")}, {"n", Value::Null()}, {"t2", Value::Bool(true)},
      {"arr", Value::MakeArray({Value::Int(1), Value::MakeObject({{"x", Value::Null()}})})},
  });
  std::string bytes = EncodeValue(doc);
  Value back;
  size_t used = 0;
  REQUIRE(DecodeValue(bytes, &back, &used));
  CHECK(used == bytes.size());
  CHECK(back == doc);
  for (size_t cut = 0; cut < bytes.size(); ++cut) {
    Value partial;
    CHECK_FALSE(DecodeValue(std::string_view(bytes).substr(0, cut), &partial));
  }
}
