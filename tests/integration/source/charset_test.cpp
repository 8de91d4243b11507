// Every non-UTF-8 character set MariaDB 10.11 stores, through the binlog: the values weft streams
// (`weft tail` records of INSERT, UPDATE before/after images and DELETE) equal what the server
// itself returns for SELECT CONVERT(col USING utf8mb4): all 256 bytes of each single-byte set
// (unmapped ones included, which the server shows as '?'), and every well-formed 2-byte character
// of each multi-byte set (plus sjis/cp932 half-width katakana, ujis/eucjpms 0x8E and 0x8F-led ones;
// unmapped-but-well-formed ones included), and a sample of BMP and supplementary characters for
// ucs2/utf16/utf16le/utf32; each in MEDIUMTEXT, VARCHAR and CHAR columns. Then a view over such a table, snapshot then streaming,
// passes `weft verify` with no differences.
#include <doctest/doctest.h>

#include <algorithm>
#include <map>

#include "integration/harness/seed_fixture.h"
#include "integration/harness/sqlite_probe.h"
#include "integration/harness/workload.h"
#include "integration/source/source_util.h"

using namespace weft::test;
using nlohmann::json;

namespace {

struct Range {
  int first, last;
};

struct Charset {
  const char* name;
  std::vector<Range> lead, trail;  // empty lead: a single-byte set
  bool kana = false;               // sjis/cp932: 0xA1-0xDF are single-byte characters
  bool euc3 = false;               // ujis/eucjpms: 0x8E + A1-DF, 0x8F + A1-FE A1-FE
  bool wide = false;               // ucs2/utf16/utf16le/utf32: filled from UTF-8 (WideSampleHex)
};

const std::vector<Charset>& Charsets() {
  static const std::vector<Charset> sets = [] {
    std::vector<Charset> v;
    for (const char* name : {"armscii8", "ascii", "cp1250", "cp1251", "cp1256", "cp1257", "cp850", "cp852", "cp866",
                             "dec8", "geostd8", "greek", "hebrew", "hp8", "keybcs2", "koi8r", "koi8u", "latin1",
                             "latin2", "latin5", "latin7", "macce", "macroman", "swe7", "tis620"}) {
      v.push_back({name, {}, {}});
    }
    v.push_back({"big5", {{0xA1, 0xF9}}, {{0x40, 0x7E}, {0xA1, 0xFE}}});
    v.push_back({"cp932", {{0x81, 0x9F}, {0xE0, 0xFC}}, {{0x40, 0x7E}, {0x80, 0xFC}}, true});
    v.push_back({"sjis", {{0x81, 0x9F}, {0xE0, 0xFC}}, {{0x40, 0x7E}, {0x80, 0xFC}}, true});
    v.push_back({"euckr", {{0x81, 0xFE}}, {{0x41, 0x5A}, {0x61, 0x7A}, {0x81, 0xFE}}});
    v.push_back({"gb2312", {{0xA1, 0xF7}}, {{0xA1, 0xFE}}});
    v.push_back({"gbk", {{0x81, 0xFE}}, {{0x40, 0x7E}, {0x80, 0xFE}}});
    v.push_back({"ujis", {{0xA1, 0xFE}}, {{0xA1, 0xFE}}, false, true});
    v.push_back({"eucjpms", {{0xA1, 0xFE}}, {{0xA1, 0xFE}}, false, true});
    for (const char* name : {"ucs2", "utf16", "utf16le", "utf32"}) v.push_back({name, {}, {}, false, false, true});
    return v;
  }();
  return sets;
}

void AddHex(int b, std::string* hex) {
  static const char* digits = "0123456789ABCDEF";
  hex->push_back(digits[b >> 4]);
  hex->push_back(digits[b & 15]);
}

void AddUtf8(uint32_t cp, std::string* hex) {
  if (cp < 0x80) return AddHex(static_cast<int>(cp), hex);
  if (cp < 0x800) return AddHex(0xC0 | cp >> 6, hex), AddHex(0x80 | (cp & 0x3F), hex);
  if (cp < 0x10000) return AddHex(0xE0 | cp >> 12, hex), AddHex(0x80 | (cp >> 6 & 0x3F), hex), AddHex(0x80 | (cp & 0x3F), hex);
  AddHex(0xF0 | cp >> 18, hex), AddHex(0x80 | (cp >> 12 & 0x3F), hex), AddHex(0x80 | (cp >> 6 & 0x3F), hex);
  AddHex(0x80 | (cp & 0x3F), hex);
}

// For the wide sets, as UTF-8 hex: ASCII, U+00A0-U+07FF, some CJK, half-width katakana and emoji
// (outside the BMP, which ucs2 cannot hold: not for ucs2).
std::string WideSampleHex(bool supplementary) {
  std::string hex;
  for (uint32_t cp = 0x20; cp < 0x7F; ++cp) AddUtf8(cp, &hex);
  for (uint32_t cp = 0xA0; cp < 0x800; ++cp) AddUtf8(cp, &hex);
  for (uint32_t cp = 0x4E00; cp < 0x4F00; ++cp) AddUtf8(cp, &hex);
  for (uint32_t cp = 0xFF61; cp < 0xFFA0; ++cp) AddUtf8(cp, &hex);
  for (uint32_t cp = 0x1F600; supplementary && cp < 0x1F650; ++cp) AddUtf8(cp, &hex);
  return hex;
}

// Every character of the set (well-formed; mapped or not), as hex.
std::string AllCharactersHex(const Charset& cs) {
  std::string hex;
  if (cs.lead.empty()) {
    for (int b = 0; b < 256; ++b) AddHex(b, &hex);
    return hex;
  }
  for (int b = 0x20; b < 0x80; ++b) AddHex(b, &hex);
  for (int b = 0xA1; cs.kana && b <= 0xDF; ++b) AddHex(b, &hex);
  for (const Range& l : cs.lead) {
    for (int lead = l.first; lead <= l.last; ++lead) {
      for (const Range& t : cs.trail) {
        for (int trail = t.first; trail <= t.last; ++trail) {
          AddHex(lead, &hex);
          AddHex(trail, &hex);
        }
      }
    }
  }
  if (cs.euc3) {
    for (int t = 0xA1; t <= 0xDF; ++t) AddHex(0x8E, &hex), AddHex(t, &hex);
    for (int a = 0xA1; a <= 0xFE; ++a) {
      for (int b = 0xA1; b <= 0xFE; ++b) AddHex(0x8F, &hex), AddHex(a, &hex), AddHex(b, &hex);
    }
  }
  return hex;
}

std::string Unhex(const std::string& hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) out.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  return out;
}

std::string CreateTable(const std::string& name) {
  std::string sql = "CREATE TABLE shop." + name + " (id INT PRIMARY KEY";
  for (const Charset& cs : Charsets()) {
    sql += std::string(", t_") + cs.name + " MEDIUMTEXT CHARACTER SET " + cs.name;
    sql += std::string(", v_") + cs.name + " VARCHAR(24) CHARACTER SET " + cs.name;
    sql += std::string(", c_") + cs.name + " CHAR(24) CHARACTER SET " + cs.name;
  }
  return sql + ")";
}

// Row `id`: every character in the MEDIUMTEXT columns, 24-character slices of them in the VARCHAR
// and CHAR columns (the CHAR one ends in spaces, which SELECT strips).
void InsertAll(MariaDBServer& server, const std::string& table, int id) {
  std::string sql = "INSERT INTO shop." + table + " (id";
  for (const Charset& cs : Charsets()) sql += std::string(", t_") + cs.name;
  sql += ") VALUES (" + std::to_string(id);
  for (const Charset& cs : Charsets()) {
    if (cs.wide) sql += ", CONVERT(_utf8mb4 X'" + WideSampleHex(std::string(cs.name) != "ucs2") + "' USING " + cs.name + ")";
    else sql += std::string(", _") + cs.name + " X'" + AllCharactersHex(cs) + "'";
  }
  server.Execute(sql + ")");
  std::string update = "UPDATE shop." + table + " SET ";
  for (const Charset& cs : Charsets()) {
    update += std::string(cs.name == Charsets()[0].name ? "" : ", ") + "v_" + cs.name + " = SUBSTRING(t_" + cs.name +
              ", 150, 24), c_" + cs.name + " = CONCAT(SUBSTRING(t_" + cs.name + ", 200, 20), '  ')";
  }
  server.Execute(update + " WHERE id = " + std::to_string(id));
}

std::vector<std::string> ColumnNames() {
  std::vector<std::string> names;
  for (const Charset& cs : Charsets()) {
    names.push_back(std::string("t_") + cs.name);
    names.push_back(std::string("v_") + cs.name);
    names.push_back(std::string("c_") + cs.name);
  }
  return names;
}

// id -> the server's UTF-8 of every column (nullopt: NULL).
std::map<int, std::vector<std::optional<std::string>>> Select(MariaDBServer& server, const std::string& where) {
  std::string sql = "SELECT id";
  for (const std::string& c : ColumnNames()) sql += ", HEX(CONVERT(" + c + " USING utf8mb4))";
  std::map<int, std::vector<std::optional<std::string>>> rows;
  for (auto& row : server.Query(sql + " FROM shop.charsets WHERE " + where + " ORDER BY id")) {
    int id = std::stoi(*row[0]);
    for (size_t i = 1; i < row.size(); ++i) rows[id].push_back(row[i] ? std::optional(Unhex(*row[i])) : std::nullopt);
  }
  return rows;
}

void CheckImage(const json& image, const std::vector<std::optional<std::string>>& want, const std::string& where) {
  auto names = ColumnNames();
  for (size_t i = 0; i < names.size(); ++i) {
    INFO(where << " column " << names[i]);
    REQUIRE(image.contains(names[i]));
    if (!want[i]) {
      CHECK(image[names[i]].is_null());
      continue;
    }
    REQUIRE(image[names[i]].is_string());
    std::string got = image[names[i]].get<std::string>();
    size_t at = 0;
    while (at < got.size() && at < want[i]->size() && got[at] == (*want[i])[at]) ++at;
    INFO("lengths " << got.size() << " vs " << want[i]->size() << ", first difference at byte " << at << ": weft '"
                    << got.substr(at, 12) << "' server '" << want[i]->substr(at, 12) << "'");
    CHECK(got == *want[i]);
  }
}

}  // namespace

TEST_CASE("every character set: binlog values equal the server's CONVERT(col USING utf8mb4)") {
  MariaDBServer server;
  REQUIRE_MESSAGE(server.Start(), server.error());
  server.Execute("CREATE DATABASE shop");
  server.Execute(CreateTable("charsets"));
  InsertAll(server, "charsets", 1);
  server.Execute("INSERT INTO shop.charsets (id) VALUES (2)");  // NULL everywhere

  std::string dir = MakeTempDir("weft-charsets-");
  std::string config = WriteSourceConfig(dir, server.port(), "shop");
  WeftProcess tail;
  REQUIRE(tail.Start({"tail", "-c", config, "--source", "shop", "--from", "snapshot"}, dir));
  auto lines = WaitForLines(tail, 2);
  REQUIRE_MESSAGE(lines.size() == 2, tail.Stderr());
  auto snapshot = Select(server, "id < 100");
  for (const auto& line : lines) {
    json r = ParseRecord(line);
    int id = r["after"]["id"].get<int>();
    CheckImage(r["after"], snapshot.at(id), "snapshot row " + std::to_string(id));
  }

  REQUIRE(WaitForStderr(tail, "streaming binlog from"));
  InsertAll(server, "charsets", 101);  // c, then u (the VARCHAR slices)
  auto inserted = Select(server, "id > 100");
  std::string reverse = "UPDATE shop.charsets SET ";
  for (const std::string& c : ColumnNames()) reverse += (c == ColumnNames()[0] ? "" : ", ") + c + " = REVERSE(" + c + ")";
  server.Execute(reverse + " WHERE id = 101");
  auto reversed = Select(server, "id > 100");
  server.Execute("DELETE FROM shop.charsets WHERE id = 101");
  lines = WaitForLines(tail, 2 + 4, 60000);
  CHECK(StopTail(tail) == 0);
  REQUIRE_MESSAGE(lines.size() == 6, tail.Stderr());

  json c = ParseRecord(lines[2]), u1 = ParseRecord(lines[3]), u2 = ParseRecord(lines[4]), d = ParseRecord(lines[5]);
  REQUIRE(c["op"] == "c");
  REQUIRE(u1["op"] == "u");
  REQUIRE(u2["op"] == "u");
  REQUIRE(d["op"] == "d");
  CheckImage(u1["after"], inserted.at(101), "after the slices");  // the inserted row, VARCHARs/CHARs filled
  CheckImage(u2["before"], inserted.at(101), "update before");
  CheckImage(u2["after"], reversed.at(101), "update after");
  CheckImage(d["before"], reversed.at(101), "delete");
  // The INSERT image: MEDIUMTEXTs as inserted, VARCHARs and CHARs NULL.
  auto names = ColumnNames();
  auto as_inserted = inserted.at(101);
  for (size_t i = 0; i < names.size(); ++i) {
    if (names[i][0] != 't') as_inserted[i] = std::nullopt;
  }
  CheckImage(c["after"], as_inserted, "insert");
  // Not vacuous: the server's answers hold real non-ASCII text and its '?' for unmapped characters.
  auto t = [&](const char* cs) { return *inserted.at(101)[std::find(names.begin(), names.end(), std::string("t_") + cs) - names.begin()]; };
  CHECK(t("cp1251").find("Ђ") != std::string::npos);
  CHECK(t("gbk").find("你") != std::string::npos);
  CHECK(t("sjis").find("あ") != std::string::npos);
  CHECK(t("ascii").find("?") != std::string::npos);
  RemoveTree(dir);
}

TEST_CASE("a view over columns in every character set: snapshot, then streaming, verifies with no differences") {
  MariaDBServer server;
  REQUIRE_MESSAGE(server.Start(), server.error());
  CreateSeedSchema(server);
  server.Execute(CreateTable("charsets"));
  // ENUM/SET names are in the column's character set in the table map, too.
  server.Execute("ALTER TABLE shop.charsets ADD COLUMN e_cp1251 ENUM('Привет', 'Мир') CHARACTER SET cp1251, "
                 "ADD COLUMN s_gbk SET('你', '好', '吗') CHARACTER SET gbk, "
                 "ADD COLUMN e_sjis ENUM('あ', 'ア', '\\\\') CHARACTER SET sjis");
  InsertAll(server, "charsets", 1);
  server.Execute("INSERT INTO shop.charsets (id, t_cp1251, t_gbk, t_koi8r) VALUES "
                 "(2, _utf8mb4 'Привет', _utf8mb4 '你好', _utf8mb4 'Привет')");

  std::string dir = MakeTempDir("weft-charsets-view-");
  SeedConfigOptions options;
  options.extra = "[[views]]\nname = \"charsets_view\"\nsource = \"shop\"\nroot = \"charsets\"\nsink = \"local\"\n"
                  "collection = \"charsets\"\n";
  std::string config = WriteSeedConfig(dir, server, options);
  WeftProcess weft;
  REQUIRE(weft.Start({"run", "-c", config}, dir));
  REQUIRE_MESSAGE(weft.WaitForLog("snapshot done:", 60000), weft.Stderr());

  InsertAll(server, "charsets", 101);
  server.Execute("INSERT INTO shop.charsets (id, t_cp1251, v_euckr, t_big5, e_cp1251, s_gbk, e_sjis) VALUES "
                 "(102, _utf8mb4 'Привет', _utf8mb4 '한글', _utf8mb4 '你好', 'Мир', '你,吗', 'ア')");
  server.Execute("UPDATE shop.charsets SET e_sjis = 3 WHERE id = 1");
  server.Execute("UPDATE shop.charsets SET t_latin2 = REVERSE(t_latin2), v_sjis = _utf8mb4 'あいう' WHERE id = 1");
  server.Execute("UPDATE shop.charsets SET t_gbk = _utf8mb4 '再见' WHERE id = 2");
  server.Execute("DELETE FROM shop.charsets WHERE id = 101");
  InsertAll(server, "charsets", 103);

  WeftResult verify = VerifyEventually(config, 60);
  CHECK_MESSAGE(verify.exit_code == 0, verify.out << verify.err << "\nweft log:\n" << weft.Stderr());
  CHECK_MESSAGE(verify.out.find("charsets_view -> local/charsets: 4 expected, 4 stored: equal") != std::string::npos,
                verify.out);
  auto docs = ReadSqliteDocs(dir + "/docs.db", "charsets");
  REQUIRE(docs.count("102") == 1);
  CHECK(docs["102"].find("Привет") != std::string::npos);
  CHECK(docs["102"].find("한글") != std::string::npos);
  CHECK(docs["102"].find("\"Мир\"") != std::string::npos);
  CHECK(docs["102"].find("\"你,吗\"") != std::string::npos);
  CHECK(docs["102"].find("\"ア\"") != std::string::npos);
  CHECK(docs["2"].find("再见") != std::string::npos);
  CHECK(QuerySqliteInt(dir + "/state.db", "SELECT COUNT(*) FROM dead_letters") == 0);
  weft.Signal(SIGTERM);
  CHECK(weft.Wait(10000) == 0);
  RemoveTree(dir);
}
