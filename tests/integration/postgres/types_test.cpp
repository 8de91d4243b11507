// Every PostgreSQL type family both ways: a row read by the snapshot and the same values streamed
// by pgoutput render identically, and each rendered value matches the server's own text output of
// that column (the JSON form documented in source/postgres/decode/text_value.h). Then unchanged
// TOAST: an update that does not touch a large value keeps it in the document.
#include <doctest/doctest.h>
#include <signal.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "change/value.h"
#include "integration/harness/seed_fixture.h"
#include "integration/harness/weft_process.h"
#include "integration/postgres/pg_fixture.h"

using namespace weft::test;

namespace {

const char* kTypedTable = R"(
CREATE TYPE mood AS ENUM ('sad', 'happy');
CREATE DOMAIN positive_int AS integer CHECK (VALUE > 0);
CREATE TABLE typed (
  id int PRIMARY KEY, i2 smallint, i4 integer, i8 bigint, num numeric(40,20), num_nan numeric, f4 real,
  f8 double precision, f8_nan double precision, f8_inf double precision, b boolean, t text, vc varchar(10),
  ch char(5), by bytea, u uuid, d date, d_bc date, tm time(6), ttz timetz, ts timestamp(3), ts_inf timestamp,
  tstz timestamptz, iv interval, js json, jb jsonb, arr integer[], tarr text[], e mood, ip inet, net cidr,
  mac macaddr, m money, dom positive_int, nul text, big text);
INSERT INTO typed VALUES (1, -32768, 2147483647, -9223372036854775808, 12345678901234567890.12345678901234567890,
  'NaN', 3.14, 0.1, 'NaN', '-Infinity', true, 'héllo "q" \ back', 'varchar', 'ab', '\x0001ff',
  'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '2024-02-29', '0044-03-15 BC', '10:20:30.123456', '10:20:30+02',
  '2024-01-02 03:04:05.678', 'infinity', '2024-01-02 03:04:05.678+02', '1 year 2 months 3 days 04:05:06',
  '{"a": [1, 2],  "b": null}', '{"z": 1, "a": {"n": [true, 2.5]}}', '{1,NULL,3}', '{"a b","c\"d",NULL}', 'happy',
  '192.168.0.1/24', '10.0.0.0/8', '08:00:2b:01:02:03', 12.34, 5, NULL,
  (SELECT string_agg(md5(g::text), '') FROM generate_series(1, 400) g));
)";

std::string JsonString(const std::string& text) {
  std::string out;
  weft::change::AppendJsonString(text, &out);
  return out;
}

// The raw "after" object of a tail line (it is the line's last field).
std::string AfterOf(const std::string& line) {
  size_t at = line.find("\"after\":");
  REQUIRE(at != std::string::npos);
  size_t end = line.find(",\"patch\":", at);
  if (end == std::string::npos) end = line.size() - 1;
  return line.substr(at + 8, end - at - 8);
}

std::string LineOf(const std::string& out, const std::string& op, int id) {
  size_t at = 0;
  std::string op_text = "{\"op\":\"" + op + "\"";
  std::string key = "\"key\":{\"id\":" + std::to_string(id) + "}";
  while (at < out.size()) {
    size_t end = out.find('\n', at);
    if (end == std::string::npos) end = out.size();
    std::string line = out.substr(at, end - at);
    if (line.rfind(op_text, 0) == 0 && line.find(key) != std::string::npos) return line;
    at = end + 1;
  }
  return "";
}

}  // namespace

TEST_CASE("postgresql types: snapshot and stream render each value identically, as the server prints it") {
  PostgresServer server;
  StartShop(server);
  CreatePgSeedSchema(server);  // the config's order view reads them
  server.Execute(std::string("SET ROLE weft;\n") + kTypedTable);
  std::string dir = MakeTempDir("weft-pg-types-");
  std::string config = WritePgSeedConfig(dir, server, "tables = [\"typed\"]\n",
                                         "[[views]]\nname = \"typed_view\"\nsource = \"shop\"\nroot = \"typed\"\n"
                                         "sink = \"local\"\n");
  WeftProcess tail;
  REQUIRE(tail.Start({"tail", "-c", config, "--source", "shop", "--from", "snapshot"}, dir));
  REQUIRE_MESSAGE(tail.WaitForLog("streaming slot", 20000), tail.Stderr());
  server.Execute(
      "INSERT INTO typed SELECT 2, i2, i4, i8, num, num_nan, f4, f8, f8_nan, f8_inf, b, t, vc, ch, by, u, d, "
      "d_bc, tm, ttz, ts, ts_inf, tstz, iv, js, jb, arr, tarr, e, ip, net, mac, m, dom, nul, big FROM typed "
      "WHERE id = 1");
  server.Execute("UPDATE typed SET i4 = 7 WHERE id = 2");  // `big` is TOASTed and unchanged
  std::string out;
  for (int i = 0; i < 100 && LineOf(out, "u", 2).empty(); ++i, usleep(100000)) out = tail.Stdout();
  tail.Signal(SIGTERM);
  CHECK(tail.Wait(10000) == 0);

  std::string snap = LineOf(out, "r", 1), streamed = LineOf(out, "c", 2), updated = LineOf(out, "u", 2);
  REQUIRE_MESSAGE(!snap.empty(), out << tail.Stderr());
  REQUIRE_MESSAGE(!streamed.empty(), out << tail.Stderr());
  REQUIRE_MESSAGE(!updated.empty(), out << tail.Stderr());
  std::string a = AfterOf(snap), b = AfterOf(streamed);
  REQUIRE(a.rfind("{\"id\":1,", 0) == 0);
  REQUIRE(b.rfind("{\"id\":2,", 0) == 0);
  CHECK(a.substr(7) == b.substr(7));  // identical both ways

  // Each value against the server's own text output of the column (same session settings).
  auto text = [&](const std::string& column) {
    return server.QueryValue("SELECT " + column + " FROM typed WHERE id = 1");  // the column's output function
  };
  std::vector<std::pair<std::string, std::string>> expected = {
      {"i2", text("i2")},
      {"i4", text("i4")},
      {"i8", text("i8")},
      {"num", text("num")},
      {"num_nan", JsonString(text("num_nan"))},
      {"f4", text("f4")},
      {"f8", text("f8")},
      {"f8_nan", "null"},
      {"f8_inf", "null"},  // JSON has no NaN/Infinity (the value keeps them)
      {"b", "true"},
      {"t", JsonString(text("t"))},
      {"vc", JsonString(text("vc"))},
      {"ch", JsonString(text("ch"))},
      {"by", JsonString(weft::change::Base64Encode(std::string("\x00\x01\xff", 3)))},
      {"u", JsonString(text("u"))},
      {"d", JsonString(text("d"))},
      {"d_bc", JsonString(text("d_bc"))},
      {"tm", JsonString(text("tm"))},
      {"ttz", JsonString(text("ttz"))},
      {"ts", JsonString(text("ts"))},
      {"ts_inf", JsonString(text("ts_inf"))},
      {"tstz", JsonString(text("tstz").substr(0, text("tstz").size() - 3))},  // UTC, without "+00"
      {"iv", JsonString(text("iv"))},
      {"js", text("js")},
      {"jb", text("jb")},
      {"arr", "[1,null,3]"},
      {"tarr", "[\"a b\",\"c\\\"d\",null]"},
      {"e", JsonString(text("e"))},
      {"ip", JsonString(text("ip"))},
      {"net", JsonString(text("net"))},
      {"mac", JsonString(text("mac"))},
      {"m", "12.34"},
      {"dom", text("dom")},
      {"nul", "null"},
      {"big", JsonString(text("big"))},
  };
  CHECK(text("tstz") == "2024-01-02 01:04:05.678+00");
  CHECK(text("iv") == "P1Y2M3DT4H5M6S");
  for (const auto& [column, value] : expected) {
    std::string fragment = "\"" + column + "\":" + value;
    CHECK_MESSAGE(a.find(fragment) != std::string::npos, column << ": expected " << fragment << " in " << a);
  }
  // The unchanged TOAST value is not in the update's after image (pgoutput sent no data for it)...
  CHECK(AfterOf(updated).find("\"big\":") == std::string::npos);
  CHECK(AfterOf(updated).find("\"i4\":7") != std::string::npos);

  // ...and `weft run` keeps it in the document from the row its state holds.
  WeftProcess run;
  REQUIRE(run.Start({"run", "-c", config}, dir));
  REQUIRE_MESSAGE(run.WaitForLog("streaming slot", 20000), run.Stderr());
  server.Execute("UPDATE typed SET i4 = 8, t = 'changed' WHERE id = 1");
  WeftResult verify = VerifyEventually(config, 30);
  CHECK_MESSAGE(verify.exit_code == 0, verify.out << verify.err << run.Stderr());
  auto docs = ReadSqliteDocs(dir + "/docs.db", "typed_view");
  REQUIRE(docs.count("1"));
  CHECK(docs["1"].find("\"t\":\"changed\"") != std::string::npos);
  CHECK(docs["1"].find("\"big\":" + JsonString(text("big"))) != std::string::npos);
  run.Signal(SIGTERM);
  CHECK(run.Wait(10000) == 0);
  RemoveTree(dir);
}
