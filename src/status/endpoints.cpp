#include "status/endpoints.h"

#include "status/prometheus.h"

namespace weft::status {

HttpResponse RouteStatusRequest(const HttpRequest& request, const std::function<Report()>& report) {
  HttpResponse r;
  bool known = request.path == "/status" || request.path == "/metrics";
  if (!known) {
    r.status = 404;
    r.body = "not found: " + request.path + " (weft serves GET /status and GET /metrics)\n";
    return r;
  }
  if (request.method != "GET" && request.method != "HEAD") {
    r.status = 405;
    r.headers.emplace_back("Allow", "GET, HEAD");
    r.body = "method " + request.method + " not allowed: use GET\n";
    return r;
  }
  if (request.path == "/status") {
    r.content_type = "application/json";
    r.body = ToJson(report(), 2) + "\n";
  } else {
    r.content_type = kPrometheusContentType;
    r.body = RenderPrometheus(report());
  }
  return r;
}

}  // namespace weft::status
