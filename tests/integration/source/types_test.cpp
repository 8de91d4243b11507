// For every column type of issue 2 item 4: the value in `weft tail` records (snapshot 'r' and
// binlog 'c'/'u'/'d') equals what SELECT returns for the row, compared column by column.
#include <doctest/doctest.h>
#include <signal.h>

#include <cstdlib>
#include <map>

#include "change/value.h"
#include "integration/source/source_util.h"

using namespace weft::test;
using nlohmann::json;

namespace {

// How the test reads a column back with SELECT, independently of weft's own text conversion.
enum class Kind { kInt, kDecimal, kFloat, kDouble, kText, kString, kBytes, kBit, kJson };

struct Column {
  const char* name;
  const char* type;
  Kind kind;
};

const Column kColumns[] = {
    {"c_tiny", "TINYINT", Kind::kInt},
    {"c_utiny", "TINYINT UNSIGNED", Kind::kInt},
    {"c_small", "SMALLINT", Kind::kInt},
    {"c_usmall", "SMALLINT UNSIGNED", Kind::kInt},
    {"c_medium", "MEDIUMINT", Kind::kInt},
    {"c_umedium", "MEDIUMINT UNSIGNED", Kind::kInt},
    {"c_int", "INT", Kind::kInt},
    {"c_uint", "INT UNSIGNED", Kind::kInt},
    {"c_big", "BIGINT", Kind::kInt},
    {"c_ubig", "BIGINT UNSIGNED", Kind::kInt},
    {"c_dec65", "DECIMAL(65,30)", Kind::kDecimal},
    {"c_dec", "DECIMAL(10,2)", Kind::kDecimal},
    {"c_dec0", "DECIMAL(20,0)", Kind::kDecimal},
    {"c_float", "FLOAT", Kind::kFloat},
    {"c_double", "DOUBLE", Kind::kDouble},
    {"c_date", "DATE", Kind::kText},
    {"c_dt", "DATETIME", Kind::kText},
    {"c_dt6", "DATETIME(6)", Kind::kText},
    {"c_ts", "TIMESTAMP NULL", Kind::kText},
    {"c_ts6", "TIMESTAMP(6) NULL", Kind::kText},
    {"c_time", "TIME", Kind::kText},
    {"c_time3", "TIME(3)", Kind::kText},
    {"c_year", "YEAR", Kind::kInt},
    {"c_char", "CHAR(10)", Kind::kString},
    {"c_varchar", "VARCHAR(50)", Kind::kString},
    {"c_text", "TEXT", Kind::kString},
    {"c_latin1", "VARCHAR(20) CHARACTER SET latin1", Kind::kString},
    {"c_binary", "BINARY(4)", Kind::kBytes},
    {"c_varbinary", "VARBINARY(10)", Kind::kBytes},
    {"c_blob", "BLOB", Kind::kBytes},
    {"c_mblob", "MEDIUMBLOB", Kind::kBytes},
    {"c_enum", "ENUM('small','medium','large')", Kind::kString},
    {"c_set", "SET('a','b','c')", Kind::kString},
    {"c_bit1", "BIT(1)", Kind::kBit},
    {"c_bit64", "BIT(64)", Kind::kBit},
    {"c_json", "JSON", Kind::kJson},
    {"c_geom", "GEOMETRY", Kind::kBytes},
};

const char* kRows[] = {
    // maxima, 4-byte UTF-8, a 65-digit DECIMAL, TIMESTAMP(6), 1 MB of MEDIUMBLOB
    "(1, 127, 255, 32767, 65535, 8388607, 16777215, 2147483647, 4294967295, 9223372036854775807, "
    "18446744073709551615, '12345678901234567890123456789012345.123456789012345678901234567890', 99999999.99, "
    "99999999999999999999, 3.4028234e38, 1.7976931348623157e308, '9999-12-31', '9999-12-31 23:59:59', "
    "'2024-11-02 10:20:00.123456', '2038-01-19 03:14:07', '2024-11-02 10:20:00.000001', '838:59:59', "
    "'-12:34:56.789', 2155, 'abc', '\xF0\x9F\x98\x80 \xC3\xBCn\xC3\xAF" "c\xC3\xB6" "d\xC3\xA9', 'text', 'caf\xC3\xA9', "
    "'ab', x'00ff10', x'deadbeef', REPEAT('x', 1048576), 'large', 'a,c', b'1', x'FFFFFFFFFFFFFFFF', "
    "'{\"a\": [1, 2.5, \"x\"], \"b\": null}', ST_GeomFromText('POINT(1 2)'))",
    // minima, empty strings (not NULL), negative TIME with a fraction, zero bits
    "(2, -128, 0, -32768, 0, -8388608, 0, -2147483648, 0, -9223372036854775808, 0, "
    "'-0.000000000000000000000000000001', -99999999.99, -1, -1.17549435e-38, -2.2250738585072014e-308, "
    "'1000-01-01', '1000-01-01 00:00:00', '1000-01-01 00:00:00.000000', '1970-01-01 00:00:01', "
    "'1970-01-01 00:00:01.000000', '-838:59:59', '-00:00:01.500', 1901, '', '', '', '', x'00000000', '', '', '', "
    "'small', '', b'0', b'0', '[]', ST_GeomFromText('LINESTRING(0 0, 1 1, 2 0)'))",
    // NULL everywhere
    "(3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, "
    "NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, "
    "NULL, NULL)",
    // ordinary values
    "(4, 0, 1, -1, 2, 0, 3, 42, 7, -5, 5, 0, 0.5, 0, 0.1, 0.1, '2024-11-10', '2024-11-02 10:20:00', "
    "'2024-11-02 10:20:00.5', '2024-11-21 10:00:00', '2024-11-21 10:00:00.25', '00:00:00', '00:00:00.000', 2024, "
    "'x', 'shipped', 'a longer text', 'Gr\xC3\xBC\xC3\x9F" "e', 'a', 'b', 'c', 'd', 'medium', 'b', b'1', b'101', "
    "'{\"order\": 1}', ST_GeomFromText('POLYGON((0 0, 1 0, 1 1, 0 0))'))",
};

std::string Unhex(const std::string& hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) out.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  return out;
}

std::string SelectExpr(const Column& c) {
  std::string n = c.name;
  switch (c.kind) {
    case Kind::kString: return "HEX(CONVERT(" + n + " USING utf8mb4))";
    case Kind::kBytes: return c.type == std::string("GEOMETRY") ? "HEX(ST_AsBinary(" + n + "))" : "HEX(" + n + ")";
    case Kind::kBit: return n + " + 0";
    case Kind::kFloat: return "CAST(" + n + " AS DOUBLE)";
    default: return n;
  }
}

// The JSON text of a number as weft wrote it (ParseRecord keeps non-integers as {"$raw": text}).
std::string NumberText(const json& v) { return v.is_object() ? v["$raw"].get<std::string>() : v.dump(); }

// Checks one record value against the SELECT text of the same column and row.
void CheckValue(const Column& c, const json& got, const std::optional<std::string>& want, const std::string& where) {
  INFO(where << " column " << c.name << " (" << c.type << "): record " << got.dump() << " vs SELECT "
             << (want ? want->substr(0, 200) : "NULL"));
  if (!want) {
    CHECK(got.is_null());
    return;
  }
  REQUIRE_FALSE(got.is_null());
  switch (c.kind) {
    case Kind::kInt:
    case Kind::kDecimal:
    case Kind::kBit:
      CHECK(NumberText(got) == *want);
      break;
    case Kind::kFloat:
      // The exact float the column holds (SELECT's own text keeps 6 digits only).
      CHECK(static_cast<float>(std::strtod(NumberText(got).c_str(), nullptr)) ==
            static_cast<float>(std::strtod(want->c_str(), nullptr)));
      break;
    case Kind::kDouble:
      CHECK(std::strtod(NumberText(got).c_str(), nullptr) == std::strtod(want->c_str(), nullptr));
      break;
    case Kind::kText:
      CHECK(got.get<std::string>() == *want);
      break;
    case Kind::kString:
      CHECK(got.get<std::string>() == Unhex(*want));
      break;
    case Kind::kBytes: {
      std::string bytes;
      REQUIRE(weft::change::Base64Decode(got.get<std::string>(), &bytes));
      CHECK(bytes == Unhex(*want));
      break;
    }
    case Kind::kJson:
      CHECK(got == ParseRecord(*want));
      break;
  }
}

// SELECT of every column for the ids, keyed by id.
std::map<int, SqlRow> SelectRows(MariaDBServer& server, const std::string& where) {
  std::string sql = "SELECT id";
  for (const auto& c : kColumns) sql += ", " + SelectExpr(c);
  sql += " FROM shop.types WHERE " + where + " ORDER BY id";
  std::map<int, SqlRow> rows;
  for (auto& row : server.Query(sql)) {
    int id = std::stoi(*row[0]);
    row.erase(row.begin());
    rows[id] = row;
  }
  return rows;
}

void CheckImage(const json& image, const SqlRow& want, const std::string& where) {
  for (size_t i = 0; i < std::size(kColumns); ++i) {
    REQUIRE_MESSAGE(image.contains(kColumns[i].name), where << ": no column " << kColumns[i].name);
    CheckValue(kColumns[i], image[kColumns[i].name], want[i], where);
  }
}

}  // namespace

TEST_CASE("every column type: snapshot and binlog records equal what SELECT returns") {
  MariaDBServer server;
  REQUIRE_MESSAGE(server.Start(), server.error());
  std::string create = "CREATE DATABASE shop; CREATE TABLE shop.types (id INT PRIMARY KEY";
  for (const auto& c : kColumns) create += std::string(", ") + c.name + " " + c.type;
  server.Execute(create + ")");
  for (const char* row : kRows) server.Execute(std::string("INSERT INTO shop.types VALUES ") + row);

  std::string dir = MakeTempDir("weft-types-");
  std::string config = WriteSourceConfig(dir, server.port(), "shop");
  WeftProcess tail;
  REQUIRE(tail.Start({"tail", "-c", config, "--source", "shop", "--from", "snapshot"}, dir));
  auto lines = WaitForLines(tail, 4);
  REQUIRE_MESSAGE(lines.size() == 4, tail.Stderr());

  // Snapshot records against SELECT.
  auto selected = SelectRows(server, "id < 100");
  for (const auto& line : lines) {
    json r = ParseRecord(line);
    CHECK(r["op"] == "r");
    CHECK(r["source"]["snapshot"] == true);
    int id = r["after"]["id"].get<int>();
    CHECK(r["key"] == json{{"id", id}});
    CheckImage(r["after"], selected.at(id), "snapshot row " + std::to_string(id));
  }

  // The same values through the binlog: inserted (c), updated (u), deleted (d).
  REQUIRE(WaitForStderr(tail, "streaming binlog from"));
  server.Execute("INSERT INTO shop.types SELECT id + 100, " + [] {
    std::string cols;
    for (const auto& c : kColumns) cols += std::string(cols.empty() ? "" : ", ") + c.name;
    return cols;
  }() + " FROM shop.types WHERE id < 100");
  auto inserted = SelectRows(server, "id > 100");
  server.Execute("UPDATE shop.types SET c_int = 7, c_varchar = 'changed' WHERE id IN (101, 102, 104)");
  auto updated = SelectRows(server, "id > 100");
  server.Execute("DELETE FROM shop.types WHERE id > 100");
  lines = WaitForLines(tail, 4 + 4 + 3 + 4);
  CHECK(StopTail(tail) == 0);
  REQUIRE_MESSAGE(lines.size() == 15, tail.Stderr());

  for (size_t i = 4; i < 8; ++i) {
    json r = ParseRecord(lines[i]);
    REQUIRE(r["op"] == "c");
    int id = r["after"]["id"].get<int>();
    CheckImage(r["after"], inserted.at(id), "inserted row " + std::to_string(id));
    CHECK_FALSE(r.contains("before"));
  }
  for (size_t i = 8; i < 11; ++i) {
    json r = ParseRecord(lines[i]);
    REQUIRE(r["op"] == "u");
    int id = r["after"]["id"].get<int>();
    CheckImage(r["before"], inserted.at(id), "update before " + std::to_string(id));
    CheckImage(r["after"], updated.at(id), "update after " + std::to_string(id));
    CHECK(r["patch"]["$set"].contains("c_varchar"));
    CHECK_FALSE(r["patch"]["$set"].contains("c_dec65"));  // unchanged columns are not in the patch
  }
  for (size_t i = 11; i < 15; ++i) {
    json r = ParseRecord(lines[i]);
    REQUIRE(r["op"] == "d");
    int id = r["before"]["id"].get<int>();
    CheckImage(r["before"], updated.at(id), "deleted row " + std::to_string(id));
    CHECK_FALSE(r.contains("after"));
  }
  RemoveTree(dir);
}
