// The binlog stream through MysqlSource (on a real libuv loop) and `weft tail`: transactions (big ones in parts),
// back-pressure (Pause/Resume), DDL mid-stream, refusal of a bad offset.
#include <doctest/doctest.h>
#include <uv.h>

#include <chrono>
#include <functional>

#include "integration/source/source_util.h"
#include "source/mysql/mysql_source.h"
#include "source/mysql/binlog/position.h"

using namespace weft::test;
using nlohmann::json;
namespace sm = weft::source::mysql;

namespace {

weft::config::SourceConfig SourceFor(const MariaDBServer& server) {
  weft::config::SourceConfig c;
  c.name = "shop";
  c.host = "127.0.0.1";
  c.port = server.port();
  c.user = "root";
  c.database = "shop";
  c.server_id = 5401;
  return c;
}

// A MysqlSource on its own loop, collecting what it delivers.
struct SourceRun {
  explicit SourceRun(const weft::config::SourceConfig& config, sm::SourceOptions options = {}) {
    uv_loop_init(&loop);
    source = std::make_unique<sm::MysqlSource>(config, options, &loop);
  }
  ~SourceRun() {
    source.reset();
    uv_run(&loop, UV_RUN_NOWAIT);
    uv_loop_close(&loop);
  }
  weft::core::Status Start(sm::StartFrom from) {
    return source->Start(
        from, [this](sm::SourceBatch&& b) { batches.push_back(std::move(b)); },
        [this](const weft::core::Status& s) {
          stopped = true;
          why = s;
        });
  }
  // Runs the loop until `done` or the deadline; false on timeout.
  bool RunUntil(const std::function<bool()>& done, int timeout_ms = 30000) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    while (!done()) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      uv_run(&loop, UV_RUN_NOWAIT);
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    return true;
  }
  size_t ChangeCount() const {
    size_t n = 0;
    for (const auto& b : batches) n += b.changes.size();
    return n;
  }

  uv_loop_t loop;
  std::unique_ptr<sm::MysqlSource> source;
  std::vector<sm::SourceBatch> batches;
  bool stopped = false;
  weft::core::Status why;
};

}  // namespace

// A transaction bigger than SourceOptions::max_batch_changes arrives in parts as it is read, so
// memory is bounded by that setting; only the last part is a resumable point.
TEST_CASE("a 10,000-row transaction arrives in parts of max_batch_changes, in order, with one offset at its end") {
  MariaDBServer server;
  REQUIRE_MESSAGE(server.Start(), server.error());
  server.Execute("CREATE DATABASE shop; CREATE TABLE shop.big (id INT PRIMARY KEY, v VARCHAR(20))");
  sm::SourceOptions options;
  options.max_batch_changes = 3000;
  SourceRun run(SourceFor(server), options);
  REQUIRE(run.Start({sm::StartFrom::Mode::kNow, ""}).ok());
  server.Execute("BEGIN; INSERT INTO shop.big SELECT seq, CONCAT('v', seq) FROM shop.seq_1_to_10000; COMMIT");
  REQUIRE(run.RunUntil([&] { return run.ChangeCount() >= 10000; }));
  REQUIRE(run.RunUntil([&] { return !run.batches.empty() && run.batches.back().transaction_end; }));

  std::vector<const sm::SourceBatch*> parts;
  std::vector<const weft::change::Change*> changes;
  for (const auto& b : run.batches) {
    if (b.changes.empty() && b.offset.empty()) continue;  // a signal only
    parts.push_back(&b);
    for (const auto& c : b.changes) changes.push_back(&c);
  }
  // 3000 + 3000 + 3000 + 1000: every part but the last is full and carries no offset.
  REQUIRE(parts.size() == 4);
  for (size_t i = 0; i < parts.size(); ++i) {
    CHECK(parts[i]->kind == sm::SourceBatch::Kind::kTransaction);
    CHECK(parts[i]->transaction_end == (i + 1 == parts.size()));
    CHECK(parts[i]->offset.empty() == (i + 1 < parts.size()));
    CHECK(parts[i]->changes.size() == (i + 1 < parts.size() ? 3000u : 1000u));
  }
  const sm::SourceBatch* tx = parts.back();
  REQUIRE(changes.size() == 10000);
  auto first = sm::Position::Parse(changes[0]->offset);
  REQUIRE(first.ok());
  for (size_t i = 0; i < changes.size(); ++i) {
    const auto& c = *changes[i];
    REQUIRE(c.op == weft::change::Op::kCreate);
    REQUIRE(c.after.values[0].as_int() == static_cast<int64_t>(i + 1));
    CHECK(c.last_in_transaction == (i + 1 == changes.size()));
    if (i + 1 < changes.size()) {
      auto p = sm::Position::Parse(c.offset);
      REQUIRE(p.ok());
      // Inside the transaction: its start, and how many changes are done.
      CHECK(p->skip == i + 1);
      CHECK(p->pos == first->pos);
      CHECK(p->gtid == first->gtid);
    }
  }
  auto last = sm::Position::Parse(changes.back()->offset);
  REQUIRE(last.ok());
  CHECK(changes.back()->offset == tx->offset);
  CHECK(last->skip == 0);
  CHECK(last->pos > first->pos);
  CHECK(last->gtid == server.QueryValue("SELECT @@gtid_binlog_pos"));
  run.source->Stop();
  REQUIRE(run.RunUntil([&] { return run.stopped; }));
  CHECK(run.why.code() == weft::core::Code::kAborted);
}

TEST_CASE("Pause stops delivery and blocks the reader at the queue bound; Resume delivers everything in order") {
  MariaDBServer server;
  REQUIRE_MESSAGE(server.Start(), server.error());
  server.Execute("CREATE DATABASE shop; CREATE TABLE shop.t (id INT PRIMARY KEY)");
  sm::SourceOptions options;
  options.queue_capacity = 4;
  SourceRun run(SourceFor(server), options);
  REQUIRE(run.Start({sm::StartFrom::Mode::kNow, ""}).ok());
  run.source->Pause();
  for (int i = 1; i <= 50; ++i) server.Execute("INSERT INTO shop.t VALUES (" + std::to_string(i) + ")");
  run.RunUntil([] { return false; }, 1500);  // the loop runs, but a paused source delivers nothing
  CHECK(run.batches.empty());
  run.source->Resume();
  REQUIRE(run.RunUntil([&] { return run.ChangeCount() >= 50; }));
  int expect = 1;
  for (const auto& b : run.batches) {
    for (const auto& c : b.changes) CHECK(c.after.values[0].as_int() == expect++);
  }
  CHECK(expect == 51);
}

TEST_CASE("ALTER TABLE ADD/DROP COLUMN mid-stream: a ddl record, and the records after it carry the new columns") {
  MariaDBServer server;
  REQUIRE_MESSAGE(server.Start(), server.error());
  server.Execute("CREATE DATABASE shop; CREATE TABLE shop.t (id INT PRIMARY KEY, a VARCHAR(10))");
  std::string dir = MakeTempDir("weft-ddl-");
  std::string config = WriteSourceConfig(dir, server.port(), "shop");
  WeftProcess tail;
  REQUIRE(tail.Start({"tail", "-c", config, "--source", "shop", "--from", "now"}, dir));
  REQUIRE_MESSAGE(WaitForStderr(tail, "streaming binlog from"), tail.Stderr());
  server.Execute("INSERT INTO shop.t VALUES (1, 'x')");
  server.Execute("ALTER TABLE shop.t ADD COLUMN b INT DEFAULT 5, ADD COLUMN doc JSON");
  server.Execute("INSERT INTO shop.t VALUES (2, 'y', 7, '{\"k\": [1, 2]}')");
  server.Execute("UPDATE shop.t SET b = 8 WHERE id = 1");
  server.Execute("ALTER TABLE shop.t DROP COLUMN a");
  server.Execute("INSERT INTO shop.t VALUES (3, 9, NULL)");
  auto lines = WaitForLines(tail, 6);
  CHECK(StopTail(tail) == 0);
  REQUIRE_MESSAGE(lines.size() == 6, tail.Stdout() << tail.Stderr());
  std::vector<json> r;
  for (const auto& l : lines) r.push_back(ParseRecord(l));
  CHECK(r[0]["after"] == json{{"id", 1}, {"a", "x"}});
  CHECK(r[1]["type"] == "ddl");
  CHECK(r[1]["statement"] == "ALTER TABLE shop.t ADD COLUMN b INT DEFAULT 5, ADD COLUMN doc JSON");
  CHECK(r[1]["source"]["table"] == "t");
  // The JSON column is known as JSON right after the DDL (embedded, not a string).
  CHECK(r[2]["after"] == json{{"id", 2}, {"a", "y"}, {"b", 7}, {"doc", {{"k", {1, 2}}}}});
  CHECK(r[3]["op"] == "u");
  CHECK(r[3]["before"] == json{{"id", 1}, {"a", "x"}, {"b", 5}, {"doc", nullptr}});
  CHECK(r[3]["after"] == json{{"id", 1}, {"a", "x"}, {"b", 8}, {"doc", nullptr}});
  CHECK(r[3]["patch"]["$set"] == json{{"b", 8}});
  CHECK(r[4]["type"] == "ddl");
  CHECK(r[5]["after"] == json{{"id", 3}, {"b", 9}, {"doc", nullptr}});
  // DDL and each autocommit statement are their own transaction: every offset is a clean boundary.
  for (const auto& rec : r) CHECK(rec["offset"].get<std::string>().find(";skip=0;") != std::string::npos);
  RemoveTree(dir);
}

TEST_CASE("tail refuses a malformed offset and an unknown source with exit status 2") {
  MariaDBServer server;
  REQUIRE_MESSAGE(server.Start(), server.error());
  server.Execute("CREATE DATABASE shop");
  std::string dir = MakeTempDir("weft-badoffset-");
  std::string config = WriteSourceConfig(dir, server.port(), "shop");
  WeftResult r = RunWeft({"tail", "-c", config, "--source", "shop", "--from", "v1;file=x;pos=notanumber"});
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("pos is not a number") != std::string::npos);
  r = RunWeft({"tail", "-c", config, "--source", "nope", "--from", "now"});
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("[sources.nope]") != std::string::npos);
  r = RunWeft({"tail", "--help"});
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("--from") != std::string::npos);
  RemoveTree(dir);
}

TEST_CASE("on_lost_position = resnapshot: a lost offset gives a fresh snapshot, then the stream") {
  MariaDBServer server;
  REQUIRE_MESSAGE(server.Start(), server.error());
  server.Execute("CREATE DATABASE shop; CREATE TABLE shop.t (id INT PRIMARY KEY); INSERT INTO shop.t VALUES (1), (2)");
  const std::string old_offset = "v1;file=mariadb-bin.000001;pos=4;skip=0;gtid=0-1-999";  // never existed
  {
    auto config = SourceFor(server);  // on_lost_position = "fail" (the default)
    SourceRun run(config);
    REQUIRE(run.Start({sm::StartFrom::Mode::kOffset, old_offset}).ok());
    REQUIRE(run.RunUntil([&] { return run.stopped; }));
    CHECK(run.why.code() == weft::core::Code::kDataLoss);
    CHECK(run.why.message().find("GTID 0-1-999") != std::string::npos);
    CHECK(run.batches.empty());
  }
  auto config = SourceFor(server);
  config.on_lost_position = "resnapshot";
  SourceRun run(config);
  REQUIRE(run.Start({sm::StartFrom::Mode::kOffset, old_offset}).ok());
  bool done = run.RunUntil([&] {
    for (const auto& b : run.batches) if (b.kind == sm::SourceBatch::Kind::kSnapshotDone) return true;
    return run.stopped;
  });
  std::string kinds;
  for (const auto& b : run.batches) kinds += std::to_string(static_cast<int>(b.kind)) + ":" + std::to_string(b.changes.size()) + " ";
  REQUIRE_MESSAGE(done, "batches " << kinds << " stopped " << run.stopped << " " << run.why.ToString());
  REQUIRE_MESSAGE(run.batches.size() >= 2, kinds);
  CHECK(run.batches[0].kind == sm::SourceBatch::Kind::kSnapshotRows);
  CHECK(run.batches[0].changes.size() == 2);
  CHECK(run.batches[0].table == "t");
  server.Execute("INSERT INTO shop.t VALUES (3)");
  REQUIRE(run.RunUntil([&] { return run.ChangeCount() == 3; }));
  CHECK(run.batches.back().changes.back().after.values[0].as_int() == 3);
  CHECK_FALSE(run.stopped);
}

TEST_CASE("tls.mode = required against a server without TLS is refused with the fix") {
  MariaDBServer server;
  REQUIRE_MESSAGE(server.Start(), server.error());
  server.Execute("CREATE DATABASE shop");
  if (server.QueryValue("SELECT @@have_ssl") == "YES") {
    MESSAGE("this MariaDB has TLS configured: the refusal cannot be shown here");
    return;
  }
  auto config = SourceFor(server);
  config.tls.mode = "required";
  SourceRun run(config);
  weft::core::Status st = run.Start({sm::StartFrom::Mode::kNow, ""});
  CHECK(st.code() == weft::core::Code::kFailedPrecondition);
  CHECK(st.message().find("does not offer TLS") != std::string::npos);
  config.tls.mode = "preferred";  // falls back to plain text
  SourceRun ok(config);
  CHECK(ok.Start({sm::StartFrom::Mode::kNow, ""}).ok());
}
