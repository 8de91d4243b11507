#pragma once
// Decodes a recorded binlog fixture (tests/data/binlog/*.json, see the README there) with the real
// decoders and checks every decoded row image, column by column, against the `SELECT` output that
// was recorded with it. Shared by the unit tests (the committed fixtures) and the live integration
// test (fixtures it has just recorded), so both hold the decoder to the same standard.
//
// Fixture shape: {"server_version", "format_description": hex, "tables": {name: {"columns": [
// {"name","column_type","data_type","nullable","json","expect"}], "primary_key": [names]}},
// "steps": [{"table","sql","image","events": [{"hex"} | {"file"}], "rows": [[text|null,...]]}]}
// `rows` is the table's SELECT output after the step; the rows before it are the previous step's.
// Every table has an `id` column that identifies rows across steps.

#include <doctest/doctest.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "source/mysql/binlog/binlog_event.h"
#include "source/mysql/decode/row_decoder.h"
#include "source/mysql/decode/table_map.h"

namespace weft::test::binlog_fixture {

namespace sm = weft::source::mysql;
using Json = nlohmann::json;

inline std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline std::string Hex(std::string_view bytes) {
  static const char* kDigits = "0123456789ABCDEF";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 15]);
  }
  return out;
}

inline std::string Unhex(const std::string& hex) {
  std::string out;
  out.reserve(hex.size() / 2);
  for (size_t i = 0; i + 1 < hex.size(); i += 2) out.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  return out;
}

// One decoded row with where it came from.
struct DecodedChange {
  std::string table;
  std::string image;  // FULL | MINIMAL | NOBLOB
  uint8_t event_type = 0;
  change::TableSchemaPtr schema;
  sm::DecodedRow row;
};

struct Fixture {
  Json doc;
  std::string dir;
  std::vector<std::string> raw_events;  // every event of every step, in order (whole, with CRC)
  std::vector<DecodedChange> changes;
  std::set<uint8_t> event_types;
  size_t compared_values = 0;
};

// The kind a column of `data_type` must decode to.
inline change::ValueKind ExpectedKind(const Json& col) {
  std::string dt = col["data_type"], ct = col["column_type"];
  bool is_unsigned = ct.find("unsigned") != std::string::npos;
  if (col["json"].get<bool>()) return change::ValueKind::kJson;
  if (dt == "tinyint" || dt == "smallint" || dt == "mediumint" || dt == "int" || dt == "bigint") {
    return is_unsigned ? change::ValueKind::kUInt : change::ValueKind::kInt;
  }
  if (dt == "year") return change::ValueKind::kInt;
  if (dt == "bit") return change::ValueKind::kUInt;
  if (dt == "decimal") return change::ValueKind::kDecimal;
  if (dt == "float") return change::ValueKind::kFloat;
  if (dt == "double") return change::ValueKind::kDouble;
  if (dt == "date") return change::ValueKind::kDate;
  if (dt == "datetime" || dt == "timestamp") return change::ValueKind::kDateTime;
  if (dt == "time") return change::ValueKind::kTime;
  if (dt == "char" || dt == "varchar" || dt == "tinytext" || dt == "text" || dt == "mediumtext" ||
      dt == "longtext" || dt == "enum" || dt == "set") {
    return change::ValueKind::kString;
  }
  return change::ValueKind::kBytes;  // binary, varbinary, *blob, geometry types
}

// Compares one decoded value with the SELECT text (or null) recorded for it.
inline void CheckValue(const std::string& where, const Json& col, const change::Value& got, const Json& want) {
  if (want.is_null()) {
    CHECK_MESSAGE(got.is_null(), where << ": expected NULL, decoded " << change::ToJson(got));
    return;
  }
  std::string text = want.get<std::string>();
  change::ValueKind kind = ExpectedKind(col);
  REQUIRE_MESSAGE(got.kind() == kind, where << ": decoded kind " << change::ValueKindName(got.kind()) << ", expected "
                                            << change::ValueKindName(kind) << " (SELECT: " << text.substr(0, 80) << ")");
  std::string expect = col["expect"];
  switch (kind) {
    case change::ValueKind::kInt:
      if (col["data_type"] == "year") {  // SELECT prints YEAR 0 as "0000"
        CHECK_MESSAGE(got.as_int() == std::stoll(text), where);
      } else {
        CHECK_MESSAGE(std::to_string(got.as_int()) == text, where);
      }
      break;
    case change::ValueKind::kUInt: CHECK_MESSAGE(std::to_string(got.as_uint()) == text, where); break;
    // FLOAT columns are recorded as `col+0e0` (SELECT prints FLOAT with 6 significant digits; the
    // double of the float is exact), DOUBLE columns as SELECT prints them (17 digits, round-trips).
    case change::ValueKind::kFloat:
    case change::ValueKind::kDouble:
      CHECK_MESSAGE(got.as_double() == std::strtod(text.c_str(), nullptr),
                    where << ": decoded " << got.as_double() << " SELECT " << text);
      break;
    case change::ValueKind::kBytes:
      if (expect == "len_crc32") {
        std::string mine = std::to_string(got.text().size()) + ":" + std::to_string(sm::BinlogCrc32(got.text()));
        CHECK_MESSAGE(mine == text, where << ": decoded length:crc32 " << mine << " SELECT " << text);
      } else {
        CHECK_MESSAGE(Hex(got.text()) == text, where << ": decoded " << Hex(got.text()).substr(0, 200) << " SELECT HEX "
                                                     << text.substr(0, 200));
      }
      break;
    default:
      if (expect == "len_crc32") {
        std::string mine = std::to_string(got.text().size()) + ":" + std::to_string(sm::BinlogCrc32(got.text()));
        CHECK_MESSAGE(mine == text, where << ": decoded length:crc32 " << mine << " SELECT " << text);
        break;
      }
      CHECK_MESSAGE(got.text() == text, where << ": decoded [" << got.text().substr(0, 200) << "] SELECT ["
                                              << text.substr(0, 200) << "]");
  }
}

inline int ColumnIndex(const Json& columns, const std::string& name) {
  for (size_t i = 0; i < columns.size(); ++i) if (columns[i]["name"] == name) return static_cast<int>(i);
  return -1;
}

// Checks a schema built from a table map against the table's information_schema description.
inline void CheckSchema(const std::string& table, const Json& t, const change::TableSchema& schema) {
  const Json& columns = t["columns"];
  REQUIRE_MESSAGE(schema.columns.size() == columns.size(), table);
  for (size_t i = 0; i < columns.size(); ++i) {
    const auto& c = schema.columns[i];
    std::string where = table + "." + columns[i]["name"].get<std::string>();
    CHECK_MESSAGE(c.name == columns[i]["name"], where);
    // MariaDB annotates its 5.3-format temporals in COLUMN_TYPE ("datetime /* mariadb-5.3 */"); the
    // type itself is what must match.
    std::string want_type = columns[i]["column_type"];
    if (size_t p = want_type.find(" /* mariadb-5.3 */"); p != std::string::npos) want_type.erase(p);
    CHECK_MESSAGE(c.type == want_type, where << ": type text " << c.type);
    CHECK_MESSAGE(c.nullable == columns[i]["nullable"].get<bool>(), where);
    CHECK_MESSAGE(c.is_json == columns[i]["json"].get<bool>(), where);
  }
  std::vector<int> pk;
  for (const auto& name : t["primary_key"]) pk.push_back(ColumnIndex(columns, name));
  CHECK_MESSAGE(schema.primary_key == pk, table << ": primary key");
}

inline std::map<std::string, Json> RowsById(const Json& columns, const Json& rows) {
  std::map<std::string, Json> out;
  int id = ColumnIndex(columns, "id");
  for (const auto& row : rows) out[row[id].get<std::string>()] = row;
  return out;
}

// Checks the present columns of `image` against `want` (a SELECT row).
inline void CheckImage(const std::string& where, const Json& columns, const change::RowImage& image, const Json& want,
                       Fixture* fx) {
  for (size_t i = 0; i < columns.size(); ++i) {
    if (!image.Has(i)) continue;
    CheckValue(where + " column " + columns[i]["name"].get<std::string>(), columns[i], image.values[i], want[i]);
    ++fx->compared_values;
  }
}

inline std::string ImageId(const Json& columns, const change::RowImage& image) {
  int id = ColumnIndex(columns, "id");
  if (id < 0 || !image.Has(id) || image.empty()) return "";
  const change::Value& v = image.values[id];
  if (v.kind() == change::ValueKind::kInt) return std::to_string(v.as_int());
  if (v.kind() == change::ValueKind::kUInt) return std::to_string(v.as_uint());
  return "";
}

// Loads `dir`/`name`, decodes every event and checks every row against SELECT.
inline Fixture DecodeAndCheck(const std::string& dir, const std::string& name) {
  Fixture fx;
  fx.dir = dir;
  std::string text = ReadAll(dir + "/" + name);
  REQUIRE_MESSAGE(!text.empty(), "fixture " << dir << "/" << name << " is missing");
  fx.doc = Json::parse(text);
  const Json& tables = fx.doc["tables"];

  auto fde = sm::ParseFormatDescription(Unhex(fx.doc["format_description"]));
  REQUIRE_MESSAGE(fde.ok(), fde.status().ToString());
  REQUIRE(fde->checksum == sm::ChecksumAlgorithm::kCrc32);
  REQUIRE(sm::CheckPostHeaderLengths(*fde).ok());
  bool crc = fde->checksum == sm::ChecksumAlgorithm::kCrc32;

  std::map<std::string, Json> previous;  // table -> rows after the last step on it
  std::map<uint64_t, sm::TableMap> maps;
  for (size_t s = 0; s < fx.doc["steps"].size(); ++s) {
    const Json& step = fx.doc["steps"][s];
    std::string table = step["table"];
    const Json& t = tables[table];
    const Json& columns = t["columns"];
    std::vector<std::string> json_columns;
    for (const auto& c : columns) if (c["json"].get<bool>()) json_columns.push_back(c["name"]);
    auto before = RowsById(columns, previous.count(table) ? previous[table] : Json::array());
    auto after = RowsById(columns, step["rows"]);
    std::string step_name = name + " step " + std::to_string(s) + " (" + step["sql"].get<std::string>().substr(0, 120) + ")";
    std::set<std::string> touched;
    for (const auto& e : step["events"]) {
      std::string raw = e.contains("file") ? ReadAll(dir + "/" + e["file"].get<std::string>()) : Unhex(e["hex"]);
      fx.raw_events.push_back(raw);
      auto ev = sm::SplitEvent(raw, crc);
      REQUIRE_MESSAGE(ev.ok(), step_name << ": " << ev.status().ToString());
      uint8_t type = ev->header.type;
      fx.event_types.insert(type);
      if (type == sm::event::kTableMap) {
        auto map = sm::DecodeTableMap(ev->body);
        REQUIRE_MESSAGE(map.ok(), step_name << ": " << map.status().ToString());
        CHECK(map->table == table);
        maps[map->table_id] = *map;
        continue;
      }
      auto id = sm::RowsEventTableId(type, ev->body);
      REQUIRE_MESSAGE(id.ok(), step_name << ": " << id.status().ToString());
      REQUIRE_MESSAGE(maps.count(*id), step_name << ": rows event before its table map");
      const sm::TableMap& map = maps[*id];
      auto schema = sm::SchemaFromTableMap(map, json_columns);
      CheckSchema(table, t, *schema);
      std::vector<sm::DecodedRow> rows;
      core::Status st = sm::DecodeRowsEvent(type, ev->body, map, *schema, &rows);
      REQUIRE_MESSAGE(st.ok(), step_name << ": " << st.ToString());
      REQUIRE_MESSAGE(!rows.empty(), step_name << ": rows event without rows");
      sm::RowsKind kind = sm::RowsEventTraitsOf(type).kind;
      for (size_t r = 0; r < rows.size(); ++r) {
        std::string where = step_name + " " + sm::EventTypeName(type) + " row " + std::to_string(r + 1);
        const auto& row = rows[r];
        if (step["image"] == "FULL") {
          CHECK_MESSAGE(row.before.present.empty(), where << ": FULL image marked partial");
          CHECK_MESSAGE(row.after.present.empty(), where << ": FULL image marked partial");
        }
        if (kind == sm::RowsKind::kUpdate || kind == sm::RowsKind::kDelete) {
          std::string id_text = ImageId(columns, row.before);
          REQUIRE_MESSAGE(before.count(id_text), where << ": before image id '" << id_text << "' not in the previous SELECT");
          CheckImage(where + " before", columns, row.before, before[id_text], &fx);
          touched.insert(id_text);
        }
        if (kind == sm::RowsKind::kWrite || kind == sm::RowsKind::kUpdate) {
          std::string id_text = ImageId(columns, row.after);
          if (id_text.empty()) id_text = ImageId(columns, row.before);  // MINIMAL after image without the key
          REQUIRE_MESSAGE(after.count(id_text), where << ": after image id '" << id_text << "' not in the SELECT");
          CheckImage(where + " after", columns, row.after, after[id_text], &fx);
          touched.insert(id_text);
        }
        fx.changes.push_back({table, step["image"], type, schema, row});
      }
    }
    // Every row the step changed must have been decoded (nothing silently skipped).
    std::set<std::string> changed;
    for (const auto& [id, row] : after) if (!before.count(id) || before[id] != row) changed.insert(id);
    for (const auto& [id, row] : before) if (!after.count(id)) changed.insert(id);
    for (const auto& id : changed) CHECK_MESSAGE(touched.count(id), step_name << ": row id " << id << " changed but was not decoded");
    previous[table] = step["rows"];
  }
  return fx;
}

// The after (or, for deletes, before) image of the first decoded change of `table` whose id is `id`
// and whose event is of `kind`.
inline const DecodedChange* FindChange(const Fixture& fx, const std::string& table, sm::RowsKind kind, int64_t id) {
  const Json& columns = fx.doc["tables"][table]["columns"];
  for (const auto& c : fx.changes) {
    if (c.table != table || sm::RowsEventTraitsOf(c.event_type).kind != kind) continue;
    const change::RowImage& image = kind == sm::RowsKind::kDelete ? c.row.before : c.row.after;
    std::string got = ImageId(columns, image);
    if (got.empty()) got = ImageId(columns, c.row.before);
    if (got == std::to_string(id)) return &c;
  }
  return nullptr;
}

}  // namespace weft::test::binlog_fixture
