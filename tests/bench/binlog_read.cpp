// Binlog reading throughput: the raw replication fetch vs weft's decoding into Change records.
//
// Builds a binlog of about one million row changes on a throwaway MariaDB (inserts, updates and
// deletes of an order-like table in 1,000-row transactions), then reads the same range, in one
// process, three ways, three times each:
//   fetch   mariadb_rpl_fetch in a loop (the library alone: the baseline)
//   stream  BinlogStream: fetch + CRC32 check + event framing
//   rows    BinlogStream + the row decoder alone (DecodeRowsEvent into row images)
//   decode  BinlogStream + TransactionAssembler: every row decoded into Change records, batches
//           built (what MysqlSource's reader thread does, minus the hand-off to the loop)
// and prints the medians (events/s, row changes/s, MB/s) and decode's rate as a share of fetch's.
// The goal (issue 2): decoding costs no more than 30% of the fetch-only rate. Printed, never
// asserted. Run: build/tests/bench/bench_binlog_read (BENCH_ROWS overrides the row count).
#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>

#include "integration/harness/mariadb_server.h"
#include "source/mysql/binlog/binlog_stream.h"
#include "source/mysql/binlog/transaction_assembler.h"

namespace sm = weft::source::mysql;
using Clock = std::chrono::steady_clock;

namespace {

struct Run {
  double seconds = 0;
  uint64_t events = 0, rows = 0, bytes = 0;
};

weft::config::SourceConfig Source(int port) {
  weft::config::SourceConfig c;
  c.name = "bench";
  c.port = port;
  c.user = "root";
  c.database = "shop";
  c.server_id = 5402;
  return c;
}

// The library alone: the session a replica sets up, then mariadb_rpl_fetch until the end.
Run FetchOnly(int port, const sm::Position& start) {
  MYSQL* m = mysql_init(nullptr);
  REQUIRE(mysql_real_connect(m, "127.0.0.1", "root", "", nullptr, port, nullptr, 0));
  for (const char* sql : {"SET @master_binlog_checksum = @@global.binlog_checksum", "SET @mariadb_slave_capability = 4"}) {
    REQUIRE(mysql_query(m, sql) == 0);
  }
  MARIADB_RPL* rpl = mariadb_rpl_init(m);
  mariadb_rpl_optionsv(rpl, MARIADB_RPL_SERVER_ID, 5403u);
  mariadb_rpl_optionsv(rpl, MARIADB_RPL_FILENAME, start.file.c_str(), start.file.size());
  mariadb_rpl_optionsv(rpl, MARIADB_RPL_START, static_cast<unsigned long>(start.pos));
  mariadb_rpl_optionsv(rpl, MARIADB_RPL_FLAGS, MARIADB_RPL_BINLOG_DUMP_NON_BLOCK);
  Run run;
  auto t0 = Clock::now();
  REQUIRE(mariadb_rpl_open(rpl) == 0);
  MARIADB_RPL_EVENT* ev = nullptr;
  while ((ev = mariadb_rpl_fetch(rpl, ev))) {
    ++run.events;
    run.bytes += ev->raw_data_size;
  }
  run.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  REQUIRE_MESSAGE(mysql_errno(m) == 0, mysql_error(m));
  mariadb_rpl_close(rpl);
  mysql_close(m);
  return run;
}

enum class Mode { kStream, kRows, kDecode };

Run Stream(int port, const sm::Position& start, Mode mode) {
  sm::StreamOptions options;
  options.non_blocking = true;
  Run run;
  auto t0 = Clock::now();
  auto stream = sm::BinlogStream::Open(Source(port), start, options, nullptr);
  REQUIRE_MESSAGE(stream.ok(), stream.status().ToString());
  sm::TransactionAssembler assembler(
      "bench", sm::TableFilter("shop", {}), start,
      [](const std::string&) -> weft::core::Result<std::vector<std::string>> { return std::vector<std::string>{}; },
      [] {},
      [&run](sm::SourceBatch&& batch) {
        run.rows += batch.changes.size();
        return true;
      });
  std::map<uint64_t, std::pair<sm::TableMap, weft::change::TableSchemaPtr>> maps;
  std::vector<sm::DecodedRow> decoded;
  while (true) {
    auto event = (*stream)->Next();
    REQUIRE_MESSAGE(event.ok(), event.status().ToString());
    if (!event->has_value()) break;
    ++run.events;
    const sm::Event& e = **event;
    if (mode == Mode::kDecode) {
      weft::core::Status st = assembler.OnEvent(e);
      REQUIRE_MESSAGE(st.ok(), st.ToString());
    } else if (mode == Mode::kRows && e.header.type == sm::event::kTableMap) {
      auto map = sm::DecodeTableMap(e.body);
      REQUIRE(map.ok());
      auto schema = sm::SchemaFromTableMap(*map, {});
      maps[map->table_id] = {std::move(*map), schema};
    } else if (mode == Mode::kRows && sm::RowsEventTraitsOf(e.header.type).kind != sm::RowsKind::kNone) {
      auto id = sm::RowsEventTableId(e.header.type, e.body);
      REQUIRE(id.ok());
      auto& [map, schema] = maps.at(*id);
      decoded.clear();
      weft::core::Status st = sm::DecodeRowsEvent(e.header.type, e.body, map, *schema, &decoded);
      REQUIRE_MESSAGE(st.ok(), st.ToString());
      run.rows += decoded.size();
    }
  }
  run.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  run.bytes = (*stream)->bytes_received();
  return run;
}

Run Median(std::vector<Run> runs) {
  std::sort(runs.begin(), runs.end(), [](const Run& a, const Run& b) { return a.seconds < b.seconds; });
  return runs[runs.size() / 2];
}

void Print(const char* name, const Run& r, uint64_t rows) {
  std::printf("  %-7s %7.3f s  %10.0f events/s  %10.0f rows/s  %7.1f MB/s\n", name, r.seconds, r.events / r.seconds,
              static_cast<double>(rows) / r.seconds, static_cast<double>(r.bytes) / 1e6 / r.seconds);
}

}  // namespace

TEST_CASE("bench: binlog fetch-only vs fetch + decode into Change records") {
  const int total = std::getenv("BENCH_ROWS") ? std::atoi(std::getenv("BENCH_ROWS")) : 1000000;
  weft::test::MariaDBServer server;
  weft::test::MariaDBOptions options;
  options.extra_config = {"innodb_buffer_pool_size=512M", "max_binlog_size=1G"};
  REQUIRE_MESSAGE(server.Start(options), server.error());
  server.Execute("CREATE DATABASE shop; CREATE TABLE shop.orders (id INT PRIMARY KEY, customer_id INT NOT NULL, "
                 "status VARCHAR(20) NOT NULL, amount DECIMAL(10,2), created DATETIME(6), note VARCHAR(100), "
                 "flags BIGINT UNSIGNED)");
  auto rows = server.Query("SHOW MASTER STATUS");
  sm::Position start{*rows[0][0], std::stoull(*rows[0][1]), 0, false, ""};

  // Half inserts, 30% updates (before and after images), 20% deletes: 1,000 rows per transaction.
  const int inserts = total / 2, updates = total * 3 / 10, deletes = total - inserts - updates;
  auto t0 = Clock::now();
  for (int from = 1; from <= inserts; from += 1000) {
    std::string to = std::to_string(std::min(from + 999, inserts));
    server.Execute("INSERT INTO shop.orders SELECT seq, seq % 9973, 'created', seq / 100, "
                   "'2024-11-02 10:20:00.123456' + INTERVAL seq SECOND, CONCAT('order note ', seq), seq * 7 "
                   "FROM shop.seq_" + std::to_string(from) + "_to_" + to);
  }
  for (int from = 1; from <= updates; from += 1000) {
    server.Execute("UPDATE shop.orders SET status = 'shipped', amount = amount + 1 WHERE id BETWEEN " +
                   std::to_string(from) + " AND " + std::to_string(std::min(from + 999, updates)));
  }
  for (int from = inserts - deletes + 1; from <= inserts; from += 1000) {
    server.Execute("DELETE FROM shop.orders WHERE id BETWEEN " + std::to_string(from) + " AND " +
                   std::to_string(std::min(from + 999, inserts)));
  }
  std::printf("binlog of %d row changes built in %.1f s\n", total,
              std::chrono::duration<double>(Clock::now() - t0).count());

  if (const char* only = std::getenv("BENCH_PROFILE_DECODE")) {  // for perf: the decode path alone
    for (int rep = 0; rep < std::atoi(only); ++rep) Stream(server.port(), start, Mode::kDecode);
    return;
  }
  std::vector<Run> fetch, stream, rows_only, decode;
  for (int rep = 0; rep < 3; ++rep) {
    fetch.push_back(FetchOnly(server.port(), start));
    stream.push_back(Stream(server.port(), start, Mode::kStream));
    rows_only.push_back(Stream(server.port(), start, Mode::kRows));
    decode.push_back(Stream(server.port(), start, Mode::kDecode));
  }
  Run f = Median(fetch), s = Median(stream), r = Median(rows_only), d = Median(decode);
  CHECK(d.rows == static_cast<uint64_t>(total));  // every row change decoded: the bench measured real work
  std::printf("medians of 3 runs over %llu events, %llu row changes, %.1f MB of binlog:\n",
              static_cast<unsigned long long>(f.events), static_cast<unsigned long long>(d.rows),
              static_cast<double>(f.bytes) / 1e6);
  Print("fetch", f, d.rows);
  Print("stream", s, d.rows);
  Print("rows", r, d.rows);
  Print("decode", d, d.rows);
  std::printf("decode runs at %.0f%% of the fetch-only rate (goal: at least 70%%)\n", 100.0 * f.seconds / d.seconds);
}
