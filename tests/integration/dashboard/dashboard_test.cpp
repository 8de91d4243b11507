// The dashboard in a real browser: Debian's headless chromium loads GET / from a live `weft run` on
// the seeds' schema (the order view and an aggregate over it) and the test reads the page as a person
// would: the view names and their state, a throughput figure, the order documents' values in the
// preview, the groups table (sorted by a click on its header). After a source UPDATE the new value
// appears on the page by itself; on a phone-sized screen nothing overflows sideways; when weft stops
// the page says since when it is not responding. Screenshots are kept in the build dir.
#include <doctest/doctest.h>
#include <signal.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <regex>
#include <thread>

#include "integration/dashboard/headless_chromium.h"
#include "integration/harness/mariadb_server.h"
#include "integration/harness/seed_fixture.h"
#include "integration/harness/weft_process.h"
#include "status/http_client.h"

using namespace weft::test;
using nlohmann::json;

namespace {

const char* kAggregateView = R"toml(
[[views]]
name = "orders_by_status"
source = "shop"
root = "ecom_orders"
sink = "local"
  [views.group_by]
  status = "order_status"
  [views.aggregates]
  orders = "count(*)"
)toml";

std::string ArtifactDir() {
  std::filesystem::path dir = std::filesystem::path(WEFT_BINARY).parent_path() / "test-artifacts";
  std::filesystem::create_directories(dir);
  return dir.string();
}

// The groups table of the aggregate view as rows of cell texts, as shown (in the shown order).
const char* kGroupRows =
    "JSON.stringify([...document.querySelectorAll('[data-view=\"orders_by_status\"] table.groups tbody tr')]"
    ".map(tr => [...tr.cells].map(c => c.textContent)))";

json GroupRows(HeadlessChromium& browser, const std::string& tab) {
  json text = browser.Evaluate(tab, kGroupRows);
  return text.is_string() ? json::parse(text.get<std::string>()) : json();
}

// The preview entry of order `id` contains `text`.
std::string DocShows(const std::string& id, const std::string& text) {
  return "[...document.querySelectorAll('[data-view=\"order_single_view\"] .doc')].some(d => d.dataset.id === '" + id +
         "' && d.textContent.includes('" + text + "'))";
}

bool IsPng(const std::string& path) {
  std::string bytes = std::filesystem::exists(path) ? ReadFile(path) : "";
  return bytes.size() > 2000 && bytes.compare(0, 8, "\x89PNG\r\n\x1a\n") == 0;
}

}  // namespace

TEST_CASE("the dashboard shows a live weft in a headless browser, follows an UPDATE, and says when weft stops") {
  std::string chromium = FindChromium();
  if (chromium.empty()) {
    MESSAGE(
        "SKIPPED: no chromium on PATH (apt-get install chromium, or set WEFT_CHROMIUM); the dashboard's "
        "browser test did not run");
    return;
  }
  MariaDBServer server;
  REQUIRE_MESSAGE(server.Start(), server.error());
  CreateSeedSchema(server);
  server.Execute(
      "USE shop;"
      "INSERT INTO ecom_customers (customer_id, customer_unique_id, customer_city, customer_state) VALUES "
      "('C1', 'U1', 'Curitiba', 'PR'), ('C2', 'U2', 'Recife', 'PE');"
      "INSERT INTO ecom_orders (order_id, customer_id, order_status, order_purchase_timestamp) VALUES "
      "('O1', 'C1', 'new', '2024-11-01 10:00:00'), ('O2', 'C1', 'new', '2024-11-01 10:05:00'), "
      "('O3', 'C2', 'new', '2024-11-01 10:10:00'), ('O4', 'C2', 'invoiced', '2024-11-01 10:15:00');");

  std::string dir = MakeTempDir("weft-dashboard-");
  int port = FreePort();
  SeedConfigOptions options;
  options.extra = kAggregateView;
  std::string config = WriteSeedConfig(dir, server, options);
  std::string text = ReadFile(config);
  const std::string off = "listen = \"off\"";
  REQUIRE(text.find(off) != std::string::npos);
  text.replace(text.find(off), off.size(), "listen = \"127.0.0.1:" + std::to_string(port) + "\"");
  WriteFile(config, text);

  WeftProcess weft;
  REQUIRE(weft.Start({"run", "-c", config}, dir));
  REQUIRE_MESSAGE(
      weft.WaitForLog("dashboard on http://127.0.0.1:" + std::to_string(port) + "/ (view previews on)", 30000),
      weft.Stderr());

  HeadlessChromium browser;
  REQUIRE_MESSAGE(browser.Start(chromium, dir), browser.error() << "\n" << browser.Log());
  const std::string url = "http://127.0.0.1:" + std::to_string(port) + "/";
  std::string tab = browser.Open(url, 1280, 1600);
  REQUIRE_MESSAGE(!tab.empty(), browser.error());

  // What a person sees once the snapshot is in: both views, streaming, with their figures.
  bool streaming = browser.WaitFor(
      tab,
      "document.querySelector('[data-view=\"order_single_view\"] .state')?.textContent === 'streaming' && "
      "document.querySelector('[data-view=\"orders_by_status\"] .state')?.textContent === 'streaming' && " +
          DocShows("O1", "Curitiba"),
      60000);
  REQUIRE_MESSAGE(streaming, browser.Evaluate(tab, "document.body.innerText").dump() << "\n" << weft.Stderr());
  json names = browser.Evaluate(tab, "[...document.querySelectorAll('.view h3')].map(h => h.textContent)");
  CHECK(names == json::array({"order_single_view", "orders_by_status"}));
  CHECK(browser.Evaluate(tab, "document.querySelector('[data-source=\"shop\"] .state').textContent") == "streaming");
  std::string rate = browser
                         .Evaluate(tab,
                                   "document.querySelector('[data-view=\"order_single_view\"] .chart .value')"
                                   ".textContent")
                         .get<std::string>();
  CHECK_MESSAGE(std::regex_match(rate, std::regex(R"(\d+\.\d/s)")), rate);
  CHECK(browser.Evaluate(tab, "document.querySelectorAll('[data-view=\"order_single_view\"] canvas').length") == 2);
  // The snapshot table lists the view's tables, each done.
  CHECK(browser.Evaluate(tab,
                         "[...document.querySelectorAll('[data-source=\"shop\"] tr[data-table]')]"
                         ".some(r => r.dataset.table.endsWith('ecom_orders') && r.textContent.includes('done in'))") ==
        true);
  CHECK(browser.WaitFor(tab, DocShows("O4", "invoiced") + " && " + DocShows("O3", "Recife"), 10000));
  CHECK(browser.Evaluate(tab, "document.body.innerText.includes('documents written')") == true);

  // The groups table: click a header to sort by it, again to reverse.
  REQUIRE(browser.WaitFor(
      tab, "document.querySelectorAll('[data-view=\"orders_by_status\"] table.groups tbody tr').length === 2", 10000));
  CHECK(browser.Evaluate(tab,
                         "[...document.querySelectorAll('[data-view=\"orders_by_status\"] table.groups th')]"
                         ".map(th => th.dataset.col)") == json::array({"status", "orders"}));
  browser.Evaluate(tab, "document.querySelector('[data-view=\"orders_by_status\"] th[data-col=\"status\"]').click()");
  CHECK(GroupRows(browser, tab) == json::parse(R"([["invoiced","1"],["new","3"]])"));

  // A source UPDATE: the page follows by itself.
  server.Execute("UPDATE shop.ecom_orders SET order_status = 'dispatched-7421' WHERE order_id = 'O1';");
  bool followed = browser.WaitFor(
      tab, DocShows("O1", "dispatched-7421") + " && " + std::string(kGroupRows) + ".includes('dispatched-7421')",
      30000);
  CHECK_MESSAGE(followed, browser.Evaluate(tab, "document.body.innerText").dump());
  // The newest change is listed first.
  CHECK(browser.Evaluate(tab, "document.querySelector('[data-view=\"order_single_view\"] .doc').dataset.id") == "O1");
  CHECK(GroupRows(browser, tab) == json::parse(R"([["dispatched-7421","1"],["invoiced","1"],["new","2"]])"));
  browser.Evaluate(tab, "document.querySelector('[data-view=\"orders_by_status\"] th[data-col=\"status\"]').click()");
  CHECK(GroupRows(browser, tab) == json::parse(R"([["new","2"],["invoiced","1"],["dispatched-7421","1"]])"));
  browser.Evaluate(tab, "document.querySelector('[data-view=\"orders_by_status\"] th[data-col=\"orders\"]').click()");
  CHECK(GroupRows(browser, tab)[0] == json::array({"new", "2"}));  // numbers: largest first
  // The sort survives the next poll's redraw.
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  CHECK(GroupRows(browser, tab)[0] == json::array({"new", "2"}));

  const std::string artifacts = ArtifactDir();
  const std::string desktop_png = artifacts + "/dashboard.png";
  REQUIRE_MESSAGE(browser.Screenshot(tab, desktop_png), browser.error());
  CHECK(IsPng(desktop_png));
  MESSAGE("dashboard screenshot: " << desktop_png);

  // On a phone-sized screen: the same content, nothing wider than the screen.
  std::string phone = browser.Open(url, 390, 844);
  REQUIRE_MESSAGE(!phone.empty(), browser.error());
  REQUIRE(browser.WaitFor(phone, DocShows("O1", "dispatched-7421"), 20000));
  CHECK(browser.Evaluate(phone, "document.documentElement.scrollWidth <= window.innerWidth") == true);
  CHECK(browser.Evaluate(phone, "document.querySelector('.view').getBoundingClientRect().right <= window.innerWidth") ==
        true);
  const std::string phone_png = artifacts + "/dashboard-phone.png";
  CHECK(browser.Screenshot(phone, phone_png));
  CHECK(IsPng(phone_png));
  MESSAGE("phone-sized screenshot: " << phone_png);

  // weft stops: the page says so instead of showing stale charts.
  weft.Signal(SIGTERM);
  CHECK(weft.Wait(20000) == 0);
  bool banner = browser.WaitFor(tab,
                                "!document.getElementById('banner').hidden && "
                                "getComputedStyle(document.getElementById('live')).display === 'none'",
                                15000);
  CHECK_MESSAGE(banner, browser.Evaluate(tab, "document.body.innerText").dump());
  std::string said = browser.Evaluate(tab, "document.getElementById('banner').textContent").get<std::string>();
  CHECK_MESSAGE(std::regex_search(said, std::regex(R"(^weft is not responding since \d\d:\d\d:\d\d)")), said);
  const std::string down_png = artifacts + "/dashboard-down.png";
  CHECK(browser.Screenshot(tab, down_png));
  MESSAGE("screenshot after weft stopped: " << down_png);
}

TEST_CASE("previews are refused on a listener that is not loopback, unless the config turns them on") {
  MariaDBServer server;
  REQUIRE_MESSAGE(server.Start(), server.error());
  CreateSeedSchema(server);
  server.Execute(
      "USE shop;INSERT INTO ecom_customers (customer_id, customer_unique_id, customer_city) VALUES "
      "('C1','U1','Curitiba');"
      "INSERT INTO ecom_orders (order_id, customer_id, order_status) VALUES ('O1','C1','new');");
  for (const std::string preview : {"", "on"}) {
    CAPTURE(preview);
    std::string dir = MakeTempDir("weft-dashboard-wild-");
    int port = FreePort();
    std::string config = WriteSeedConfig(dir, server);
    std::string text = ReadFile(config);
    const std::string off = "listen = \"off\"";
    text.replace(text.find(off), off.size(),
                 "listen = \"0.0.0.0:" + std::to_string(port) + "\"" +
                     (preview.empty() ? "" : "\npreview = \"" + preview + "\""));
    WriteFile(config, text);
    WeftProcess weft;
    REQUIRE(weft.Start({"run", "-c", config}, dir));
    REQUIRE_MESSAGE(weft.WaitForLog("dashboard on", 30000), weft.Stderr());
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    weft::core::Result<weft::status::ParsedResponse> r = weft::core::Unavailable("not asked yet");
    while (std::chrono::steady_clock::now() < deadline) {
      r = weft::status::HttpGet("127.0.0.1", port, "/preview?view=order_single_view", 5000);
      if (r.ok() && (r->status == 403 || r->body.find("Curitiba") != std::string::npos)) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    REQUIRE_MESSAGE(r.ok(), r.status().ToString());
    if (preview.empty()) {
      CHECK(r->status == 403);
      CHECK(r->body.find("not loopback") != std::string::npos);
      CHECK(r->body.find("Curitiba") == std::string::npos);
      CHECK(weft.CountLog("view previews off: the status listener is on 0.0.0.0, not loopback") == 1);
    } else {
      CHECK(r->status == 200);
      CHECK(r->body.find("Curitiba") != std::string::npos);
    }
    auto page = weft::status::HttpGet("127.0.0.1", port, "/", 5000);  // the page itself is served either way
    REQUIRE(page.ok());
    CHECK(page->status == 200);
    weft.Signal(SIGTERM);
    CHECK(weft.Wait(20000) == 0);
  }
}
