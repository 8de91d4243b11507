// The dashboard's routes (GET /, its assets, /preview with and without permission), the preview rule,
// the query parameters, and the PreviewBuffer behind /preview.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "change/value.h"
#include "change/value_codec.h"
#include "status/endpoints.h"
#include "status/http.h"
#include "status/preview.h"

using namespace weft::status;
using nlohmann::json;
using weft::change::Value;

namespace {

Report OneView() {
  Report r;
  r.version = "0.1.0";
  r.pid = 7;
  ViewFigures v;
  v.name = "orders";
  v.latest_dead_letters.push_back({"O9", "document too large", 1732184400000});
  v.dead_letters = 1;
  r.views.push_back(v);
  return r;
}

std::string Encoded(const std::string& json_text) { return weft::change::EncodeValue(Value::Json(json_text)); }

// A document as the pipeline builds it: an object Value.
std::string Doc(const std::string& id, const std::string& status) {
  weft::change::Object o;
  o.emplace_back("_id", Value::String(id));
  o.emplace_back("order_status", Value::String(status));
  return weft::change::EncodeValue(Value::MakeObject(std::move(o)));
}

HttpResponse Route(const std::string& method, const std::string& url, const StatusRoutes& routes) {
  RequestParser p;
  REQUIRE(p.Feed(method + " " + url + " HTTP/1.1\r\nHost: x\r\n\r\n") == RequestParser::State::kComplete);
  return RouteStatusRequest(p.request(), routes);
}

std::string Header(const HttpResponse& r, const std::string& name) {
  for (const auto& [n, v] : r.headers)
    if (n == name) return v;
  return "";
}

}  // namespace

TEST_CASE("GET / serves the embedded page, which loads only its own style sheet and script") {
  StatusRoutes routes;
  routes.report = OneView;
  HttpResponse page = Route("GET", "/", routes);
  CHECK(page.status == 200);
  CHECK(page.content_type == "text/html; charset=utf-8");
  CHECK(page.body.find("<meta name=\"viewport\"") != std::string::npos);
  CHECK(page.body.find("<script src=\"/dashboard.js\"></script>") != std::string::npos);
  CHECK(page.body.find("href=\"/dashboard.css\"") != std::string::npos);
  CHECK(page.body.find("http://") == std::string::npos);  // nothing from elsewhere
  CHECK(page.body.find("https://") == std::string::npos);
  CHECK(Header(page, "Content-Security-Policy").find("default-src 'self'") != std::string::npos);

  HttpResponse js = Route("GET", "/dashboard.js", routes);
  CHECK(js.status == 200);
  CHECK(js.content_type == "text/javascript; charset=utf-8");
  CHECK(js.body.find("/preview?view=") != std::string::npos);
  CHECK(js.body.find("weft is not responding since ") != std::string::npos);
  CHECK(js.body.find("innerHTML") == std::string::npos);  // customer data goes in as text only
  HttpResponse css = Route("GET", "/dashboard.css", routes);
  CHECK(css.status == 200);
  CHECK(css.content_type == "text/css; charset=utf-8");
  CHECK(css.body.find("@media") != std::string::npos);

  CHECK(Route("HEAD", "/", routes).status == 200);
  HttpResponse post = Route("POST", "/", routes);
  CHECK(post.status == 405);
  CHECK(Header(post, "Allow") == "GET, HEAD");
  CHECK(Route("PUT", "/preview?view=orders", routes).status == 405);
  HttpResponse missing = Route("GET", "/index.html", routes);
  CHECK(missing.status == 404);
  CHECK(missing.body.find("GET / (the dashboard)") != std::string::npos);
  CHECK(Route("GET", "/dashboard.js/x", routes).status == 404);
}

TEST_CASE("/status carries the latest dead letters with their reason") {
  StatusRoutes routes;
  routes.report = OneView;
  json j = json::parse(Route("GET", "/status", routes).body);
  REQUIRE(j["views"][0]["latest_dead_letters"].size() == 1);
  CHECK(j["views"][0]["latest_dead_letters"][0]["id"] == "O9");
  CHECK(j["views"][0]["latest_dead_letters"][0]["reason"] == "document too large");
  CHECK(j["views"][0]["latest_dead_letters"][0]["time"] == "2024-11-21T10:20:00.000Z");
  auto back = ParseReport(ToJson(OneView()));
  REQUIRE(back.ok());
  REQUIRE(back->views[0].latest_dead_letters.size() == 1);
  CHECK(back->views[0].latest_dead_letters[0].reason == "document too large");
}

TEST_CASE("/preview answers only when allowed, and checks its parameters") {
  PreviewBuffer buffer;
  buffer.AddView("orders", PreviewBuffer::Kind::kWide);
  std::string o1 = Doc("O1", "new");
  buffer.Record("orders", "O1", &o1, 1000);
  StatusRoutes routes;
  routes.report = OneView;
  size_t asked_limit = 0;
  routes.preview = [&](const std::string& view, size_t limit) {
    asked_limit = limit;
    return buffer.RenderJson(view, limit);
  };

  routes.preview_allowed = false;
  routes.preview_refusal = "the status listener is on 10.0.0.5, not loopback; set [status] preview = \"on\"";
  HttpResponse refused = Route("GET", "/preview?view=orders", routes);
  CHECK(refused.status == 403);
  CHECK(refused.body.find("customer data") != std::string::npos);
  CHECK(refused.body.find("10.0.0.5, not loopback") != std::string::npos);
  CHECK(refused.body.find("O1") == std::string::npos);

  routes.preview_allowed = true;
  HttpResponse ok = Route("GET", "/preview?view=orders", routes);
  REQUIRE(ok.status == 200);
  CHECK(ok.content_type == "application/json");
  CHECK(asked_limit == kPreviewDefaultLimit);
  json j = json::parse(ok.body);
  CHECK(j["view"] == "orders");
  CHECK(j["kind"] == "wide");
  REQUIRE(j["items"].size() == 1);
  CHECK(j["items"][0]["id"] == "O1");
  CHECK(j["items"][0]["doc"]["order_status"] == "new");

  CHECK(Route("GET", "/preview?view=orders&limit=3", routes).status == 200);
  CHECK(asked_limit == 3);
  CHECK(Route("GET", "/preview?view=orders&limit=100000", routes).status == 200);
  CHECK(asked_limit == kPreviewMaxLimit);
  CHECK(Route("GET", "/preview?view=orders&limit=0", routes).status == 400);
  CHECK(Route("GET", "/preview?view=orders&limit=ten", routes).status == 400);
  CHECK(Route("GET", "/preview", routes).status == 400);
  HttpResponse unknown = Route("GET", "/preview?view=nope", routes);
  CHECK(unknown.status == 404);
  CHECK(unknown.body.find("views: orders") != std::string::npos);

  StatusRoutes without;  // no preview function: refused like a disallowed one
  without.report = OneView;
  without.preview_allowed = true;
  CHECK(Route("GET", "/preview?view=orders", without).status == 403);
}

TEST_CASE("the preview rule: loopback listeners only, unless on or off") {
  std::string why;
  CHECK(PreviewAllowed("loopback", "127.0.0.1", &why));
  CHECK(PreviewAllowed("loopback", "127.10.0.3", &why));
  CHECK(PreviewAllowed("loopback", "::1", &why));
  CHECK_FALSE(PreviewAllowed("loopback", "0.0.0.0", &why));
  CHECK(why.find("0.0.0.0, not loopback") != std::string::npos);
  CHECK(why.find("preview = \"on\"") != std::string::npos);
  CHECK_FALSE(PreviewAllowed("loopback", "::", &why));
  CHECK_FALSE(PreviewAllowed("loopback", "192.168.1.4", &why));
  CHECK(PreviewAllowed("on", "0.0.0.0", &why));
  CHECK_FALSE(PreviewAllowed("off", "127.0.0.1", &why));
  CHECK(why == "[status] preview = \"off\"");
}

TEST_CASE("QueryParam decodes percent and plus, and takes the first occurrence") {
  CHECK(QueryParam("/preview?view=a%20b&limit=5", "view") == std::optional<std::string>("a b"));
  CHECK(QueryParam("/preview?view=a+b", "view") == std::optional<std::string>("a b"));
  CHECK(QueryParam("/preview?limit=5&view=x&view=y", "view") == std::optional<std::string>("x"));
  CHECK(QueryParam("/preview?view=", "view") == std::optional<std::string>(""));
  CHECK(QueryParam("/preview?views=x", "view") == std::nullopt);
  CHECK(QueryParam("/preview", "view") == std::nullopt);
  CHECK(QueryParam("/preview?view=%zz", "view") == std::optional<std::string>("%zz"));
  CHECK(QueryParam("/preview?view=a#frag", "view") == std::optional<std::string>("a"));
}

TEST_CASE("PreviewBuffer: a wide view keeps its newest documents, deletes included") {
  PreviewBuffer buffer;
  buffer.AddView("orders", PreviewBuffer::Kind::kWide);
  for (size_t i = 0; i < PreviewBuffer::kWideDocuments + 10; ++i) {
    std::string doc = Doc("O" + std::to_string(i), "new");
    buffer.Record("orders", "O" + std::to_string(i), &doc, static_cast<int64_t>(i));
  }
  std::string shipped = Doc("O3", "shipped");
  buffer.Record("orders", "O20", &shipped, 2000);  // changed again: now the newest
  buffer.Record("orders", "O21", nullptr, 2001);   // deleted
  buffer.Record("other", "X", &shipped, 1);        // unknown view: ignored

  // The last kWideDocuments writes: O12..O59, then O20 and O21 again; those two show once each.
  json all = json::parse(*buffer.RenderJson("orders", 1000));
  CHECK(all["items"].size() == PreviewBuffer::kWideDocuments - 2);
  CHECK(all["items"].back()["id"] == "O12");
  CHECK(all["items"][0]["id"] == "O21");
  CHECK(all["items"][0]["deleted"] == true);
  CHECK_FALSE(all["items"][0].contains("doc"));
  CHECK(all["items"][1]["id"] == "O20");
  CHECK(all["items"][1]["doc"]["order_status"] == "shipped");
  CHECK(all["items"][1]["changed_ms"] == 2000);
  for (const auto& item : all["items"]) CHECK(item["id"] != "O11");  // the oldest were pushed out
  int o20 = 0;
  for (const auto& item : all["items"]) o20 += item["id"] == "O20";
  CHECK(o20 == 1);
  json two = json::parse(*buffer.RenderJson("orders", 2));
  CHECK(two["items"].size() == 2);
  CHECK_FALSE(buffer.RenderJson("other", 5).ok());

  std::string big = Encoded("\"" + std::string(PreviewBuffer::kMaxDocumentBytes, 'x') + "\"");
  buffer.Record("orders", "BIG", &big, 3000);
  json with_big = json::parse(*buffer.RenderJson("orders", 1));
  CHECK(with_big["items"][0]["id"] == "BIG");
  CHECK_FALSE(with_big["items"][0].contains("doc"));
  CHECK(with_big["items"][0]["too_large_bytes"] == big.size());
}

TEST_CASE("PreviewBuffer: an aggregate view holds its current groups; a deleted group leaves") {
  PreviewBuffer buffer;
  buffer.AddView("revenue", PreviewBuffer::Kind::kAggregate);
  std::string sp = Encoded("{\"_id\":\"SP\",\"country\":\"SP\",\"revenue\":10}");
  std::string rj = Encoded("{\"_id\":\"RJ\",\"country\":\"RJ\",\"revenue\":5}");
  std::string sp2 = Encoded("{\"_id\":\"SP\",\"country\":\"SP\",\"revenue\":25}");
  buffer.Record("revenue", "SP", &sp, 1);
  buffer.Record("revenue", "RJ", &rj, 2);
  buffer.Record("revenue", "SP", &sp2, 3);
  buffer.Record("revenue", "MG", nullptr, 4);  // a delete of a group never seen: nothing to show
  json j = json::parse(*buffer.RenderJson("revenue", 100));
  CHECK(j["kind"] == "aggregate");
  REQUIRE(j["items"].size() == 2);
  CHECK(j["items"][0]["doc"]["revenue"] == 25);
  CHECK(j["items"][1]["doc"]["country"] == "RJ");
  buffer.Record("revenue", "RJ", nullptr, 5);
  j = json::parse(*buffer.RenderJson("revenue", 100));
  REQUIRE(j["items"].size() == 1);
  CHECK(j["items"][0]["id"] == "SP");
  CHECK(j["evicted"] == false);

  for (size_t i = 0; i < PreviewBuffer::kAggregateGroups + 1; ++i) {
    std::string g = Encoded("{\"n\":" + std::to_string(i) + "}");
    buffer.Record("revenue", "g" + std::to_string(i), &g, 10);
  }
  j = json::parse(*buffer.RenderJson("revenue", 10000));
  CHECK(j["items"].size() == PreviewBuffer::kAggregateGroups);
  CHECK(j["evicted"] == true);
}
