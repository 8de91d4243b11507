// Offsets resume exactly; snapshot-then-stream has no gap and no duplicate under concurrent
// writes; a server restart costs nothing; a purged position gives the documented error.
#include <doctest/doctest.h>
#include <signal.h>

#include <atomic>
#include <map>
#include <random>
#include <thread>

#include "integration/source/source_util.h"

using namespace weft::test;
using nlohmann::json;

namespace {

std::vector<std::string> TailAll(const std::string& config, const std::string& from, const std::string& dir,
                                 size_t expect, std::string* err = nullptr) {
  WeftProcess tail;
  REQUIRE(tail.Start({"tail", "-c", config, "--source", "shop", "--from", from}, dir));
  auto lines = WaitForLines(tail, expect, 20000);
  // A little longer: a record too many (a repeat) would show up now.
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  lines = CompleteLines(tail.Stdout());
  CHECK(StopTail(tail) == 0);
  if (err) *err = tail.Stderr();
  return lines;
}

}  // namespace

TEST_CASE("resuming from any record's offset continues with exactly the next record") {
  MariaDBServer server;
  REQUIRE_MESSAGE(server.Start(), server.error());
  server.Execute("CREATE DATABASE shop; CREATE TABLE shop.t (id INT PRIMARY KEY, v INT);"
                 "CREATE TABLE shop.other (id INT PRIMARY KEY)");
  std::string dir = MakeTempDir("weft-resume-");
  // Only shop.t is captured: transactions on shop.other still move the offset.
  std::string config = WriteSourceConfig(dir, server.port(), "shop", "root", "", "tables = [\"t\"]\n");

  WeftProcess tail;
  REQUIRE(tail.Start({"tail", "-c", config, "--source", "shop", "--from", "now"}, dir));
  REQUIRE_MESSAGE(WaitForStderr(tail, "streaming binlog from"), tail.Stderr());
  server.Execute("INSERT INTO shop.t VALUES (1, 1)");                                          // 1
  server.Execute("BEGIN; INSERT INTO shop.t VALUES (2, 2), (3, 3), (4, 4); UPDATE shop.t SET v = v * 10 "
                 "WHERE id IN (1, 2); DELETE FROM shop.t WHERE id = 3; INSERT INTO shop.other VALUES (1); COMMIT");  // 6
  server.Execute("INSERT INTO shop.other VALUES (2)");                                         // 0
  server.Execute("INSERT INTO shop.t VALUES (5, 5), (6, 6), (7, 7)");                          // 3
  server.Execute("ALTER TABLE shop.t ADD COLUMN w INT");                                       // 1 (ddl)
  server.Execute("BEGIN; UPDATE shop.t SET w = id; DELETE FROM shop.t WHERE id = 2; COMMIT");  // 6 + 1
  const size_t n = 1 + 6 + 3 + 1 + 7;
  auto all = WaitForLines(tail, n);
  CHECK(StopTail(tail) == 0);
  REQUIRE_MESSAGE(all.size() == n, tail.Stderr());

  // From every record, including those in the middle of a multi-row transaction.
  for (size_t k = 0; k < n; ++k) {
    std::string offset = ParseRecord(all[k])["offset"];
    CAPTURE(k);
    CAPTURE(offset);
    auto rest = TailAll(config, offset, dir, n - k - 1);
    std::vector<std::string> want(all.begin() + static_cast<long>(k) + 1, all.end());
    CHECK(rest == want);
  }
  // From the last one, only what happens next arrives.
  WeftProcess last;
  REQUIRE(last.Start({"tail", "-c", config, "--source", "shop", "--from", ParseRecord(all.back())["offset"]}, dir));
  REQUIRE(WaitForStderr(last, "streaming binlog from"));
  server.Execute("INSERT INTO shop.t VALUES (8, 8, 8)");
  auto next = WaitForLines(last, 1);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  CHECK(StopTail(last) == 0);
  REQUIRE(CompleteLines(last.Stdout()).size() == 1);
  CHECK(ParseRecord(next[0])["after"] == json{{"id", 8}, {"v", 8}, {"w", 8}});
  RemoveTree(dir);
}

TEST_CASE("snapshot then stream: no gap and no duplicate while writes run during the snapshot") {
  MariaDBServer server;
  REQUIRE_MESSAGE(server.Start(), server.error());
  server.Execute("CREATE DATABASE shop; CREATE TABLE shop.acct (id INT PRIMARY KEY, balance INT, note VARCHAR(20));"
                 "INSERT INTO shop.acct SELECT seq, seq, 'initial' FROM shop.seq_1_to_30000");
  std::string dir = MakeTempDir("weft-snapshot-");
  std::string config = WriteSourceConfig(dir, server.port(), "shop");

  std::atomic<bool> stop{false};
  std::atomic<int> writes{0};
  std::thread writer([&] {
    std::mt19937 rng(42);
    int next_id = 30001;
    while (!stop) {
      int id = static_cast<int>(rng() % 30000) + 1;
      std::string sql;
      switch (rng() % 4) {
        case 0: sql = "INSERT INTO shop.acct VALUES (" + std::to_string(next_id++) + ", 0, 'new')"; break;
        case 1: sql = "UPDATE shop.acct SET balance = balance + 1, note = 'upd' WHERE id = " + std::to_string(id); break;
        case 2: sql = "DELETE FROM shop.acct WHERE id = " + std::to_string(id); break;
        default:
          sql = "BEGIN; UPDATE shop.acct SET balance = balance - 5 WHERE id = " + std::to_string(id) +
                "; INSERT INTO shop.acct VALUES (" + std::to_string(next_id++) + ", 5, 'moved'); COMMIT";
      }
      if (server.TryExecute(sql)) ++writes;
    }
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  WeftProcess tail;
  REQUIRE(tail.Start({"tail", "-c", config, "--source", "shop", "--from", "snapshot"}, dir));
  bool snapshot_done = WaitForStderr(tail, "snapshot done", 60000);
  int writes_at_done = writes.load();
  std::this_thread::sleep_for(std::chrono::milliseconds(1000));
  stop = true;
  writer.join();
  REQUIRE_MESSAGE(snapshot_done, tail.Stderr());
  CHECK(writes.load() > writes_at_done);  // writes went on across the snapshot/stream boundary
  server.Execute("INSERT INTO shop.acct VALUES (999999, 0, 'end')");
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (tail.Stdout().find("\"id\":999999") == std::string::npos && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  CHECK(StopTail(tail) == 0);

  std::map<int, json> state;
  size_t reads = 0, changes = 0;
  bool streaming = false;
  for (const auto& line : CompleteLines(tail.Stdout())) {
    json r = ParseRecord(line);
    const std::string op = r["op"];
    if (op == "r") {
      REQUIRE_MESSAGE(!streaming, "a snapshot record after the stream began");
      int id = r["after"]["id"];
      REQUIRE_MESSAGE(state.count(id) == 0, "snapshot read id " << id << " twice");
      state[id] = r["after"];
      ++reads;
      continue;
    }
    streaming = true;
    ++changes;
    int id = op == "d" ? r["before"]["id"].get<int>() : r["after"]["id"].get<int>();
    if (op == "c") {
      REQUIRE_MESSAGE(state.count(id) == 0, "insert of id " << id << " already in the snapshot: a duplicate");
      state[id] = r["after"];
    } else {
      REQUIRE_MESSAGE(state.count(id) == 1, op << " of id " << id << " that the snapshot did not have: a gap");
      REQUIRE_MESSAGE(state[id] == r["before"], "before image of id " << id << " differs from the state: a gap");
      if (op == "u") state[id] = r["after"];
      else state.erase(id);
    }
  }
  CHECK(reads > 29000);
  CHECK(changes > 0);
  auto rows = server.Query("SELECT id, balance, note FROM shop.acct ORDER BY id");
  REQUIRE(rows.size() == state.size());
  for (const auto& row : rows) {
    int id = std::stoi(*row[0]);
    REQUIRE(state.count(id) == 1);
    CHECK(state[id] == json{{"id", id}, {"balance", std::stoi(*row[1])}, {"note", *row[2]}});
  }
  RemoveTree(dir);
}

TEST_CASE("a server restart mid-stream: tail reconnects with back-off and loses or repeats nothing") {
  MariaDBServer server;
  REQUIRE_MESSAGE(server.Start(), server.error());
  server.Execute("CREATE DATABASE shop; CREATE TABLE shop.t (id INT PRIMARY KEY)");
  std::string dir = MakeTempDir("weft-reconnect-");
  std::string config = WriteSourceConfig(dir, server.port(), "shop");
  WeftProcess tail;
  REQUIRE(tail.Start({"tail", "-c", config, "--source", "shop", "--from", "now"}, dir));
  REQUIRE(WaitForStderr(tail, "streaming binlog from"));
  for (int i = 1; i <= 10; ++i) server.Execute("INSERT INTO shop.t VALUES (" + std::to_string(i) + ")");
  REQUIRE(WaitForLines(tail, 10).size() == 10);
  server.Stop();
  REQUIRE_MESSAGE(WaitForStderr(tail, "reconnecting in"), tail.Stderr());
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));  // a few failed attempts
  REQUIRE_MESSAGE(server.StartAgain(), server.error());
  for (int i = 11; i <= 20; ++i) server.Execute("INSERT INTO shop.t VALUES (" + std::to_string(i) + ")");
  auto lines = WaitForLines(tail, 20, 60000);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  lines = CompleteLines(tail.Stdout());
  CHECK(StopTail(tail) == 0);
  REQUIRE_MESSAGE(lines.size() == 20, tail.Stderr());
  for (int i = 0; i < 20; ++i) CHECK(ParseRecord(lines[i])["after"]["id"] == i + 1);
  CHECK(tail.Stderr().find("reconnected; streaming binlog from") != std::string::npos);
  RemoveTree(dir);
}

TEST_CASE("an offset the server no longer has: tail stops with the documented error") {
  MariaDBServer server;
  REQUIRE_MESSAGE(server.Start(), server.error());
  server.Execute("CREATE DATABASE shop; CREATE TABLE shop.t (id INT PRIMARY KEY)");
  std::string dir = MakeTempDir("weft-purged-");
  std::string config = WriteSourceConfig(dir, server.port(), "shop");
  WeftProcess tail;
  REQUIRE(tail.Start({"tail", "-c", config, "--source", "shop", "--from", "now"}, dir));
  REQUIRE(WaitForStderr(tail, "streaming binlog from"));
  server.Execute("INSERT INTO shop.t VALUES (1)");
  auto lines = WaitForLines(tail, 1);
  CHECK(StopTail(tail) == 0);
  REQUIRE(lines.size() == 1);
  const std::string offset = ParseRecord(lines[0])["offset"];

  // Purged: the server refuses the dump (error 1236).
  server.Execute("FLUSH BINARY LOGS");
  server.Execute("INSERT INTO shop.t VALUES (2)");
  server.Execute("FLUSH BINARY LOGS");
  // The stopped tail's dump thread may still hold the old file open, and PURGE skips files in use.
  for (const auto& row : server.Query("SELECT ID FROM information_schema.PROCESSLIST WHERE COMMAND LIKE 'Binlog Dump%'")) {
    server.TryExecute("KILL " + *row[0]);
  }
  // PURGE also keeps files until InnoDB's binlog checkpoint passes them: retry for a while.
  auto logs = server.Query("SHOW BINARY LOGS");
  for (int i = 0; i < 100 && server.Query("SHOW BINARY LOGS").size() > 1; ++i) {
    server.Execute("PURGE BINARY LOGS TO '" + *logs.back()[0] + "'");
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  REQUIRE(server.Query("SHOW BINARY LOGS").size() == 1);
  WeftResult r = RunWeft({"tail", "-c", config, "--source", "shop", "--from", offset}, 30);
  CHECK(r.exit_code == 1);
  CHECK_MESSAGE(r.err.find("no longer has this position") != std::string::npos, r.err);
  CHECK(r.err.find("the oldest position the server still has is " + *logs.back()[0] + ":4") != std::string::npos);
  CHECK(r.err.find("--from snapshot") != std::string::npos);

  // Reset: the server has no such GTID at all (it would wait silently; weft checks first).
  server.Execute("RESET MASTER");
  r = RunWeft({"tail", "-c", config, "--source", "shop", "--from", offset}, 30);
  CHECK(r.exit_code == 1);
  CHECK_MESSAGE(r.err.find("no longer has this position") != std::string::npos, r.err);
  CHECK(r.err.find("--from snapshot") != std::string::npos);
  RemoveTree(dir);
}
