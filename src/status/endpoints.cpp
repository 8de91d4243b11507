#include "status/endpoints.h"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>
#include <cstring>

#include "status/dashboard_assets.h"
#include "status/prometheus.h"

namespace weft::status {

namespace {

HttpResponse Text(int status, std::string body) {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

// The page and its assets: same-origin only (nothing else may load), never framed, no sniffing.
HttpResponse Asset(std::string_view body, const char* content_type) {
  HttpResponse r;
  r.content_type = content_type;
  r.body = std::string(body);
  r.headers.emplace_back("Content-Security-Policy",
                         "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'");
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  r.headers.emplace_back("Referrer-Policy", "no-referrer");
  return r;
}

HttpResponse Preview(const HttpRequest& request, const StatusRoutes& routes) {
  if (!routes.preview_allowed || !routes.preview) {
    return Text(403, "previews show customer data and are not served here: " + routes.preview_refusal + "\n");
  }
  auto view = QueryParam(request.url, "view");
  if (!view || view->empty()) return Text(400, "GET /preview needs ?view=NAME (and optionally &limit=N)\n");
  size_t limit = kPreviewDefaultLimit;
  if (auto text = QueryParam(request.url, "limit")) {
    size_t n = 0;
    auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), n);
    if (ec != std::errc() || end != text->data() + text->size() || n == 0) {
      return Text(400, "limit must be a positive number of documents, not \"" + *text + "\"\n");
    }
    limit = std::min(n, kPreviewMaxLimit);
  }
  auto json = routes.preview(*view, limit);
  if (!json.ok()) {
    return Text(json.status().code() == core::Code::kNotFound ? 404 : 500, json.status().message() + "\n");
  }
  HttpResponse r;
  r.content_type = "application/json";
  r.body = std::move(*json) + "\n";
  return r;
}

}  // namespace

HttpResponse RouteStatusRequest(const HttpRequest& request, const StatusRoutes& routes) {
  const std::string& path = request.path;
  bool known = path == "/" || path == "/dashboard.css" || path == "/dashboard.js" || path == "/status" ||
               path == "/metrics" || path == "/preview";
  if (!known) {
    return Text(
        404, "not found: " + path + " (weft serves GET / (the dashboard), /status, /metrics and /preview?view=NAME)\n");
  }
  if (request.method != "GET" && request.method != "HEAD") {
    HttpResponse r = Text(405, "method " + request.method + " not allowed: use GET\n");
    r.headers.emplace_back("Allow", "GET, HEAD");
    return r;
  }
  if (path == "/") return Asset(kDashboardHtml, "text/html; charset=utf-8");
  if (path == "/dashboard.css") return Asset(kDashboardCss, "text/css; charset=utf-8");
  if (path == "/dashboard.js") return Asset(kDashboardJs, "text/javascript; charset=utf-8");
  if (path == "/preview") return Preview(request, routes);
  HttpResponse r;
  if (path == "/status") {
    r.content_type = "application/json";
    r.body = ToJson(routes.report(), 2) + "\n";
  } else {
    r.content_type = kPrometheusContentType;
    r.body = RenderPrometheus(routes.report());
  }
  return r;
}

HttpResponse RouteStatusRequest(const HttpRequest& request, const std::function<Report()>& report) {
  StatusRoutes routes;
  routes.report = report;
  return RouteStatusRequest(request, routes);
}

bool IsLoopbackHost(const std::string& host) {
  in_addr v4;
  if (inet_pton(AF_INET, host.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
  in6_addr v6;
  if (inet_pton(AF_INET6, host.c_str(), &v6) == 1) return std::memcmp(&v6, &in6addr_loopback, sizeof v6) == 0;
  return false;
}

bool PreviewAllowed(const std::string& preview_rule, const std::string& listen_host, std::string* refusal) {
  if (preview_rule == "on") return true;
  if (preview_rule == "off") {
    *refusal = "[status] preview = \"off\"";
    return false;
  }
  if (IsLoopbackHost(listen_host)) return true;
  *refusal = "the status listener is on " + listen_host +
             ", not loopback; set [status] preview = \"on\" to serve previews there anyway";
  return false;
}

}  // namespace weft::status
