// olist_probe: watches weft's progress for the benchmarks (run-bench.sh). Each wait prints the Unix
// time (seconds, microsecond precision) at which it saw its condition, so the script can time an
// interval that started before the probe did.
//   olist_probe wait-doc --sink DB --collection C --id ID --field F --value V [--timeout S]
//       until the sink document ID has F == V (the catch-up marker)
//   olist_probe wait-offset --state DB --gtid-seq N [--timeout S]
//       until weft's committed offset (state DB) has reached GTID sequence N of domain 0 and its
//       outbox is empty: every change up to N has been acknowledged by the sink (for sinks that
//       cannot be read back, like JSONL to /dev/null)
//   olist_probe latency --port P [--host H] --user U [--password W] --db D --sink DB --collection C
//                       [--rate R] [--seconds S] [--out FILE]
//       updates ecom_orders.bench_ts = NOW(6) on distinct orders at R per second for S seconds (one
//       autocommit transaction each) and watches the SQLite sink for each new value: latency is the
//       time it became visible minus bench_ts. Prints a JSON summary; FILE gets one latency (ms) a line.
//   olist_probe fetch --port P [--host H] --user U [--password W] --file F --start POS
//       fetch-only reading (the physical limit): libmariadb's replication API fetches the binlog from
//       F:POS to its current end, without decoding rows; prints events, bytes, seconds as JSON
#include <mysql.h>
// after mysql.h, which it needs
#include <mariadb_rpl.h>
#include <sqlite3.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

double Now() {  // wall clock, the same clock NOW(6) reads on this machine
  timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

[[noreturn]] void Die(const std::string& why) {
  std::fprintf(stderr, "olist_probe: %s\n", why.c_str());
  std::exit(1);
}

void SleepMs(double ms) { std::this_thread::sleep_for(std::chrono::microseconds(static_cast<int64_t>(ms * 1000))); }

struct Sqlite {
  sqlite3* db = nullptr;
  explicit Sqlite(const std::string& path) {
    // Read-only, while weft writes in WAL mode; the file may not exist yet.
    for (int i = 0; sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK; ++i) {
      sqlite3_close(db);
      db = nullptr;
      if (i > 6000) Die("cannot open " + path);
      SleepMs(10);
    }
    sqlite3_busy_timeout(db, 2000);
  }
  ~Sqlite() { sqlite3_close(db); }
  // The first column of the first row as text; "" when there is no row or the query failed (a table
  // the sink has not created yet).
  std::string One(const std::string& sql, const std::string& arg = "", bool* found = nullptr) {
    sqlite3_stmt* stmt = nullptr;
    std::string out;
    if (found) *found = false;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) return out;
    if (!arg.empty()) sqlite3_bind_text(stmt, 1, arg.c_str(), -1, SQLITE_TRANSIENT);
    if (sqlite3_step(stmt) == SQLITE_ROW) {
      if (found) *found = sqlite3_column_type(stmt, 0) != SQLITE_NULL;
      if (auto* text = sqlite3_column_text(stmt, 0)) out = reinterpret_cast<const char*>(text);
    }
    sqlite3_finalize(stmt);
    return out;
  }
};

std::string Quote(const std::string& name) { return "\"" + name + "\""; }

void WaitLoop(double timeout, const char* what, const std::function<bool()>& done) {
  auto deadline = Clock::now() + std::chrono::duration<double>(timeout);
  while (!done()) {
    if (Clock::now() > deadline) Die(std::string("timed out waiting for ") + what);
    SleepMs(2);
  }
  std::printf("%.6f\n", Now());
}

int WaitDoc(std::map<std::string, std::string>& o) {
  Sqlite sink(o["sink"]);
  std::string sql = "SELECT json_extract(doc, '$." + o["field"] + "') FROM " + Quote(o["collection"]) + " WHERE id = ?";
  WaitLoop(std::atof(o["timeout"].c_str()), "the marker document", [&] { return sink.One(sql, o["id"]) == o["value"]; });
  return 0;
}

int64_t GtidSeq(const std::string& offset) {  // sequence of domain 0 in "...;gtid=0-1-41,1-2-7"
  auto at = offset.find("gtid=");
  if (at == std::string::npos) return -1;
  std::string list = offset.substr(at + 5, offset.find(';', at) - at - 5);
  size_t start = 0;
  while (start < list.size()) {
    size_t end = std::min(list.find(',', start), list.size());
    std::string one = list.substr(start, end - start);
    if (one.rfind("0-", 0) == 0) return std::atoll(one.substr(one.rfind('-') + 1).c_str());
    start = end + 1;
  }
  return -1;
}

int WaitOffset(std::map<std::string, std::string>& o) {
  Sqlite state(o["state"]);
  int64_t target = std::atoll(o["gtid-seq"].c_str());
  WaitLoop(std::atof(o["timeout"].c_str()), "the offset", [&] {
    if (GtidSeq(state.One("SELECT resume_offset FROM offsets LIMIT 1")) < target) return false;
    bool found = false;
    return state.One("SELECT seq FROM outbox LIMIT 1", "", &found), !found;
  });
  return 0;
}

double ParseUtc(const std::string& text) {  // "2024-11-02 10:20:00.123456" -> Unix seconds
  tm t{};
  double fraction = 0;
  if (std::sscanf(text.c_str(), "%d-%d-%d %d:%d:%d", &t.tm_year, &t.tm_mon, &t.tm_mday, &t.tm_hour, &t.tm_min,
                  &t.tm_sec) != 6) {
    return -1;
  }
  if (auto dot = text.find('.'); dot != std::string::npos) fraction = std::atof(text.c_str() + dot);
  t.tm_year -= 1900;
  t.tm_mon -= 1;
  return static_cast<double>(timegm(&t)) + fraction;
}

MYSQL* Connect(std::map<std::string, std::string>& o) {
  MYSQL* my = mysql_init(nullptr);
  if (!mysql_real_connect(my, o.count("host") ? o["host"].c_str() : "127.0.0.1", o["user"].c_str(),
                          o["password"].c_str(), o["db"].c_str(), std::atoi(o["port"].c_str()), nullptr, 0)) {
    Die(std::string("connect: ") + mysql_error(my));
  }
  // bench_ts is a DATETIME: NOW(6) in UTC so the watcher can compare it with the wall clock.
  if (mysql_query(my, "SET time_zone = '+00:00'")) Die(mysql_error(my));
  return my;
}

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return -1;
  std::sort(v.begin(), v.end());
  size_t i = std::min(v.size() - 1, static_cast<size_t>(p / 100.0 * v.size()));
  return v[i];
}

int Latency(std::map<std::string, std::string>& o) {
  double rate = o.count("rate") ? std::atof(o["rate"].c_str()) : 1000;
  double seconds = o.count("seconds") ? std::atof(o["seconds"].c_str()) : 30;
  MYSQL* my = Connect(o);
  std::vector<std::string> ids;
  if (mysql_query(my, "SELECT order_id FROM ecom_orders WHERE bench_ts IS NULL")) Die(mysql_error(my));
  MYSQL_RES* res = mysql_store_result(my);
  while (MYSQL_ROW row = mysql_fetch_row(res)) ids.emplace_back(row[0]);
  mysql_free_result(res);
  std::shuffle(ids.begin(), ids.end(), std::mt19937_64(42));
  size_t total = std::min(ids.size(), static_cast<size_t>(rate * seconds));
  if (total == 0) Die("no orders with bench_ts IS NULL to update");

  std::mutex mu;
  std::deque<std::pair<std::string, double>> pending;  // (order_id, time the update was sent)
  std::atomic<bool> driving{true};
  std::vector<double> latencies;
  int64_t lost = 0;
  std::thread watcher([&] {
    Sqlite sink(o["sink"]);
    std::string sql = "SELECT json_extract(doc, '$.bench_ts') FROM " + Quote(o["collection"]) + " WHERE id = ?";
    for (;;) {
      std::pair<std::string, double> front;
      {
        std::lock_guard<std::mutex> lock(mu);
        if (pending.empty()) {
          if (!driving) return;
          front.second = -1;
        } else {
          front = pending.front();
        }
      }
      if (front.second < 0) {
        SleepMs(0.5);
        continue;
      }
      // weft writes in commit order, so while the oldest pending value is not visible, the later
      // ones are not either: polling only the oldest keeps the watcher cheap.
      bool found = false;
      std::string ts = sink.One(sql, front.first, &found);
      double now = Now();
      if (found) {
        latencies.push_back((now - ParseUtc(ts)) * 1000.0);
      } else if (now - front.second > 30) {
        ++lost;
      } else {
        SleepMs(0.5);
        continue;
      }
      std::lock_guard<std::mutex> lock(mu);
      pending.pop_front();
    }
  });

  auto start = Clock::now();
  double began = Now();
  for (size_t i = 0; i < total; ++i) {
    std::this_thread::sleep_until(start + std::chrono::duration<double>(i / rate));
    std::string sql = "UPDATE ecom_orders SET bench_ts = NOW(6) WHERE order_id = '" + ids[i] + "'";
    double sent = Now();
    if (mysql_query(my, sql.c_str())) Die(mysql_error(my));
    std::lock_guard<std::mutex> lock(mu);
    pending.emplace_back(ids[i], sent);
  }
  double drove = Now() - began;
  driving = false;
  watcher.join();
  mysql_close(my);

  if (o.count("out")) {
    FILE* f = std::fopen(o["out"].c_str(), "w");
    if (!f) Die("cannot write " + o["out"]);
    for (double l : latencies) std::fprintf(f, "%.3f\n", l);
    std::fclose(f);
  }
  std::printf("{\"updates\": %zu, \"seconds\": %.3f, \"achieved_rate\": %.1f, \"seen\": %zu, \"lost\": %lld, "
              "\"p50_ms\": %.3f, \"p95_ms\": %.3f, \"p99_ms\": %.3f, \"max_ms\": %.3f}\n",
              total, drove, total / drove, latencies.size(), static_cast<long long>(lost),
              Percentile(latencies, 50), Percentile(latencies, 95), Percentile(latencies, 99),
              Percentile(latencies, 100));
  return lost == 0 ? 0 : 1;
}

int Fetch(std::map<std::string, std::string>& o) {
  o["db"] = "";
  MYSQL* my = Connect(o);
  for (const char* sql : {"SET @master_binlog_checksum = @@global.binlog_checksum", "SET @mariadb_slave_capability = 4"}) {
    if (mysql_query(my, sql)) Die(mysql_error(my));
  }
  MARIADB_RPL* rpl = mariadb_rpl_init(my);
  mariadb_rpl_optionsv(rpl, MARIADB_RPL_SERVER_ID, 5498u);
  mariadb_rpl_optionsv(rpl, MARIADB_RPL_FILENAME, o["file"].c_str(), o["file"].size());
  mariadb_rpl_optionsv(rpl, MARIADB_RPL_START, std::strtoul(o["start"].c_str(), nullptr, 10));
  // NON_BLOCK: the server ends the dump at the current end of the binlog instead of waiting.
  mariadb_rpl_optionsv(rpl, MARIADB_RPL_FLAGS, static_cast<unsigned int>(MARIADB_RPL_BINLOG_DUMP_NON_BLOCK));
  auto start = Clock::now();
  if (mariadb_rpl_open(rpl) != 0) Die(std::string("mariadb_rpl_open: ") + mysql_error(my));
  int64_t events = 0, bytes = 0;
  MARIADB_RPL_EVENT* ev = nullptr;
  while ((ev = mariadb_rpl_fetch(rpl, ev)) != nullptr) {
    ++events;
    bytes += static_cast<int64_t>(ev->raw_data_size - ev->raw_data_ofs);
  }
  double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  if (mysql_errno(my) != 0) Die(std::string("fetch: ") + mysql_error(my));
  mariadb_rpl_close(rpl);
  mysql_close(my);
  std::printf("{\"events\": %lld, \"bytes\": %lld, \"seconds\": %.6f, \"events_per_s\": %.1f, \"mb_per_s\": %.1f}\n",
              static_cast<long long>(events), static_cast<long long>(bytes), seconds, events / seconds,
              bytes / seconds / 1e6);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) Die("usage: olist_probe wait-doc|wait-offset|latency --option value ...");
  std::map<std::string, std::string> o{{"timeout", "3600"}};
  for (int i = 2; i + 1 < argc; i += 2) {
    if (std::strncmp(argv[i], "--", 2) != 0) Die(std::string("bad argument ") + argv[i]);
    o[argv[i] + 2] = argv[i + 1];
  }
  std::string command = argv[1];
  if (command == "wait-doc") return WaitDoc(o);
  if (command == "wait-offset") return WaitOffset(o);
  if (command == "latency") return Latency(o);
  if (command == "fetch") return Fetch(o);
  Die("unknown command " + command);
}
