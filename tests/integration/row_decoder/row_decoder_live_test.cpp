// The row decoder against a live MariaDB: every column type and edge value is written, updated and
// deleted, the binlog is read back, and every decoded value must equal what SELECT returns.
// With WEFT_RECORD_FIXTURES=1 the recording goes to tests/data/binlog/ (the committed fixtures the
// unit tests decode offline); otherwise to a temp dir that is removed afterwards.
#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>

#include "integration/harness/mariadb_server.h"
#include "integration/row_decoder/fixture_recorder.h"
#include "unit/source_mysql/fixture_check.h"

using namespace weft::test;
namespace fx = weft::test::binlog_fixture;

namespace {

// Every byte value, for latin1 and binary columns.
std::string AllBytesHex(int from) {
  std::string hex;
  const char* d = "0123456789ABCDEF";
  for (int b = from; b < 256; ++b) hex += {d[b >> 4], d[b & 15]};
  return hex;
}

std::string SetMembers64() {
  std::string s;
  for (int i = 0; i < 64; ++i) s += (i ? ",'m" : "'m") + std::to_string(i) + "'";
  return s;
}

void RecordTypes(FixtureRecorder& r) {
  r.Setup("CREATE DATABASE fx");
  // YEAR and BIT sit before unsigned columns: a wrong idea of which columns own a signedness bit
  // shifts every later column's signedness and fails the comparison.
  r.Setup("CREATE TABLE fx.ints (id INT PRIMARY KEY, y YEAR, b1 BIT(1), t TINYINT, tu TINYINT UNSIGNED, "
          "s SMALLINT, su SMALLINT UNSIGNED, m MEDIUMINT, mu MEDIUMINT UNSIGNED, i INT, iu INT UNSIGNED, "
          "b BIGINT, bu BIGINT UNSIGNED, b10 BIT(10), b64 BIT(64))");
  r.Table("types", "fx", "ints");
  r.Step("ints", "INSERT INTO fx.ints VALUES "
                 "(1, 1901, 0, -128, 0, -32768, 0, -8388608, 0, -2147483648, 0, -9223372036854775808, 0, 0, 0),"
                 "(2, 2155, 1, 127, 255, 32767, 65535, 8388607, 16777215, 2147483647, 4294967295, "
                 "  9223372036854775807, 18446744073709551615, b'1111111111', b'" + std::string(64, '1') + "'),"
                 "(3, 0, NULL, -1, 1, -1, 1, -1, 1, -1, 1, -1, 1, b'1010101010', 1),"
                 "(4, 2024, 1, 0, 128, 0, 32768, 0, 8388608, 0, 2147483648, 0, 9223372036854775808, 512, "
                 "  x'8000000000000001')");
  r.Step("ints", "UPDATE fx.ints SET bu = bu - 1, t = 5, y = 1999 WHERE id = 2");
  r.Step("ints", "DELETE FROM fx.ints WHERE id = 3");

  r.Setup("CREATE TABLE fx.decimals (id INT PRIMARY KEY, d65 DECIMAL(65,30), d10 DECIMAL(10,2), "
          "d5 DECIMAL(5,0), d11 DECIMAL(1,1), d18 DECIMAL(18,9), d650 DECIMAL(65,0), du DECIMAL(12,4) UNSIGNED, "
          "f FLOAT, dbl DOUBLE)");
  r.Table("types", "fx", "decimals");
  std::string nines35(35, '9'), nines30(30, '9'), nines65(65, '9');
  r.Step("decimals", "INSERT INTO fx.decimals VALUES "
                     "(1, " + nines35 + "." + nines30 + ", 12345678.99, 99999, 0.9, 123456789.123456789, " + nines65 +
                     ", 12345678.1234, 3.402823e38, 1.7976931348623157e308),"
                     "(2, -" + nines35 + "." + nines30 + ", -12.50, -99999, -0.9, -0.000000001, -" + nines65 +
                     ", 0, -1.5e-10, 2.2250738585072014e-308),"
                     "(3, 0, 0, 0, 0, 0, 0, 0, 0, 0),"
                     "(4, -0.000000000000000000000000000001, 0.01, -1, -0.1, 1.5, 1, 0.0001, 3.14, 0.1),"
                     "(5, 12345678901234567890123456789012345.123456789012345678901234567890, -0.5, 10, 0.5, "
                     "  -999999999.999999999, 100000000000000000000000000000000000000000000000000000000000000, "
                     "  99999999.9999, 16777217, 123456789.123456789),"
                     "(6, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)");
  r.Step("decimals", "UPDATE fx.decimals SET d10 = d10 * -1, d65 = -d65 WHERE id IN (1, 4)");
  r.Step("decimals", "DELETE FROM fx.decimals WHERE id = 5");

  r.Setup("CREATE TABLE fx.temporals (id INT PRIMARY KEY, d DATE, dt0 DATETIME, dt1 DATETIME(1), dt2 DATETIME(2), "
          "dt3 DATETIME(3), dt4 DATETIME(4), dt5 DATETIME(5), dt6 DATETIME(6), ts0 TIMESTAMP NULL, "
          "ts1 TIMESTAMP(1) NULL, ts2 TIMESTAMP(2) NULL, ts3 TIMESTAMP(3) NULL, ts4 TIMESTAMP(4) NULL, "
          "ts5 TIMESTAMP(5) NULL, ts6 TIMESTAMP(6) NULL, t0 TIME, t1 TIME(1), t2 TIME(2), t3 TIME(3), "
          "t4 TIME(4), t5 TIME(5), t6 TIME(6), y YEAR)");
  r.Table("types", "fx", "temporals");
  auto dts = [](const std::string& v) { std::string s; for (int i = 0; i < 7; ++i) s += "'" + v + "', "; return s; };
  auto tms = [](const std::string& v) { std::string s; for (int i = 0; i < 7; ++i) s += "'" + v + "', "; return s; };
  r.Step("temporals", "INSERT INTO fx.temporals VALUES "
                      "(1, '1000-01-01', " + dts("1000-01-01 00:00:00") + dts("1970-01-01 00:00:01") +
                      tms("-838:59:59") + "1901),"
                      "(2, '9999-12-31', " + dts("9999-12-31 23:59:59.999999") + dts("2038-01-19 03:14:07.999999") +
                      tms("838:59:59.999999") + "2155),"
                      "(3, '0000-00-00', " + dts("0000-00-00 00:00:00") + dts("0000-00-00 00:00:00") +
                      tms("00:00:00") + "0),"
                      "(4, '2024-02-29', " + dts("2024-02-29 12:34:56.789012") + dts("2024-02-29 12:34:56.789012") +
                      tms("-12:34:56.789012") + "2024),"
                      "(5, '2000-01-01', " + dts("2000-01-01 00:00:00.05") + dts("2000-01-01 00:00:00.05") +
                      tms("-00:00:00.5") + "2000),"
                      "(6, '1999-12-31', " + dts("1999-12-31 23:59:59.000001") + dts("1999-12-31 23:59:59.000001") +
                      tms("-00:00:00.000001") + "1999),"
                      "(7, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, "
                      "  NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),"
                      "(8, '2024-01-01', " + dts("2024-01-01 10:00:00.1") + dts("2024-01-01 10:00:00.1") +
                      tms("-1:00:00.1") + "2024)");
  // TIMESTAMP is stored in UTC: written in +05:30, SELECT (in +00:00) and the decoder must agree.
  r.Step("temporals", "UPDATE fx.temporals SET ts6 = '2024-06-30 23:59:59.123456', ts0 = '2024-06-30 01:00:00', "
                      "t6 = '-838:59:59.000000', t3 = '-0:0:1.001' WHERE id = 4", "FULL",
         "SET SESSION time_zone='+05:30';");
  r.Step("temporals", "DELETE FROM fx.temporals WHERE id IN (5, 6)");

  // Strings: a GEOMETRY column between character columns (it owns no charset entry), CHAR(255)
  // utf8mb4 (1020 bytes: 2-byte length and the high length bits in the type byte), VARCHAR(300)
  // (2-byte length), latin1 (every byte 0x20-0xFF), utf16/ucs2/utf32.
  r.Setup("CREATE TABLE fx.strings (id INT PRIMARY KEY, c CHAR(10), vc VARCHAR(20), g POINT NULL, "
          "l1 VARCHAR(250) CHARACTER SET latin1, lc CHAR(5) CHARACTER SET latin1, c255 CHAR(255), "
          "v300 VARCHAR(300), tt TINYTEXT, tx TEXT, mt MEDIUMTEXT, lt LONGTEXT, "
          "u16 VARCHAR(10) CHARACTER SET utf16, ucs VARCHAR(10) CHARACTER SET ucs2, "
          "u32 VARCHAR(10) CHARACTER SET utf32, u8 VARCHAR(10) CHARACTER SET utf8mb3, "
          "asci VARCHAR(10) CHARACTER SET ascii)");
  r.Table("types", "fx", "strings");
  std::string latin1_all = "CONVERT(x'" + AllBytesHex(0x20) + "' USING latin1)";
  r.Step("strings", "INSERT INTO fx.strings VALUES "
                    "(1, 'ab  ', 'héllo 😀', ST_GeomFromText('POINT(1 2)'), " + latin1_all + ", 'é€', "
                    "  REPEAT('😀', 255), REPEAT('ü', 300), 'tiny 😀', 'text\\n\"q\"\\\\', 'medium', "
                    "  '𝄞 long', 'a😀b', 'é€', '😀z', 'ü€', 'ascii'),"
                    "(2, '', '', NULL, '', '', '', '', '', '', '', '', '', '', '', '', ''),"
                    "(3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),"
                    "(4, ' lead', 'x', ST_GeomFromText('POINT(-1.5 1e10)'), 'Ÿ', 'ab', 'end ', 'tab\\there', "
                    "  '\\0nul', 'é', 'ÿ', '汉字', '😀', 'ÿ', '😀', 'x', 'y')");
  r.Step("strings", "UPDATE fx.strings SET vc = 'changed', l1 = 'caf\\xE9' WHERE id = 2");
  r.Step("strings", "DELETE FROM fx.strings WHERE id = 4");

  r.Setup("CREATE TABLE fx.binaries (id INT PRIMARY KEY, b BINARY(8), vb VARBINARY(300), tb TINYBLOB, bl BLOB, "
          "mb MEDIUMBLOB, lb LONGBLOB)");
  r.Table("types", "fx", "binaries");
  r.Step("binaries", "INSERT INTO fx.binaries VALUES "
                     "(1, x'0102', x'" + AllBytesHex(0) + "', x'00', x'FF00FF', x'0A0B', x'" +
                     AllBytesHex(0) + "'),"
                     "(2, '', '', '', '', '', ''),"
                     "(3, NULL, NULL, NULL, NULL, NULL, NULL),"
                     "(4, x'0000000000000000', x'00', x'0000', 'text', 'x', x'00'),"
                     "(5, x'FFFFFFFFFFFFFFFF', 'a', 'b', 'c', 'd', 'e')");
  r.Step("binaries", "UPDATE fx.binaries SET b = x'41', bl = NULL WHERE id = 1");
  r.Step("binaries", "DELETE FROM fx.binaries WHERE id = 5");

  // Values over 64 KiB: the 3-byte length prefix of MEDIUMTEXT/MEDIUMBLOB (recorded as
  // "length:CRC32" to keep the fixture small).
  r.Setup("CREATE TABLE fx.big_values (id INT PRIMARY KEY, mt MEDIUMTEXT, mb MEDIUMBLOB)");
  r.Table("types", "fx", "big_values", {{"mt", {"CONCAT(LENGTH(mt), ':', CRC32(mt))", "len_crc32"}},
                                        {"mb", {"CONCAT(LENGTH(mb), ':', CRC32(mb))", "len_crc32"}}});
  r.Step("big_values", "INSERT INTO fx.big_values VALUES (1, CONCAT(REPEAT('ü', 40000), '😀'), REPEAT(x'AB', 70000))");

  r.Setup("CREATE TABLE fx.enums (id INT PRIMARY KEY, e ENUM('a','b','c''q','ü'), s SET('x','y','z'), "
          "el ENUM('é','ß') CHARACTER SET latin1, s64 SET(" + SetMembers64() + "), e2 ENUM(" +
          [] { std::string s; for (int i = 0; i < 300; ++i) s += (i ? ",'v" : "'v") + std::to_string(i) + "'"; return s; }() +
          "))");
  r.Table("types", "fx", "enums");
  r.Step("enums", "INSERT INTO fx.enums VALUES (1, 'a', '', 'é', 'm0', 'v0'), (2, 'ü', 'x,z', 'ß', 'm0,m63', 'v299'), "
                  "(3, 'c''q', 'x,y,z', NULL, '', 'v255'), (4, NULL, NULL, NULL, NULL, NULL), "
                  "(5, 'nope', 'y', 'é', 'm31,m32', 'v1')");
  r.Step("enums", "UPDATE fx.enums SET e = 'b', s = 'y,z' WHERE id = 1");
  r.Step("enums", "DELETE FROM fx.enums WHERE id = 3");

  r.Setup("CREATE TABLE fx.geo (id INT PRIMARY KEY, p POINT, poly POLYGON, g GEOMETRY, ls LINESTRING NULL)");
  r.Table("types", "fx", "geo");
  r.Step("geo", "INSERT INTO fx.geo VALUES "
                "(1, ST_GeomFromText('POINT(1 2)'), ST_GeomFromText('POLYGON((0 0,10 0,10 10,0 10,0 0),(2 2,3 2,3 3,2 2))'), "
                "  ST_GeomFromText('LINESTRING(0 0,1 1)', 4326), ST_GeomFromText('LINESTRING(0 0,1 1,2 0)')),"
                "(2, ST_GeomFromText('POINT(-180 90)', 4326), ST_GeomFromText('POLYGON((0 0,1 0,1 1,0 0))'), "
                "  ST_GeomFromText('GEOMETRYCOLLECTION(POINT(1 1),LINESTRING(0 0,1 1))'), NULL)");
  r.Step("geo", "UPDATE fx.geo SET p = ST_GeomFromText('POINT(3 4)') WHERE id = 1");
  r.Step("geo", "DELETE FROM fx.geo WHERE id = 2");

  r.Setup("CREATE TABLE fx.json_t (id INT PRIMARY KEY, j JSON, note VARCHAR(10))");
  r.Table("types", "fx", "json_t");
  r.Step("json_t", "INSERT INTO fx.json_t VALUES (1, '{\"a\": 1, \"b\": [true, null, \"x\\\\\"y\"]}', 'n'), "
                   "(2, '[]', ''), (3, '\"😀\"', NULL), (4, NULL, 'x'), (5, '{\"n\":1.50,\"big\":18446744073709551615}', 'y')");
  r.Step("json_t", "UPDATE fx.json_t SET j = JSON_SET(j, '$.a', 2) WHERE id = 1");
  r.Step("json_t", "DELETE FROM fx.json_t WHERE id = 2");

  // Composite key in non-declaration order, and a table without a primary key.
  r.Setup("CREATE TABLE fx.composite (a INT, b VARCHAR(10), id INT UNIQUE, PRIMARY KEY (b, a))");
  r.Table("types", "fx", "composite");
  r.Step("composite", "INSERT INTO fx.composite VALUES (1, 'x', 1), (2, 'x', 2)");
  r.Step("composite", "UPDATE fx.composite SET a = 3 WHERE id = 2");
  r.Setup("CREATE TABLE fx.nopk (id INT, v VARCHAR(10))");
  r.Table("types", "fx", "nopk");
  r.Step("nopk", "INSERT INTO fx.nopk VALUES (1, 'a'), (2, 'b')");
  r.Step("nopk", "UPDATE fx.nopk SET v = 'c' WHERE id = 2");
  r.Step("nopk", "DELETE FROM fx.nopk WHERE id = 1");
}

void RecordPartialImages(FixtureRecorder& r) {
  r.Setup("CREATE TABLE fx.minimal (id INT PRIMARY KEY, a INT, b VARCHAR(20), c TEXT, d DATETIME(6), e BLOB)");
  r.Table("partial", "fx", "minimal");
  const std::string minimal = "SET SESSION binlog_row_image='MINIMAL';";
  const std::string noblob = "SET SESSION binlog_row_image='NOBLOB';";
  r.Step("minimal", "INSERT INTO fx.minimal VALUES (1, 10, 'x', 'text', '2024-01-01 00:00:00.5', x'00'), "
                    "(2, 20, NULL, NULL, NULL, NULL)", "MINIMAL", minimal);
  r.Step("minimal", "INSERT INTO fx.minimal (id, a) VALUES (3, 30)", "MINIMAL", minimal);
  r.Step("minimal", "UPDATE fx.minimal SET b = 'y', d = '2025-01-01 00:00:00' WHERE id = 1", "MINIMAL", minimal);
  r.Step("minimal", "UPDATE fx.minimal SET a = NULL WHERE id = 2", "MINIMAL", minimal);
  r.Step("minimal", "DELETE FROM fx.minimal WHERE id = 2", "MINIMAL", minimal);
  r.Step("minimal", "UPDATE fx.minimal SET a = 11 WHERE id = 1", "NOBLOB", noblob);
  r.Step("minimal", "DELETE FROM fx.minimal WHERE id = 3", "NOBLOB", noblob);
}

void RecordCompressed(FixtureRecorder& r) {
  r.Setup("CREATE TABLE fx.compressed (id INT PRIMARY KEY, v VARCHAR(100), t TEXT, n DECIMAL(20,5))");
  r.Table("compressed", "fx", "compressed");
  r.Setup("SET GLOBAL log_bin_compress = ON; SET GLOBAL log_bin_compress_min_len = 10");
  r.Step("compressed", "INSERT INTO fx.compressed VALUES (1, REPEAT('a', 100), REPEAT('compressible ', 200), -1.5), "
                       "(2, 'b', '', NULL)");
  r.Step("compressed", "UPDATE fx.compressed SET v = 'changed', n = 123456789012345.12345 WHERE id = 1");
  r.Step("compressed", "DELETE FROM fx.compressed WHERE id = 2");
  r.Setup("SET GLOBAL log_bin_compress = OFF");
}

void RecordBigBlob(FixtureRecorder& r) {
  r.Setup("CREATE TABLE fx.blob_big (id INT PRIMARY KEY, b LONGBLOB, t VARCHAR(10))");
  // 1 MiB + 5 bytes: every byte value repeated, then a tail; recorded as "length:CRC32" (MariaDB's
  // CRC32() is the zlib CRC the decoder side computes) instead of 2 MB of hex.
  r.Table("blob_1mb", "fx", "blob_big", {{"b", {"CONCAT(LENGTH(b), ':', CRC32(b))", "len_crc32"}}});
  r.Step("blob_big", "INSERT INTO fx.blob_big VALUES (1, CONCAT(REPEAT(x'" + AllBytesHex(0) +
                         "', 4096), 'tail!'), 'big'), (2, x'00', 'small')");
}

void RecordOldTemporal(FixtureRecorder& r) {
  // MariaDB 5.3-format temporals (mysql56_temporal_format=OFF). Only fsp 0: the fractional 5.3
  // formats carry no fsp in the table map and cannot be decoded from the binlog alone.
  r.Setup("SET GLOBAL mysql56_temporal_format = OFF; "
          "CREATE TABLE fx.old_temporal (id INT PRIMARY KEY, dt DATETIME, ts TIMESTAMP NULL, t TIME); "
          "SET GLOBAL mysql56_temporal_format = ON");
  r.Table("old_temporal", "fx", "old_temporal");
  r.Step("old_temporal", "INSERT INTO fx.old_temporal VALUES (1, '2024-01-02 03:04:05', '2024-01-02 03:04:05', "
                         "'-12:34:56'), (2, '9999-12-31 23:59:59', '2038-01-19 03:14:07', '838:59:59'), "
                         "(3, '0000-00-00 00:00:00', '1970-01-01 00:00:01', '-838:59:59'), (4, NULL, NULL, NULL)");
  r.Step("old_temporal", "UPDATE fx.old_temporal SET t = '00:00:00', ts = '2000-01-01 00:00:00' WHERE id = 1");
}

}  // namespace

TEST_CASE("row decoder: every type decodes to what SELECT returns (live MariaDB; records fixtures on request)") {
  MariaDBServer server;
  REQUIRE_MESSAGE(server.Start(), server.error());
  bool record = std::getenv("WEFT_RECORD_FIXTURES") && std::string(std::getenv("WEFT_RECORD_FIXTURES")) == "1";
  std::string dir = record ? std::string(WEFT_SOURCE_DIR) + "/tests/data/binlog" : MakeTempDir("weft-binlog-fixtures-");
  std::filesystem::create_directories(dir);

  FixtureRecorder recorder(&server);
  RecordTypes(recorder);
  RecordPartialImages(recorder);
  RecordCompressed(recorder);
  RecordBigBlob(recorder);
  RecordOldTemporal(recorder);
  std::string error;
  REQUIRE_MESSAGE(recorder.Write(dir, &error), error << "\n" << server.LogTail());
  if (record) MESSAGE("recorded fixtures into " << dir);

  for (const char* name : {"types.json", "partial.json", "compressed.json", "blob_1mb.json", "old_temporal.json"}) {
    CAPTURE(name);
    fx::Fixture f = fx::DecodeAndCheck(dir, name);
    CHECK(f.compared_values > 0);
  }
  if (!record) RemoveTree(dir);
}
