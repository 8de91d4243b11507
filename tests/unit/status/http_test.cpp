// HTTP message handling of the status endpoint: requests fed in every possible split, errors,
// limits, responses serialized and parsed back, and the routes.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "status/endpoints.h"
#include "status/http.h"
#include "status/prometheus.h"

using namespace weft::status;

namespace {

const std::string kRequest =
    "GET /metrics?name[]=weft_up HTTP/1.1\r\nHost: 127.0.0.1:8089\r\nUser-Agent: Prometheus/2.45\r\n"
    "Accept: text/plain\r\n\r\n";

Report SmallReport() {
  Report r;
  r.version = "0.1.0";
  r.pid = 42;
  r.config_path = "/etc/weft/weft.toml";
  r.state_db_path = "/var/lib/weft/state.db";
  r.started_ms = 1732184400000;
  r.time_ms = 1732184412345;
  SourceFigures s;
  s.name = "shop";
  s.state = RunState::kStreaming;
  s.rows_total = 7;
  r.sources.push_back(s);
  ViewFigures v;
  v.name = "order_single_view";
  v.source = "shop";
  v.sink = "local";
  v.collection = "orderSingleView";
  v.state = RunState::kStreaming;
  v.rows_total = 7;
  v.documents_total = 3;
  r.views.push_back(v);
  return r;
}

}  // namespace

TEST_CASE("a request split at every byte boundary parses the same") {
  for (size_t split = 0; split <= kRequest.size(); ++split) {
    CAPTURE(split);
    RequestParser p;
    auto first = p.Feed(std::string_view(kRequest).substr(0, split));
    if (split < kRequest.size()) CHECK(first == RequestParser::State::kIncomplete);
    auto second = p.Feed(std::string_view(kRequest).substr(split));
    REQUIRE(second == RequestParser::State::kComplete);
    CHECK(p.request().method == "GET");
    CHECK(p.request().url == "/metrics?name[]=weft_up");
    CHECK(p.request().path == "/metrics");
  }
}

TEST_CASE("a request fed one byte at a time completes only at its last byte") {
  RequestParser p;
  for (size_t i = 0; i < kRequest.size(); ++i) {
    auto state = p.Feed(std::string_view(&kRequest[i], 1));
    if (i + 1 < kRequest.size()) {
      REQUIRE(state == RequestParser::State::kIncomplete);
    } else {
      CHECK(state == RequestParser::State::kComplete);
    }
  }
  CHECK(p.request().path == "/metrics");
}

TEST_CASE("bytes after a complete request (pipelining) are not parsed") {
  RequestParser p;
  CHECK(p.Feed("GET /status HTTP/1.1\r\n\r\nPOST /metrics HTTP/1.1\r\n\r\n") == RequestParser::State::kComplete);
  CHECK(p.request().method == "GET");
  CHECK(p.request().path == "/status");
  CHECK(p.Feed("more") == RequestParser::State::kComplete);
  CHECK(p.request().path == "/status");
}

TEST_CASE("HTTP/1.0 and a request with a body") {
  RequestParser p10;
  CHECK(p10.Feed("GET /status HTTP/1.0\r\n\r\n") == RequestParser::State::kComplete);
  RequestParser body;
  CHECK(body.Feed("POST /status HTTP/1.1\r\nContent-Length: 5\r\n\r\nab") == RequestParser::State::kIncomplete);
  CHECK(body.Feed("cde") == RequestParser::State::kComplete);
  CHECK(body.request().method == "POST");
}

TEST_CASE("malformed, oversized and cut-short requests are errors with the status to answer") {
  RequestParser garbage;
  CHECK(garbage.Feed("HELLO\r\n\r\n") == RequestParser::State::kError);
  CHECK(garbage.error_status() == 400);
  CHECK(garbage.error().find("malformed request") != std::string::npos);

  RequestParser huge;
  std::string header = "GET /status HTTP/1.1\r\nX-Long: " + std::string(RequestParser::kMaxRequestBytes, 'a');
  RequestParser::State state = RequestParser::State::kIncomplete;
  for (size_t at = 0; at < header.size() && state == RequestParser::State::kIncomplete; at += 1000) {
    state = huge.Feed(std::string_view(header).substr(at, 1000));
  }
  CHECK(state == RequestParser::State::kError);
  CHECK(huge.error_status() == 431);

  RequestParser cut;
  CHECK(cut.Feed("GET /status HTTP/1.1\r\nHost: x\r\n") == RequestParser::State::kIncomplete);
  CHECK(cut.Finish() == RequestParser::State::kError);
  CHECK(cut.error_status() == 400);

  RequestParser done;
  CHECK(done.Feed("GET /status HTTP/1.1\r\n\r\n") == RequestParser::State::kComplete);
  CHECK(done.Finish() == RequestParser::State::kComplete);
}

TEST_CASE("a serialized response parses back; HEAD gets the headers only") {
  HttpResponse r;
  r.status = 405;
  r.content_type = "application/json";
  r.body = "{\"a\":1}\n";
  r.headers.emplace_back("Allow", "GET, HEAD");
  std::string wire = SerializeResponse(r);
  CHECK(wire.rfind("HTTP/1.1 405 Method Not Allowed\r\n", 0) == 0);
  CHECK(wire.find("\r\nContent-Length: 8\r\n") != std::string::npos);
  CHECK(wire.find("\r\nConnection: close\r\n") != std::string::npos);
  CHECK(wire.find("\r\nAllow: GET, HEAD\r\n") != std::string::npos);
  auto parsed = ParseResponse(wire);
  REQUIRE(parsed.ok());
  CHECK(parsed->status == 405);
  CHECK(parsed->content_type == "application/json");
  CHECK(parsed->body == r.body);

  std::string head = SerializeResponse(r, true);
  CHECK(head.size() == wire.size() - r.body.size());
  CHECK(head.find("Content-Length: 8") != std::string::npos);

  CHECK(!ParseResponse(wire.substr(0, wire.size() - 3)).ok());  // body cut short
  CHECK(!ParseResponse("SSH-2.0-OpenSSH_9.2\r\n").ok());
}

TEST_CASE("routes: /status JSON, /metrics Prometheus, 404, 405") {
  auto route = [](const std::string& method, const std::string& url) {
    RequestParser p;
    REQUIRE(p.Feed(method + " " + url + " HTTP/1.1\r\n\r\n") == RequestParser::State::kComplete);
    return RouteStatusRequest(p.request(), [] { return SmallReport(); });
  };
  HttpResponse status = route("GET", "/status");
  CHECK(status.status == 200);
  CHECK(status.content_type == "application/json");
  auto j = nlohmann::json::parse(status.body);
  CHECK(j["views"][0]["name"] == "order_single_view");
  CHECK(j["views"][0]["documents_total"] == 3);
  CHECK(j["weft"]["pid"] == 42);

  HttpResponse metrics = route("GET", "/metrics?x=1");
  CHECK(metrics.status == 200);
  CHECK(metrics.content_type == kPrometheusContentType);
  CHECK(metrics.body.find("weft_documents_total{view=\"order_single_view\",sink=\"local\"} 3\n") != std::string::npos);

  CHECK(route("HEAD", "/status").status == 200);
  CHECK(route("GET", "/").status == 200);  // the dashboard (dashboard_test.cpp)
  CHECK(route("GET", "/statusx").status == 404);
  HttpResponse post = route("POST", "/status");
  CHECK(post.status == 405);
  REQUIRE(post.headers.size() == 1);
  CHECK(post.headers[0] == std::pair<std::string, std::string>("Allow", "GET, HEAD"));
  CHECK(route("DELETE", "/metrics").status == 405);
}
