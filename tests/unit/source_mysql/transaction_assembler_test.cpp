// TransactionAssembler on hand-built events (layouts from MariaDB's log_event.h): whole
// transactions, offsets inside and after them, skip on resume, DDL, uncaptured tables.
#include <doctest/doctest.h>

#include <thread>

#include "source/mysql/binlog/transaction_assembler.h"

namespace sm = weft::source::mysql;
using weft::core::Status;

namespace {

std::string Le(uint64_t v, int n) {
  std::string s;
  for (int i = 0; i < n; ++i) s.push_back(static_cast<char>(i < 8 ? (v >> (8 * i)) & 0xff : 0));  // zero past 8 bytes
  return s;
}

// Events of a fake binlog: each gets the next position, as the server would write them.
struct Binlog {
  uint32_t pos = 256;
  uint32_t ts = 1732184400;
  std::vector<std::string> bodies;  // kept alive: Event::body views them

  sm::Event Make(uint8_t type, std::string body) {
    bodies.push_back(std::move(body));
    sm::Event e;
    e.header.timestamp = ts;
    e.header.type = type;
    e.header.server_id = 1;
    e.header.event_size = static_cast<uint32_t>(19 + bodies.back().size() + 4);
    pos += e.header.event_size;
    e.header.log_pos = pos;
    e.body = bodies.back();
    return e;
  }
  sm::Event Gtid(uint64_t seq, bool standalone) {
    return Make(sm::event::kMariadbGtid, Le(seq, 8) + Le(0, 4) + std::string(1, standalone ? 0x01 : 0x0c) + Le(0, 6));
  }
  sm::Event Query(const std::string& db, const std::string& sql) {
    return Make(sm::event::kQuery, Le(7, 4) + Le(0, 4) + std::string(1, static_cast<char>(db.size())) + Le(0, 2) +
                                       Le(0, 2) + db + std::string(1, '\0') + sql);
  }
  // TABLE_MAP of db.table (id INT NOT NULL PRIMARY KEY), with FULL optional metadata.
  sm::Event TableMap(uint64_t id, const std::string& db, const std::string& table) {
    std::string b = Le(id, 6) + Le(1, 2);
    b += std::string(1, static_cast<char>(db.size())) + db + '\0';
    b += std::string(1, static_cast<char>(table.size())) + table + '\0';
    b += "\x01";                  // column count
    b += "\x03";                  // MYSQL_TYPE_LONG
    b += std::string(1, '\0');    // metadata length 0
    b += std::string(1, '\0');    // null bitmap: NOT NULL
    b += std::string("\x01\x01\x00", 3);   // SIGNEDNESS: signed
    b += "\x04\x03\x02id";                 // COLUMN_NAME: "id"
    b += std::string("\x08\x01\x00", 3);   // SIMPLE_PRIMARY_KEY: column 0
    return Make(sm::event::kTableMap, b);
  }
  sm::Event WriteRows(uint64_t table_id, std::initializer_list<int32_t> ids) {
    std::string b = Le(table_id, 6) + Le(1, 2) + "\x01" + "\x01";  // 1 column, present
    for (int32_t id : ids) b += std::string(1, '\0') + Le(static_cast<uint32_t>(id), 4);
    return Make(sm::event::kWriteRowsV1, b);
  }
  sm::Event Xid() { return Make(sm::event::kXid, Le(99, 8)); }
};

struct Collector {
  std::vector<sm::SourceBatch> batches;
  int ddl_calls = 0;
  sm::TransactionAssembler Make(const sm::Position& start, const std::vector<std::string>& tables = {}) {
    return sm::TransactionAssembler(
        "shop", sm::TableFilter("shop", tables), start,
        [](const std::string&) -> weft::core::Result<std::vector<std::string>> { return std::vector<std::string>{}; },
        [this] { ++ddl_calls; },
        [this](sm::SourceBatch&& b) {
          batches.push_back(std::move(b));
          return true;
        });
  }
};

sm::Position Start() { return sm::Position{"mariadb-bin.000001", 256, 0, true, "0-1-4", false, ""}; }

void FeedTransaction(sm::TransactionAssembler& a, Binlog& log, uint64_t seq, std::initializer_list<int32_t> ids) {
  REQUIRE(a.OnEvent(log.Gtid(seq, false)).ok());
  REQUIRE(a.OnEvent(log.TableMap(70, "shop", "t")).ok());
  REQUIRE(a.OnEvent(log.WriteRows(70, ids)).ok());
  log.ts += 1;  // the commit comes a second later: changes carry the commit's time
  REQUIRE(a.OnEvent(log.Xid()).ok());
}

}  // namespace

TEST_CASE("a transaction arrives whole; inside offsets point at its start, the last one after it") {
  Binlog log;
  Collector out;
  auto a = out.Make(Start());
  FeedTransaction(a, log, 5, {10, 11, 12});
  REQUIRE(out.batches.size() == 1);
  const auto& b = out.batches[0];
  REQUIRE(b.changes.size() == 3);
  CHECK(b.offset == "v1;file=mariadb-bin.000001;pos=" + std::to_string(log.pos) + ";skip=0;gtid=0-1-5");
  CHECK(b.changes[0].offset == "v1;file=mariadb-bin.000001;pos=256;skip=1;gtid=0-1-4");
  CHECK(b.changes[1].offset == "v1;file=mariadb-bin.000001;pos=256;skip=2;gtid=0-1-4");
  CHECK(b.changes[2].offset == b.offset);
  CHECK_FALSE(b.changes[0].last_in_transaction);
  CHECK(b.changes[2].last_in_transaction);
  for (int i = 0; i < 3; ++i) {
    CHECK(b.changes[i].after.values[0].as_int() == 10 + i);
    CHECK(b.changes[i].op == weft::change::Op::kCreate);
    CHECK(b.changes[i].ts_ms == int64_t{log.ts} * 1000);
    CHECK(b.changes[i].source.gtid == "0-1-5");
    CHECK(b.changes[i].schema->columns[0].name == "id");
  }
  CHECK(a.resume_position().Encode() == b.offset);
}

TEST_CASE("starting from an offset inside a transaction skips what was delivered, only in that transaction") {
  Binlog log;
  Collector out;
  auto a = out.Make(sm::Position{"mariadb-bin.000001", 256, 2, true, "0-1-4", false, ""});
  REQUIRE(a.OnEvent(log.Gtid(5, false)).ok());
  CHECK(a.resume_position().skip == 2);  // until the transaction completes, a reconnect needs the skip
  REQUIRE(a.OnEvent(log.TableMap(70, "shop", "t")).ok());
  REQUIRE(a.OnEvent(log.WriteRows(70, {10, 11, 12})).ok());
  REQUIRE(a.OnEvent(log.Xid()).ok());
  FeedTransaction(a, log, 6, {13, 14});
  REQUIRE(out.batches.size() == 2);
  REQUIRE(out.batches[0].changes.size() == 1);
  CHECK(out.batches[0].changes[0].after.values[0].as_int() == 12);
  CHECK(out.batches[1].changes.size() == 2);  // the next transaction is whole
  CHECK(a.resume_position().skip == 0);
  CHECK(a.resume_position().gtid == "0-1-6");
}

TEST_CASE("DDL is its own batch, names its table, refreshes the JSON columns; other databases only move the offset") {
  Binlog log;
  Collector out;
  auto a = out.Make(Start());
  REQUIRE(a.OnEvent(log.Gtid(5, true)).ok());
  REQUIRE(a.OnEvent(log.Query("", "ALTER TABLE `shop`.`t` ADD COLUMN x INT")).ok());
  REQUIRE(out.batches.size() == 1);
  REQUIRE(out.batches[0].changes.size() == 1);
  const auto& ddl = out.batches[0].changes[0];
  CHECK(ddl.type == weft::change::ChangeType::kDdl);
  CHECK(ddl.statement == "ALTER TABLE `shop`.`t` ADD COLUMN x INT");
  CHECK(ddl.source.table == "t");
  CHECK(ddl.offset == out.batches[0].offset);
  CHECK(out.ddl_calls == 1);

  REQUIRE(a.OnEvent(log.Gtid(6, true)).ok());
  REQUIRE(a.OnEvent(log.Query("other", "CREATE TABLE x (id INT)")).ok());
  CHECK(out.batches.size() == 1);  // nothing to deliver...
  CHECK(out.ddl_calls == 1);
  REQUIRE(a.FlushIdle().ok());     // ...but the offset moved
  REQUIRE(out.batches.size() == 2);
  CHECK(out.batches[1].changes.empty());
  CHECK(out.batches[1].offset.find("gtid=0-1-6") != std::string::npos);
  CHECK(a.FlushIdle().ok());
  CHECK(out.batches.size() == 2);  // flushed once
}

TEST_CASE("rows of tables outside the filter are not decoded, yet their transactions move the offset") {
  Binlog log;
  Collector out;
  auto a = out.Make(Start(), {"orders"});
  FeedTransaction(a, log, 5, {1, 2});  // table t is not captured
  CHECK(out.batches.empty());
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  FeedTransaction(a, log, 6, {3});
  // At most one offset-only batch a second: the second transaction came after the interval.
  REQUIRE(out.batches.size() == 1);
  CHECK(out.batches[0].changes.empty());
  CHECK(out.batches[0].offset.find("gtid=0-1-6") != std::string::npos);
}

TEST_CASE("ROTATE moves the file of the following transactions") {
  Binlog log;
  Collector out;
  auto a = out.Make(Start());
  REQUIRE(a.OnEvent(log.Make(sm::event::kRotate, Le(4, 8) + "mariadb-bin.000002")).ok());
  log.pos = 4 + 256;
  FeedTransaction(a, log, 5, {1, 2});
  REQUIRE(out.batches.size() == 1);
  CHECK(out.batches[0].changes[0].offset.find("file=mariadb-bin.000002;pos=260;skip=1") != std::string::npos);
  CHECK(out.batches[0].changes[0].source.file == "mariadb-bin.000002");
}

TEST_CASE("DDL statement table names") {
  CHECK(sm::DdlTableName("ALTER TABLE t ADD COLUMN x INT") == "t");
  CHECK(sm::DdlTableName("alter table `shop`.`my``t` drop x") == "my`t");
  CHECK(sm::DdlTableName("CREATE TABLE IF NOT EXISTS shop.orders (id INT)") == "orders");
  CHECK(sm::DdlTableName("DROP TABLE IF EXISTS `x` /* generated by server */") == "x");
  CHECK(sm::DdlTableName("TRUNCATE shop.t") == "t");
  CHECK(sm::DdlTableName("CREATE OR REPLACE TABLE t2 (id INT)") == "t2");
  CHECK(sm::DdlTableName("CREATE INDEX i ON t (x)") == "");
  CHECK(sm::DdlTableName("GRANT SELECT ON shop.* TO u") == "");
}

TEST_CASE("MySQL-style transactions (BEGIN ... XID, no GTID state) resume by file:pos") {
  Binlog log;
  Collector out;
  auto a = out.Make(sm::Position{"mysql-bin.000001", 256, 0, false, "", false, ""});
  REQUIRE(a.OnEvent(log.Query("shop", "BEGIN")).ok());
  REQUIRE(a.OnEvent(log.TableMap(70, "shop", "t")).ok());
  REQUIRE(a.OnEvent(log.WriteRows(70, {1, 2})).ok());
  REQUIRE(a.OnEvent(log.Xid()).ok());
  REQUIRE(out.batches.size() == 1);
  REQUIRE(out.batches[0].changes.size() == 2);
  CHECK(out.batches[0].changes[0].offset == "v1;file=mysql-bin.000001;pos=256;skip=1");
  CHECK(out.batches[0].offset == "v1;file=mysql-bin.000001;pos=" + std::to_string(log.pos) + ";skip=0");
}

TEST_CASE("a heartbeat between transactions says the stream is caught up, with the pending offset") {
  Binlog log;
  Collector out;
  auto a = out.Make(Start(), {"orders"});
  REQUIRE(a.OnEvent(log.Make(sm::event::kHeartbeat, "mariadb-bin.000001")).ok());
  REQUIRE(out.batches.size() == 1);
  CHECK(out.batches[0].signal == sm::SourceBatch::Signal::kCaughtUp);
  CHECK(out.batches[0].changes.empty());
  CHECK(out.batches[0].offset.empty());  // nothing moved: no offset to commit

  FeedTransaction(a, log, 5, {1});  // table t is not captured: the offset moves, no batch yet
  REQUIRE(out.batches.size() == 1);
  REQUIRE(a.OnEvent(log.Make(sm::event::kHeartbeat, "mariadb-bin.000001")).ok());
  REQUIRE(out.batches.size() == 2);
  CHECK(out.batches[1].signal == sm::SourceBatch::Signal::kCaughtUp);
  CHECK(out.batches[1].offset.find("gtid=0-1-5") != std::string::npos);

  // Inside a transaction a heartbeat says nothing (the server is mid-transaction).
  REQUIRE(a.OnEvent(log.Gtid(6, false)).ok());
  REQUIRE(a.OnEvent(log.Make(sm::event::kHeartbeat, "mariadb-bin.000001")).ok());
  CHECK(out.batches.size() == 2);
}

TEST_CASE("a transaction bigger than the part limit arrives in parts; only the last part carries the offset") {
  Binlog log;
  Collector out;
  auto a = out.Make(Start());
  a.SetMaxPartChanges(2);
  REQUIRE(a.OnEvent(log.Gtid(5, false)).ok());
  REQUIRE(a.OnEvent(log.TableMap(70, "shop", "t")).ok());
  REQUIRE(a.OnEvent(log.WriteRows(70, {10, 11})).ok());
  REQUIRE(out.batches.size() == 1);  // delivered before the commit is read
  CHECK_FALSE(out.batches[0].transaction_end);
  CHECK(out.batches[0].offset.empty());
  // A reconnect now resumes right after the part, inside the transaction.
  CHECK(a.resume_position().Encode() == "v1;file=mariadb-bin.000001;pos=256;skip=2;gtid=0-1-4");
  REQUIRE(a.OnEvent(log.WriteRows(70, {12})).ok());
  REQUIRE(a.OnEvent(log.WriteRows(70, {13, 14})).ok());  // a part ends inside a rows event
  REQUIRE(out.batches.size() == 2);
  CHECK_FALSE(out.batches[1].transaction_end);
  CHECK(out.batches[1].changes.size() == 2);
  REQUIRE(a.OnEvent(log.Xid()).ok());  // 14 was held until the commit
  REQUIRE(out.batches.size() == 3);
  const auto& end = out.batches[2];
  CHECK(end.transaction_end);
  REQUIRE(end.changes.size() == 1);
  CHECK(end.changes[0].last_in_transaction);
  CHECK(end.offset == "v1;file=mariadb-bin.000001;pos=" + std::to_string(log.pos) + ";skip=0;gtid=0-1-5");
  std::vector<int64_t> ids;
  for (const auto& b : out.batches) {
    for (const auto& c : b.changes) {
      ids.push_back(c.after.values[0].as_int());
      if (c.last_in_transaction) continue;
      CHECK(c.offset == "v1;file=mariadb-bin.000001;pos=256;skip=" + std::to_string(ids.size()) + ";gtid=0-1-4");
    }
  }
  CHECK(ids == std::vector<int64_t>{10, 11, 12, 13, 14});
  CHECK(end.changes[0].offset == end.offset);
  CHECK(a.resume_position().Encode() == end.offset);
}

TEST_CASE("a transaction of exactly the part limit ends with an empty batch that carries its offset") {
  Binlog log;
  Collector out;
  auto a = out.Make(Start());
  a.SetMaxPartChanges(2);
  FeedTransaction(a, log, 5, {10, 11});
  REQUIRE(out.batches.size() == 2);
  CHECK_FALSE(out.batches[0].transaction_end);
  CHECK(out.batches[1].transaction_end);
  CHECK(out.batches[1].changes.empty());
  CHECK(out.batches[1].offset == a.resume_position().Encode());
}

TEST_CASE("resumed inside a transaction delivered in parts: the rest, then its end") {
  Binlog log;
  Collector out;
  auto a = out.Make(sm::Position{"mariadb-bin.000001", 256, 3, true, "0-1-4"});
  a.SetMaxPartChanges(2);
  REQUIRE(a.OnEvent(log.Gtid(5, false)).ok());
  REQUIRE(a.OnEvent(log.TableMap(70, "shop", "t")).ok());
  REQUIRE(a.OnEvent(log.WriteRows(70, {10, 11, 12})).ok());  // all three were delivered before
  CHECK(out.batches.empty());
  REQUIRE(a.OnEvent(log.Xid()).ok());
  REQUIRE(out.batches.size() == 1);
  CHECK(out.batches[0].transaction_end);
  CHECK(out.batches[0].changes.empty());
  CHECK_FALSE(out.batches[0].offset.empty());
}

TEST_CASE("MySQL GTIDs: DDL after a GTID is its own transaction, XA PREPARE ends one, offsets carry the set") {
  Binlog log;
  Collector out;
  auto a = out.Make(sm::Position{"binlog.000001", 256, 0, false, "", true, "3e11fa47-71ca-11e1-9e33-c80aa9429562:1-4"});
  const std::string sid = std::string("\x3e\x11\xfa\x47\x71\xca\x11\xe1\x9e\x33\xc8\x0a\xa9\x42\x95\x62", 16);
  auto gtid = [&](uint64_t gno) { return log.Make(sm::event::kMysqlGtid, std::string(1, '\0') + sid + Le(gno, 8) + Le(0, 17)); };
  // GTID + DDL (no BEGIN, no COMMIT): one DDL record, committed at once.
  REQUIRE(a.OnEvent(gtid(5)).ok());
  REQUIRE(a.OnEvent(log.Query("shop", "ALTER TABLE t ADD COLUMN x INT")).ok());
  REQUIRE(out.batches.size() == 1);
  REQUIRE(out.batches[0].changes.size() == 1);
  CHECK(out.batches[0].changes[0].type == weft::change::ChangeType::kDdl);
  CHECK(out.batches[0].changes[0].source.gtid == "3e11fa47-71ca-11e1-9e33-c80aa9429562:5");
  CHECK(out.batches[0].offset.find(";gtids=3e11fa47-71ca-11e1-9e33-c80aa9429562:1-5") != std::string::npos);
  // GTID + BEGIN + rows + XID: a transaction, not a standalone statement.
  REQUIRE(a.OnEvent(gtid(6)).ok());
  REQUIRE(a.OnEvent(log.Query("shop", "BEGIN")).ok());
  REQUIRE(a.OnEvent(log.TableMap(70, "shop", "t")).ok());
  REQUIRE(a.OnEvent(log.WriteRows(70, {1, 2})).ok());
  REQUIRE(out.batches.size() == 1);
  REQUIRE(a.OnEvent(log.Xid()).ok());
  REQUIRE(out.batches.size() == 2);
  CHECK(out.batches[1].changes.size() == 2);
  // Inside offsets hold the set before the transaction; the batch's the set after it.
  CHECK(out.batches[1].changes[0].offset.find(";skip=1;gtids=3e11fa47-71ca-11e1-9e33-c80aa9429562:1-5") != std::string::npos);
  CHECK(out.batches[1].offset.find(";gtids=3e11fa47-71ca-11e1-9e33-c80aa9429562:1-6") != std::string::npos);
  // XA: GTID, XA START, rows, XA END, XA_PREPARE_LOG_EVENT: the rows arrive at the prepare.
  REQUIRE(a.OnEvent(gtid(7)).ok());
  REQUIRE(a.OnEvent(log.Query("shop", "XA START X'01',X'',1")).ok());
  REQUIRE(a.OnEvent(log.TableMap(70, "shop", "t")).ok());
  REQUIRE(a.OnEvent(log.WriteRows(70, {3})).ok());
  REQUIRE(a.OnEvent(log.Query("shop", "XA END X'01',X'',1")).ok());
  REQUIRE(a.OnEvent(log.Make(sm::event::kXaPrepare, std::string(1, '\0') + Le(1, 4) + Le(1, 4) + Le(0, 4) + "\x01")).ok());
  REQUIRE(out.batches.size() == 3);
  CHECK(out.batches[2].changes.size() == 1);
  CHECK(out.batches[2].offset.find(":1-7") != std::string::npos);
}
