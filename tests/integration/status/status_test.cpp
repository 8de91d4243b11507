// /status, /metrics and `weft status` against a live `weft run` on the seeds' schema: the figures
// move exactly as changes flow, the delay returns to 0 when idle, the figures outlive the process
// in the state DB, a source outage shows as retrying, and a busy port is only a warning.
#include <doctest/doctest.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <functional>
#include <regex>
#include <thread>

#include <nlohmann/json.hpp>

#include "integration/harness/mariadb_server.h"
#include "integration/harness/seed_fixture.h"
#include "integration/harness/weft_process.h"
#include "status/http_client.h"

using namespace weft::test;
using nlohmann::json;

namespace {

// The seeds' config with the status endpoint on `port` instead of "off".
std::string WriteConfig(const std::string& dir, const MariaDBServer& server, int port) {
  std::string path = WriteSeedConfig(dir, server);
  std::string text = ReadFile(path);
  const std::string off = "listen = \"off\"";
  REQUIRE(text.find(off) != std::string::npos);
  text.replace(text.find(off), off.size(), "listen = \"127.0.0.1:" + std::to_string(port) + "\"");
  WriteFile(path, text);
  return path;
}

std::optional<json> GetStatus(int port) {
  auto r = weft::status::HttpGet("127.0.0.1", port, "/status", 5000);
  if (!r.ok() || r->status != 200) return std::nullopt;
  return json::parse(r->body);
}

std::string GetMetrics(int port) {
  auto r = weft::status::HttpGet("127.0.0.1", port, "/metrics", 5000);
  REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  CHECK(r->status == 200);
  CHECK(r->content_type == "text/plain; version=0.0.4; charset=utf-8");
  return r->body;
}

// Polls /status until `ok` holds (or the deadline); returns the last figures seen.
json WaitForStatus(int port, WeftProcess& weft, const std::function<bool(const json&)>& ok, int timeout_ms = 30000) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  json last;
  while (std::chrono::steady_clock::now() < deadline && weft.running()) {
    if (auto s = GetStatus(port)) {
      last = *s;
      if (ok(last)) return last;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return last;
}

bool WaitForStderr(WeftProcess& weft, const std::string& needle, int timeout_ms = 30000) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (std::chrono::steady_clock::now() < deadline) {
    if (weft.Stderr().find(needle) != std::string::npos) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

// The value of one sample line of the Prometheus text ("" when absent).
std::string Sample(const std::string& metrics, const std::string& series) {
  size_t at = metrics.find("\n" + series + " ");
  if (at == std::string::npos) return "";
  size_t start = at + series.size() + 2;
  return metrics.substr(start, metrics.find('\n', start) - start);
}

const char* kOrder = "INSERT INTO ecom_orders (order_id, customer_id, order_status, order_purchase_timestamp) VALUES ";

}  // namespace

TEST_CASE("/status, /metrics and weft status follow a live run; the figures outlive it") {
  MariaDBServer server;
  REQUIRE_MESSAGE(server.Start(), server.error());
  CreateSeedSchema(server);
  server.Execute(
      "USE shop;"
      "INSERT INTO ecom_customers (customer_id, customer_unique_id) VALUES ('C1', 'U1'), ('C2', 'U2');"
      "INSERT INTO ecom_orders (order_id, customer_id, order_status, order_purchase_timestamp) VALUES "
      "('O1', 'C1', 'new', '2024-11-01 10:00:00'), ('O2', 'C1', 'new', '2024-11-01 10:00:00'), "
      "('O3', 'C2', 'new', '2024-11-01 10:00:00');"
      "CREATE TABLE audit (id INT PRIMARY KEY, note TEXT);");  // no view reads it
  std::string dir = MakeTempDir("weft-status-");
  int port = FreePort();
  std::string config = WriteConfig(dir, server, port);

  // Before any run: nothing listens, nothing saved.
  WeftResult before = RunWeft({"status", "-c", config});
  CHECK(before.exit_code == 3);
  CHECK(before.out.find("weft is not running for " + config + " (nothing listens on 127.0.0.1:" +
                        std::to_string(port) + ")") != std::string::npos);
  CHECK(before.out.find("does not exist") != std::string::npos);

  WeftProcess weft;
  REQUIRE(weft.Start({"run", "-c", config}, dir));
  CHECK(WaitForStderr(weft, "serving GET /status and GET /metrics on http://127.0.0.1:" + std::to_string(port)));

  // After the snapshot: 5 rows read, the 3 documents written.
  json s0 = WaitForStatus(port, weft, [](const json& s) {
    return s["views"][0]["documents_total"] == 3 && s["views"][0]["outbox_depth"] == 0 &&
           s["sources"][0]["snapshot"]["done"] == true;
  });
  REQUIRE_MESSAGE(s0["views"][0]["documents_total"] == 3, s0.dump(2) << weft.Stderr());
  CHECK(s0["weft"]["state"] == "running");
  CHECK(s0["weft"]["pid"] == weft.pid());
  CHECK(s0["weft"]["config"] == config);
  CHECK(s0["sources"][0]["name"] == "shop");
  CHECK(s0["sources"][0]["rows_total"] == 5);
  CHECK(s0["views"][0]["name"] == "order_single_view");
  CHECK(s0["views"][0]["sink"] == "local");
  CHECK(s0["views"][0]["rows_total"] == 5);
  json tables = s0["sources"][0]["snapshot"]["tables"];
  uint64_t snapshot_rows = 0;
  for (const auto& t : tables) snapshot_rows += t["rows_done"].get<uint64_t>();
  CHECK(snapshot_rows == 5);

  // Exactly 12 row changes on the view's tables, plus changes no view reads.
  const uint64_t kChanges = 12;
  server.Execute(std::string("USE shop;") + kOrder +
                 "('O4','C1','new','2024-11-02 10:00:00'), ('O5','C1','new','2024-11-02 10:00:00'), "
                 "('O6','C2','new','2024-11-02 10:00:00'), ('O7','C2','new','2024-11-02 10:00:00'), "
                 "('O8','C2','new','2024-11-02 10:00:00');"                               // 5
                 "UPDATE ecom_orders SET order_status = 'shipped' WHERE order_id IN ('O1','O2','O3');"  // 3
                 "DELETE FROM ecom_orders WHERE order_id = 'O3';"                         // 1
                 "INSERT INTO ecom_customers (customer_id, customer_unique_id) VALUES ('C3', 'U3');"  // 1
                 "BEGIN; UPDATE ecom_customers SET customer_city = 'Lyon' WHERE customer_id = 'C1';"
                 "UPDATE ecom_orders SET customer_id = 'C3' WHERE order_id = 'O7'; COMMIT;"  // 2
                 "INSERT INTO audit VALUES (1, 'x'), (2, 'y'); UPDATE audit SET note = 'z';");
  json s1 = WaitForStatus(port, weft, [&](const json& s) {
    return s["sources"][0]["rows_total"] == 5 + kChanges && s["views"][0]["outbox_depth"] == 0;
  });
  REQUIRE_MESSAGE(s1["sources"][0]["rows_total"] == 5 + kChanges, s1.dump(2));
  std::this_thread::sleep_for(std::chrono::seconds(2));  // nothing more may be counted
  json s2 = *GetStatus(port);
  CHECK(s2["sources"][0]["rows_total"] == 5 + kChanges);
  CHECK(s2["views"][0]["rows_total"] == 5 + kChanges);
  // 8 documents changed (O1, O2, O4-O8 written, O3 deleted); a document changed twice between two
  // sink writes is written once, so this is a lower bound.
  uint64_t docs = s2["views"][0]["documents_total"].get<uint64_t>();
  CHECK(docs >= 3 + 8);
  CHECK(s2["views"][0]["documents_deleted_total"].get<uint64_t>() >= 1);
  CHECK(s2["views"][0]["outbox_depth"] == 0);
  CHECK(s2["views"][0]["dead_letters"] == 0);
  CHECK(s2["sources"][0]["rows_per_s"].get<double>() > 0);
  CHECK(s2["sources"][0]["last_change_ms"].get<int64_t>() > 0);
  CHECK(s2["sources"][0]["offset"].get<std::string>().find("gtid=") != std::string::npos);

  std::string metrics = GetMetrics(port);
  CHECK(Sample(metrics, "weft_up") == "1");
  CHECK(Sample(metrics, "weft_rows_total{source=\"shop\"}") == std::to_string(5 + kChanges));
  CHECK(Sample(metrics, "weft_view_rows_total{view=\"order_single_view\",source=\"shop\"}") ==
        std::to_string(5 + kChanges));
  CHECK(Sample(metrics, "weft_documents_total{view=\"order_single_view\",sink=\"local\"}") == std::to_string(docs));
  CHECK(Sample(metrics, "weft_outbox_depth{view=\"order_single_view\",sink=\"local\"}") == "0");
  CHECK(Sample(metrics, "weft_dead_letters_total{view=\"order_single_view\",sink=\"local\"}") == "0");
  CHECK(Sample(metrics, "weft_view_state{view=\"order_single_view\",state=\"streaming\"}") == "1");
  CHECK(Sample(metrics, "weft_snapshot_rows{source=\"shop\",table=\"ecom_orders\"}") == "3");
  CHECK(!Sample(metrics, "weft_delay_milliseconds{view=\"order_single_view\",source=\"shop\",sink=\"local\"}").empty());

  // Idle: the next heartbeat (every 5 s) shows the stream caught up, and the delay is 0.
  json idle = WaitForStatus(port, weft, [](const json& s) {
    return s["sources"][0]["caught_up"] == true && s["sources"][0]["delay_ms"] == 0 && s["views"][0]["delay_ms"] == 0;
  }, 20000);
  CHECK_MESSAGE(idle["views"][0]["delay_ms"] == 0, idle.dump(2));
  CHECK(idle["sources"][0]["state"] == "streaming");
  metrics = GetMetrics(port);
  CHECK(Sample(metrics, "weft_delay_milliseconds{view=\"order_single_view\",source=\"shop\",sink=\"local\"}") == "0");
  CHECK(Sample(metrics, "weft_source_delay_milliseconds{source=\"shop\"}") == "0");

  // A change after idling: the delay is no longer 0 until the stream is caught up again.
  server.Execute("UPDATE shop.ecom_orders SET order_status = 'delivered' WHERE order_id = 'O1'");
  json moved = WaitForStatus(port, weft, [&](const json& s) { return s["sources"][0]["rows_total"] == 6 + kChanges; });
  CHECK(moved["sources"][0]["caught_up"] == false);
  idle = WaitForStatus(port, weft, [](const json& s) { return s["views"][0]["delay_ms"] == 0; }, 20000);
  CHECK(idle["views"][0]["delay_ms"] == 0);

  WeftResult text = RunWeft({"status", "-c", config});
  CHECK(text.exit_code == 0);
  CHECK_MESSAGE(std::regex_search(text.out, std::regex("^order_single_view: streaming, qps [0-9]+\\.[0-9], total rows " +
                                                      std::to_string(6 + kChanges) + ", delay 0ms, documents [0-9]+")),
                text.out);
  CHECK(text.out.find("  source shop: streaming, ") != std::string::npos);
  WeftResult as_json = RunWeft({"status", "-c", config, "--json"});
  CHECK(as_json.exit_code == 0);
  json j = json::parse(as_json.out);
  CHECK(j["views"][0]["rows_total"] == 6 + kChanges);
  CHECK(j["weft"]["pid"] == weft.pid());

  weft.Signal(SIGTERM);
  REQUIRE(weft.Wait(20000) == 0);

  WeftResult after = RunWeft({"status", "-c", config});
  CHECK(after.exit_code == 3);
  CHECK_MESSAGE(after.out.find("weft is not running for " + config + " (nothing listens on 127.0.0.1:" +
                               std::to_string(port) + "); last figures from the state DB at 20") != std::string::npos,
                after.out);
  CHECK(after.out.find("(saved when weft stopped):\n") != std::string::npos);
  CHECK(after.out.find("order_single_view: stopped, qps 0.0, total rows " + std::to_string(6 + kChanges) + ", ") !=
        std::string::npos);
  WeftResult after_json = RunWeft({"status", "-c", config, "--json"});
  CHECK(after_json.exit_code == 3);
  CHECK(after_json.err.find("weft is not running") != std::string::npos);
  json saved = json::parse(after_json.out);
  CHECK(saved["weft"]["state"] == "stopped");
  CHECK(saved["sources"][0]["rows_total"] == 6 + kChanges);
  CHECK(saved["views"][0]["documents_total"].get<uint64_t>() >= docs + 1);
  RemoveTree(dir);
}

TEST_CASE("a source outage shows as retrying with a growing delay, then streaming again") {
  MariaDBServer server;
  REQUIRE_MESSAGE(server.Start(), server.error());
  CreateSeedSchema(server);
  std::string dir = MakeTempDir("weft-status-retry-");
  int port = FreePort();
  std::string config = WriteConfig(dir, server, port);
  WeftProcess weft;
  REQUIRE(weft.Start({"run", "-c", config}, dir));
  json s = WaitForStatus(port, weft, [](const json& s) { return s["sources"][0]["caught_up"] == true; }, 30000);
  REQUIRE_MESSAGE(s["sources"][0]["caught_up"] == true, s.dump(2) << weft.Stderr());

  server.Stop();
  s = WaitForStatus(port, weft, [](const json& s) { return s["sources"][0]["state"] == "retrying"; });
  CHECK_MESSAGE(s["sources"][0]["state"] == "retrying", s.dump(2));
  CHECK(s["views"][0]["state"] == "retrying");
  WeftResult text = RunWeft({"status", "-c", config});
  CHECK(text.out.find("order_single_view: retrying, ") == 0);
  // With no word from the source, the delay grows (it can no longer be known to be small).
  s = WaitForStatus(port, weft, [](const json& s) { return s["views"][0]["delay_ms"].get<int64_t>() > 5000; });
  CHECK(s["views"][0]["delay_ms"].get<int64_t>() > 5000);

  REQUIRE(server.StartAgain());
  s = WaitForStatus(port, weft, [](const json& s) {
    return s["sources"][0]["state"] == "streaming" && s["sources"][0]["delay_ms"] == 0;
  }, 60000);
  CHECK_MESSAGE(s["sources"][0]["state"] == "streaming", s.dump(2) << weft.Stderr());
  CHECK(s["sources"][0]["delay_ms"] == 0);
  weft.Signal(SIGTERM);
  CHECK(weft.Wait(20000) == 0);
  RemoveTree(dir);
}

TEST_CASE("a busy status port is a warning: weft runs on without the endpoint") {
  MariaDBServer server;
  REQUIRE_MESSAGE(server.Start(), server.error());
  CreateSeedSchema(server);
  std::string dir = MakeTempDir("weft-status-busy-");
  // Another process holds the port.
  int holder = socket(AF_INET, SOCK_STREAM, 0);
  int one = 1;
  setsockopt(holder, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  REQUIRE(bind(holder, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  REQUIRE(listen(holder, 4) == 0);
  getsockname(holder, reinterpret_cast<sockaddr*>(&addr), &len);
  int port = ntohs(addr.sin_port);
  std::string config = WriteConfig(dir, server, port);

  WeftProcess weft;
  REQUIRE(weft.Start({"run", "-c", config}, dir));
  CHECK(WaitForStderr(weft, "warn  status  cannot listen on 127.0.0.1:" + std::to_string(port) +
                                ": address already in use: running without the status endpoint"));
  // It keeps working: a new order reaches the sink.
  server.Execute(std::string("USE shop;") + kOrder + "('B1', 'C1', 'new', '2024-11-02 10:00:00')");
  bool written = false;
  for (int i = 0; i < 300 && !written && weft.running(); ++i) {
    written = ReadSqliteDocs(dir + "/docs.db", "orderSingleView").count("B1") == 1;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  CHECK_MESSAGE(written, weft.Stderr());
  CHECK(weft.running());
  close(holder);

  // Nobody answers for this config; the figures weft saves every 5 s are shown.
  WeftResult status;
  for (int i = 0; i < 30; ++i) {
    status = RunWeft({"status", "-c", config});
    if (status.out.find("last figures from the state DB at") != std::string::npos) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  CHECK(status.exit_code == 3);
  CHECK(status.out.find("weft is not running for") != std::string::npos);
  CHECK_MESSAGE(status.out.find("(saved while weft ran: it did not stop cleanly, or runs without its endpoint):\n"
                                "order_single_view: streaming") != std::string::npos,
                status.out);
  weft.Signal(SIGTERM);
  CHECK(weft.Wait(20000) == 0);
  RemoveTree(dir);
}

TEST_CASE("listen = \"off\": no endpoint, and weft status says why") {
  MariaDBServer server;
  REQUIRE_MESSAGE(server.Start(), server.error());
  std::string dir = MakeTempDir("weft-status-off-");
  std::string config = WriteSeedConfig(dir, server);  // listen = "off"
  WeftResult r = RunWeft({"status", "-c", config});
  CHECK(r.exit_code == 3);
  CHECK(r.out.find("weft is not running for " + config + " ([status] listen = \"off\": a running weft cannot be asked)") !=
        std::string::npos);
  RemoveTree(dir);
}
