// Single-value and single-event vectors from MySQL 8 (tests/data/mysql8/cases, see SOURCES.md)
// through weft's own decoders: binary JSON (44 values, the sparse in-place-updated documents
// included), JSON doubles as MySQL 8.0.45 prints them (90), NEWDECIMAL/TIME2/DATETIME2 encodings
// (225), MySQL 8.0 TABLE_MAP bodies with FULL metadata (6), a PARTIAL_UPDATE_ROWS after-image, and a
// recorded zstd TRANSACTION_PAYLOAD frame; plus the JSON diff operations on a real document.
#include <doctest/doctest.h>

#include <cstring>

#include "mysql8_fixture_support.h"
#include "source/mysql/binlog/byte_reader.h"
#include "source/mysql/binlog/transaction_payload.h"
#include "source/mysql/decode/column_types.h"
#include "source/mysql/decode/column_value.h"
#include "source/mysql/decode/json_binary.h"
#include "source/mysql/decode/json_diff.h"
#include "source/mysql/decode/row_decoder.h"
#include "source/mysql/decode/table_map.h"

namespace m8 = weft::test::mysql8;
namespace sm = weft::source::mysql;
using weft::change::Value;

namespace {

m8::Json Cases(const std::string& name) { return m8::LoadExpected(m8::kDir + "/cases/" + name); }

std::string JsonText(const std::string& hex) {
  std::string out;
  auto st = sm::MysqlJsonToText(m8::Unhex(hex), &out);
  REQUIRE_MESSAGE(st.ok(), st.ToString());
  return out;
}

}  // namespace

TEST_CASE("mysql8 cases: 44 binary JSON values render as MySQL prints them") {
  m8::Json doc = Cases("json_binary_cases.json");
  size_t n = 0;
  for (const auto& c : doc["cases"]) {
    CAPTURE(c["name"].get<std::string>());
    CHECK(JsonText(c["hex"]) == c["expected_mysql_json_text"].get<std::string>());
    ++n;
  }
  CHECK(n == 44);
}

TEST_CASE("mysql8 cases: the sparse document of an in-place JSON_REMOVE equals its dense 5.7 twin") {
  m8::Json doc = Cases("json_binary_cases.json");
  std::string dense, sparse;
  for (const auto& c : doc["cases"]) {
    std::string name = c["name"];
    if (name.find("dense layout") != std::string::npos) dense = c["hex"];
    if (name.find("SPARSE layout") != std::string::npos) sparse = c["hex"];
  }
  REQUIRE(!dense.empty());
  REQUIRE(!sparse.empty());
  CHECK(dense != sparse);
  CHECK(JsonText(dense) == JsonText(sparse));
  // Through the tree the partial-update path uses: the same text.
  sm::JsonNode node;
  REQUIRE(sm::MysqlJsonToNode(m8::Unhex(sparse), &node).ok());
  std::string text;
  sm::AppendJsonNode(node, &text);
  CHECK(text == JsonText(sparse));
}

TEST_CASE("mysql8 cases: 90 JSON doubles as MySQL 8.0.45 prints them") {
  m8::Json doc = Cases("json_double_text_vectors.json");
  size_t n = 0;
  for (const auto& v : doc["vectors"]) {
    uint64_t bits = std::stoull(v["float64_bits_hex"].get<std::string>(), nullptr, 16);
    double d;
    std::memcpy(&d, &bits, 8);
    std::string got;
    sm::AppendMysqlJsonDouble(d, &got);
    CHECK_MESSAGE(got == v["mysql_json_text"].get<std::string>(), v["python_repr"]);
    // The same through a binary JSON double (type 0x0b).
    std::string binary = "\x0b";
    for (int i = 0; i < 8; ++i) binary.push_back(static_cast<char>((bits >> (8 * i)) & 0xff));
    std::string via_json;
    REQUIRE(sm::MysqlJsonToText(binary, &via_json).ok());
    CHECK(via_json == got);
    ++n;
  }
  CHECK(n == 90);
}

TEST_CASE("mysql8 cases: NEWDECIMAL, TIME2 and DATETIME2 encodings") {
  m8::Json doc = Cases("column_value_cases.json");
  const m8::Json& cases = doc["cases"];
  size_t n = 0;
  for (const auto& c : cases["newdecimal"]) {
    std::string bytes = m8::Unhex(c["hex"]), out;
    sm::ByteReader r(bytes);
    REQUIRE_MESSAGE(sm::DecodeDecimal(c["precision"], c["scale"], &r, &out), c["hex"]);
    CHECK_MESSAGE(out == c["expected"].get<std::string>(), c["hex"]);
    CHECK(r.position() == c["consumed"].get<size_t>());
    ++n;
  }
  for (const auto& c : cases["time2"]) {
    std::string bytes = m8::Unhex(c["hex"]), out;
    sm::ByteReader r(bytes);
    REQUIRE(sm::DecodeTime2(c["fsp"], &r, &out));
    CHECK_MESSAGE(out == c["expected"].get<std::string>(), c["hex"]);
    ++n;
  }
  for (const auto& c : cases["datetime2"]) {
    std::string bytes = m8::Unhex(c["hex"]), out;
    sm::ByteReader r(bytes);
    REQUIRE(sm::DecodeDateTime2(c["fsp"], &r, &out));
    CHECK_MESSAGE(out == c["expected"].get<std::string>(), c["hex"]);
    ++n;
  }
  CHECK(n == 199 + 15 + 11);
}

TEST_CASE("mysql8 cases: MySQL 8.0 TABLE_MAP bodies with FULL optional metadata") {
  m8::Json doc = Cases("table_map_mysql80_cases.json");
  for (const auto& c : doc["cases"]) {
    CAPTURE(c["name"].get<std::string>());
    auto map = sm::DecodeTableMap(m8::Unhex(c["hex"]), sm::ServerFlavor::kMySQL);
    REQUIRE_MESSAGE(map.ok(), map.status().ToString());
    const m8::Json& e = c["expected"];
    if (e.contains("column_names")) CHECK(map->names == e["column_names"].get<std::vector<std::string>>());
    if (e.contains("nullable")) CHECK(map->nullable == e["nullable"].get<std::vector<bool>>());
    if (e.contains("primary_key_columns")) CHECK(map->primary_key == e["primary_key_columns"].get<std::vector<int>>());
    if (e.contains("visible")) CHECK(map->visible == e["visible"].get<std::vector<bool>>());
    if (e.contains("enum_str_values")) {
      std::vector<std::vector<std::string>> enums;
      for (const auto& v : map->enum_values) {
        if (!v.empty()) enums.push_back(v);
      }
      CHECK(enums == e["enum_str_values"].get<std::vector<std::vector<std::string>>>());
      std::vector<std::vector<std::string>> sets;
      for (const auto& v : map->set_values) {
        if (!v.empty()) sets.push_back(v);
      }
      CHECK(sets == e["set_str_values"].get<std::vector<std::vector<std::string>>>());
      // 42 columns, every common type: the schema text of each is a real type, not "typeNN".
      auto schema = sm::SchemaFromTableMap(*map, {});
      for (const auto& col : schema->columns) CHECK_MESSAGE(col.type.rfind("type", 0) != 0, col.name << " " << col.type);
    }
  }
}

TEST_CASE("mysql8 cases: a PARTIAL_UPDATE_ROWS after-image with PARTIAL_JSON and empty diffs") {
  m8::Json c = Cases("partial_update_after_image_case.json");
  // A table map of the case's columns, built by hand: LONG LONG JSON JSON JSON DATETIME2 DATETIME2 LONG.
  sm::TableMap map;
  map.table_id = 7;
  map.db = "d";
  map.table = "t";
  map.types = {sm::type::kLong, sm::type::kLong, sm::type::kJson, sm::type::kJson, sm::type::kJson,
               sm::type::kDateTime2, sm::type::kDateTime2, sm::type::kLong};
  map.meta = {0, 0, 4, 4, 4, 0, 0, 0};
  map.nullable.assign(8, true);
  auto schema = sm::SchemaFromTableMap(map, {});
  // Post-header (table id, flags, extra-data length 2), 8 columns, both bitmaps all set, a
  // before-image of NULLs, then the recorded after-image.
  std::string body = std::string("\x07\0\0\0\0\0\x01\0\x02\0", 10) + "\x08" + "\xff" + "\xff" + "\xff" +
                     m8::Unhex(c["hex"]);
  std::vector<sm::DecodedRow> rows;
  auto st = sm::DecodeRowsEvent(sm::event::kPartialUpdateRows, body, map, *schema, &rows);
  REQUIRE_MESSAGE(st.ok(), st.ToString());
  REQUIRE(rows.size() == 1);
  const auto& after = rows[0].after;
  CHECK(after.values[0] == Value::Int(994294));
  CHECK(after.values[1] == Value::Int(38842347));
  // The diffs are empty and the before-image has no document: the columns are not in the image.
  for (size_t i = 2; i <= 4; ++i) CHECK(!after.Has(i));
  CHECK(after.values[5] == Value::DateTime("2022-05-29 11:59:03"));
  CHECK(after.values[6] == Value::DateTime("2023-03-21 19:04:24"));
  CHECK(after.values[7] == Value::Int(4404));
}

TEST_CASE("mysql8 cases: JSON diffs (replace, insert, remove) applied to a document") {
  sm::JsonNode node;
  // A recorded case: object {"a": "b"}.
  REQUIRE(sm::MysqlJsonToNode(m8::Unhex("0001000e000b0001000c0c00610162"), &node).ok());
  auto apply = [&](sm::JsonDiffOp op, std::string path, std::string value_hex) {
    std::vector<sm::JsonDiff> diffs{{op, std::move(path), m8::Unhex(value_hex)}};
    return sm::ApplyJsonDiffs(diffs, &node);
  };
  auto text = [&] {
    std::string out;
    sm::AppendJsonNode(node, &out);
    return out;
  };
  CHECK(text() == "{\"a\": \"b\"}");
  REQUIRE(apply(sm::JsonDiffOp::kReplace, "$.a", "051a00").ok());  // int16 26
  CHECK(text() == "{\"a\": 26}");
  REQUIRE(apply(sm::JsonDiffOp::kInsert, "$.zz", "0401").ok());  // literal true: keys sort by length
  REQUIRE(apply(sm::JsonDiffOp::kInsert, "$.b", "0c0178").ok());  // string "x"
  CHECK(text() == "{\"a\": 26, \"b\": \"x\", \"zz\": true}");
  REQUIRE(apply(sm::JsonDiffOp::kReplace, "$.b", "0202000a00050100050200").ok());  // [1, 2]
  CHECK(text() == "{\"a\": 26, \"b\": [1, 2], \"zz\": true}");
  REQUIRE(apply(sm::JsonDiffOp::kInsert, "$.b[1]", "0500").ok() == false);  // int16 cut short: refused
  REQUIRE(apply(sm::JsonDiffOp::kInsert, "$.b[1]", "050700").ok());
  CHECK(text() == "{\"a\": 26, \"b\": [1, 7, 2], \"zz\": true}");
  REQUIRE(apply(sm::JsonDiffOp::kRemove, "$.b[0]", "").ok());
  REQUIRE(apply(sm::JsonDiffOp::kRemove, "$.\"zz\"", "").ok());
  CHECK(text() == "{\"a\": 26, \"b\": [7, 2]}");
  CHECK(apply(sm::JsonDiffOp::kReplace, "$.missing", "0401").code() == weft::core::Code::kCorruption);
  CHECK(apply(sm::JsonDiffOp::kRemove, "$.b[9]", "").code() == weft::core::Code::kCorruption);
  CHECK(apply(sm::JsonDiffOp::kReplace, "a.b", "0401").code() == weft::core::Code::kCorruption);
  CHECK(text() == "{\"a\": 26, \"b\": [7, 2]}");  // failed diffs change nothing
  // A diff vector as PARTIAL_UPDATE_ROWS carries it: REPLACE $.age with int16 26.
  auto parsed = sm::ParseJsonDiffs(m8::Unhex("0005242e616765" "03" "051a00"));
  REQUIRE(parsed.ok());
  REQUIRE(parsed->size() == 1);
  CHECK((*parsed)[0].path == "$.age");
  CHECK(sm::ParseJsonDiffs(m8::Unhex("0705242e616765")).status().code() == weft::core::Code::kCorruption);
  CHECK(sm::ParseJsonDiffs(m8::Unhex("0005242e61")).status().code() == weft::core::Code::kCorruption);
}

TEST_CASE("mysql8 cases: a recorded zstd TRANSACTION_PAYLOAD frame inflates to its 8 inner events") {
  const std::string dir = m8::kDir + "/cases/zstd/mysql-8.0.27-payload-insert-update-delete";
  std::string frame = m8::ReadAll(dir + ".zst"), inner = m8::ReadAll(dir + ".inner");
  REQUIRE(frame.size() == 355);
  REQUIRE(inner.size() == 2442);
  // The event body: PAYLOAD_SIZE 355, COMPRESSION_TYPE 0 (ZSTD), UNCOMPRESSED_SIZE 2442, end; as
  // type / length / packed-integer value.
  std::string body = std::string("\x01\x03\xfc\x63\x01", 5) + std::string("\x02\x01\x00", 3) +
                     std::string("\x03\x03\xfc\x8a\x09", 5) + std::string("\x00", 1) + frame;
  std::string inflated;
  auto st = sm::InflateTransactionPayload(body, &inflated);
  REQUIRE_MESSAGE(st.ok(), st.ToString());
  CHECK(inflated == inner);
  std::vector<uint8_t> types;
  REQUIRE(sm::ForEachPayloadEvent(inflated, [&](const sm::Event& ev) {
            types.push_back(ev.header.type);
            CHECK(ev.header.log_pos == 0);
            return weft::core::Status::Ok();
          }).ok());
  CHECK(types == std::vector<uint8_t>{sm::event::kQuery, sm::event::kTableMap, sm::event::kWriteRowsV2,
                                      sm::event::kTableMap, sm::event::kUpdateRowsV2, sm::event::kTableMap,
                                      sm::event::kDeleteRowsV2, sm::event::kXid});
  // Hostile variants: a claimed size larger than the frame gives, a cut frame, a bad compression.
  std::string wrong = body;
  wrong[10] = static_cast<char>(0x8b);
  CHECK(sm::InflateTransactionPayload(wrong, &inflated).code() == weft::core::Code::kCorruption);
  CHECK(sm::InflateTransactionPayload(body.substr(0, body.size() - 20), &inflated).code() == weft::core::Code::kCorruption);
  std::string bad_type = body;
  bad_type[7] = 7;
  CHECK(sm::InflateTransactionPayload(bad_type, &inflated).code() == weft::core::Code::kCorruption);
  CHECK(sm::ForEachPayloadEvent(inner.substr(0, 100), [](const sm::Event&) { return weft::core::Status::Ok(); }).code() ==
        weft::core::Code::kCorruption);
}
