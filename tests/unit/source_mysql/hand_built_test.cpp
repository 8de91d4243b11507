// Formats that cannot be recorded here (no MySQL server in Debian): MySQL's binary JSON, MySQL's
// table-map signedness rule, v2 rows events; plus byte-level examples from the format docs.
// The bytes are built by hand from the documented layouts.
#include <doctest/doctest.h>

#include <cstring>

#include "fixture_check.h"
#include "source/mysql/decode/column_value.h"
#include "source/mysql/decode/json_binary.h"

namespace fx = weft::test::binlog_fixture;
namespace sm = weft::source::mysql;
using weft::change::Value;

namespace {

std::string Bytes(std::initializer_list<int> v) {
  std::string s;
  for (int b : v) s.push_back(static_cast<char>(b));
  return s;
}

std::string Json(const std::string& binary) {
  std::string out;
  weft::core::Status s = sm::MysqlJsonToText(binary, &out);
  REQUIRE_MESSAGE(s.ok(), s.ToString());
  return out;
}

std::string Le(uint64_t v, int n) {
  std::string s;
  for (int i = 0; i < n; ++i) s.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
  return s;
}

}  // namespace

TEST_CASE("DECIMAL binary examples from MySQL's documentation") {
  std::string out;
  // ByteReader views its input: keep the bytes alive in variables.
  const std::string pos_bytes = Bytes({0x81, 0x0D, 0xFB, 0x38, 0xD2, 0x04, 0xD2});
  const std::string neg_bytes = Bytes({0x7E, 0xF2, 0x04, 0xC7, 0x2D, 0xFB, 0x2D});
  const std::string bad_bytes = Bytes({0xBB, 0x9A, 0xCA, 0x00});  // DECIMAL(9,0) "= 1e9": 10 digits
  const std::string cut_bytes = Bytes({0x81, 0x0D});
  sm::ByteReader pos(pos_bytes);
  REQUIRE(sm::DecodeDecimal(14, 4, &pos, &out));
  CHECK(out == "1234567890.1234");
  out.clear();
  sm::ByteReader neg(neg_bytes);
  REQUIRE(sm::DecodeDecimal(14, 4, &neg, &out));
  CHECK(out == "-1234567890.1234");
  // A 9-digit group of 1,000,000,000 or more is not a decimal.
  sm::ByteReader bad(bad_bytes);
  CHECK_FALSE(sm::DecodeDecimal(9, 0, &bad, &out));
  sm::ByteReader cut(cut_bytes);
  CHECK_FALSE(sm::DecodeDecimal(14, 4, &cut, &out));
}

TEST_CASE("MySQL binary JSON: scalars") {
  CHECK(Json(Bytes({0x04, 0x00})) == "null");
  CHECK(Json(Bytes({0x04, 0x01})) == "true");
  CHECK(Json(Bytes({0x04, 0x02})) == "false");
  CHECK(Json(Bytes({0x05, 0xFF, 0xFF})) == "-1");
  CHECK(Json(Bytes({0x06, 0xFF, 0xFF})) == "65535");
  CHECK(Json("\x0a" + Le(UINT64_MAX, 8)) == "18446744073709551615");
  CHECK(Json("\x09" + Le(static_cast<uint64_t>(INT64_MIN), 8)) == "-9223372036854775808");
  double d = 1.5;
  uint64_t bits;
  std::memcpy(&bits, &d, 8);
  CHECK(Json("\x0b" + Le(bits, 8)) == "1.5");
  d = 2.0;
  std::memcpy(&bits, &d, 8);
  CHECK(Json("\x0b" + Le(bits, 8)) == "2.0");
  CHECK(Json(Bytes({0x0c, 0x05}) + "a\"b\xC3\xA9") == "\"a\\\"b\xC3\xA9\"");
  CHECK(Json("") == "null");
}

TEST_CASE("MySQL binary JSON: nested object and array") {
  // {"a": 1, "bc": [true, "x"]} as a small object: count 2, size 33, two key entries (offset,
  // length), two value entries (type, inlined value or offset), the keys, then the array.
  std::string array = Bytes({0x02, 0x00, 0x0C, 0x00,  // count 2, size 12
                             0x04, 0x01, 0x00,        // literal true, inlined
                             0x0C, 0x0A, 0x00,        // string at offset 10
                             0x01, 'x'});
  std::string object = Bytes({0x02, 0x00, 0x21, 0x00,  // count 2, size 33
                              0x12, 0x00, 0x01, 0x00,  // key "a" at 18
                              0x13, 0x00, 0x02, 0x00,  // key "bc" at 19
                              0x05, 0x01, 0x00,        // int16 1, inlined
                              0x02, 0x15, 0x00,        // small array at 21
                              'a', 'b', 'c'}) +
                       array;
  REQUIRE(object.size() == 33);
  CHECK(Json(std::string(1, '\0') + object) == "{\"a\": 1, \"bc\": [true, \"x\"]}");
  // Large array: 4-byte counts and offsets; int32 is inlined there.
  std::string large = Bytes({0x03}) + Le(2, 4) + Le(4 + 4 + 2 * 5, 4) + Bytes({0x07}) + Le(static_cast<uint32_t>(-5), 4) +
                      Bytes({0x04}) + Le(0, 4);
  CHECK(Json(large) == "[-5, null]");
  CHECK(Json(Bytes({0x02, 0x00, 0x00, 0x04, 0x00})) == "[]");
}

TEST_CASE("MySQL binary JSON: opaque DECIMAL and DATETIME, other opaque as base64") {
  std::string dec = Bytes({0x0f, 246, 9, 14, 4, 0x81, 0x0D, 0xFB, 0x38, 0xD2, 0x04, 0xD2});
  CHECK(Json(dec) == "1234567890.1234");
  uint64_t ymd = ((2015ull * 13 + 1) << 5) | 15, hms = (23ull << 12) | (24 << 6) | 25;
  uint64_t packed = (((ymd << 17) | hms) << 24) | 500000;
  CHECK(Json(Bytes({0x0f, 12, 8}) + Le(packed, 8)) == "\"2015-01-15 23:24:25.500000\"");
  CHECK(Json(Bytes({0x0f, 10, 8}) + Le(((ymd << 17) << 24), 8)) == "\"2015-01-15\"");
  CHECK(Json(Bytes({0x0f, 252, 3, 'a', 'b', 'c'})) == "\"base64:type252:YWJj\"");
}

TEST_CASE("MySQL binary JSON: corrupt input is refused") {
  std::string out;
  CHECK_FALSE(sm::MysqlJsonToText(Bytes({0x00, 0x01, 0x00, 0x50, 0x00}), &out).ok());  // size beyond data
  CHECK_FALSE(sm::MysqlJsonToText(Bytes({0x02, 0x01, 0x00, 0x07, 0x00, 0x0C, 0x60, 0x00}), &out).ok());  // bad offset
  CHECK_FALSE(sm::MysqlJsonToText(Bytes({0x0c, 0x85}), &out).ok());
  CHECK_FALSE(sm::MysqlJsonToText(Bytes({0x0e}), &out).ok());
  // 300 nested one-element arrays: refused at the depth cap, not a stack overflow.
  std::string deep = "\x09" + Le(1, 8);  // an int64, stored at an offset (not inlined)
  for (int i = 0; i < 300; ++i) {
    deep = Bytes({0x02, 0x01, 0x00}) + Le(4 + 3 + deep.size() - 1, 2) + std::string(1, deep[0]) + Le(7, 2) +
           deep.substr(1);
  }
  CHECK_FALSE(sm::MysqlJsonToText(deep, &out).ok());
}

TEST_CASE("MySQL table map and v2 rows event: YEAR owns no signedness bit, binary JSON column") {
  // TABLE_MAP for d.t (y YEAR, n INT UNSIGNED, j JSON) as MySQL 8 writes it.
  std::string body = Le(42, 6) + Le(1, 2) + Bytes({1, 'd', 0, 1, 't', 0, 3, 13, 3, 245, 1, 4, 0x07});
  body += Bytes({1, 1, 0x80});                                  // SIGNEDNESS: one numeric column, unsigned
  body += Bytes({4, 6, 1, 'y', 1, 'n', 1, 'j'});                // COLUMN_NAME
  body += Bytes({12, 1, 0xE0});                                 // COLUMN_VISIBILITY: all visible
  auto mysql = sm::DecodeTableMap(body, sm::ServerFlavor::kMySQL);
  REQUIRE_MESSAGE(mysql.ok(), mysql.status().ToString());
  CHECK(mysql->is_unsigned == std::vector<bool>{false, true, false});
  CHECK(mysql->names == std::vector<std::string>{"y", "n", "j"});
  CHECK(mysql->visible == std::vector<bool>{true, true, true});
  auto mariadb = sm::DecodeTableMap(body);  // MariaDB would have given YEAR the bit
  REQUIRE(mariadb.ok());
  CHECK(mariadb->is_unsigned == std::vector<bool>{true, false, false});

  auto schema = sm::SchemaFromTableMap(*mysql, {});
  CHECK(schema->columns[1].type == "int(10) unsigned");
  CHECK(schema->columns[2].type == "json");
  CHECK(schema->columns[2].is_json);

  // WRITE_ROWS_EVENT (v2): extra-data length 2, 3 columns all present, one row.
  std::string json = Bytes({0x00, 0x01, 0x00, 0x0C, 0x00, 0x0B, 0x00, 0x01, 0x00, 0x05, 0x07, 0x00, 'a'});
  std::string rows = Le(42, 6) + Le(1, 2) + Le(2, 2) + Bytes({3, 0x07}) + Bytes({0x00, 124}) + Le(0xFFFFFFFF, 4) +
                     Le(json.size(), 4) + json;
  std::vector<sm::DecodedRow> decoded;
  weft::core::Status s = sm::DecodeRowsEvent(sm::event::kWriteRowsV2, rows, *mysql, *schema, &decoded);
  REQUIRE_MESSAGE(s.ok(), s.ToString());
  REQUIRE(decoded.size() == 1);
  CHECK(decoded[0].after.values[0] == Value::Int(2024));
  CHECK(decoded[0].after.values[1] == Value::UInt(4294967295u));
  CHECK(decoded[0].after.values[2] == Value::Json("{\"a\": 7}"));
}

TEST_CASE("v2 rows events decode like v1 (a recorded v1 event re-framed as v2 with extra data)") {
  fx::Fixture f = fx::DecodeAndCheck(std::string(WEFT_SOURCE_DIR) + "/tests/data/binlog", "partial.json");
  auto tm = sm::SplitEvent(f.raw_events.at(0), true);
  auto v1 = sm::SplitEvent(f.raw_events.at(1), true);
  REQUIRE((tm.ok() && v1.ok()));
  REQUIRE(v1->header.type == sm::event::kWriteRowsV1);
  auto map = sm::DecodeTableMap(tm->body);
  REQUIRE(map.ok());
  auto schema = sm::SchemaFromTableMap(*map, {});
  std::string v2(v1->body.substr(0, 8));
  v2 += Le(5, 2) + Bytes({0x00, 0x01, 0x02});  // 3 bytes of extra data the decoder must skip
  v2 += v1->body.substr(8);
  std::vector<sm::DecodedRow> a, b;
  REQUIRE(sm::DecodeRowsEvent(sm::event::kWriteRowsV1, v1->body, *map, *schema, &a).ok());
  REQUIRE(sm::DecodeRowsEvent(sm::event::kWriteRowsV2, v2, *map, *schema, &b).ok());
  REQUIRE(a.size() == b.size());
  for (size_t i = 0; i < a.size(); ++i) CHECK(a[i].after.values == b[i].after.values);
  CHECK(*sm::RowsEventTableId(sm::event::kWriteRowsV2, v2) == map->table_id);
}
