#pragma once
// The routes of the status server, as a pure function of the request (unit-testable without a
// socket):
//   GET /                 the dashboard page (status/dashboard/: HTML, CSS and script embedded in the
//   GET /dashboard.css    binary at build time; the page loads only these and polls the two JSON
//   GET /dashboard.js     routes below, so it needs nothing from the network)
//   GET /status           the figures as JSON
//   GET /metrics          Prometheus text
//   GET /preview?view=NAME&limit=N   the view's live preview (status/preview.h) as JSON; 403 when
//                         previews are not allowed (they show customer data: see StatusRoutes), 400
//                         without a view, 404 for an unknown view
// HEAD likewise without the body; any other path 404, any other method 405 (Allow: GET, HEAD).

#include <cstddef>
#include <functional>
#include <string>

#include "core/status.h"
#include "status/figures.h"
#include "status/http.h"

namespace weft::status {

struct StatusRoutes {
  std::function<Report()> report;
  // The preview JSON of `view`, at most `limit` entries (PreviewBuffer::RenderJson). Unset: /preview
  // answers 403 like a refused one.
  std::function<core::Result<std::string>(const std::string& view, size_t limit)> preview;
  // Whether /preview may answer: the config's [status] preview rule applied to the listener
  // (PreviewAllowed). When false, `preview_refusal` says why and what to change.
  bool preview_allowed = false;
  std::string preview_refusal = "previews are off";
};

// Default and maximum of /preview's limit.
inline constexpr size_t kPreviewDefaultLimit = 20;
inline constexpr size_t kPreviewMaxLimit = 500;

HttpResponse RouteStatusRequest(const HttpRequest& request, const StatusRoutes& routes);
// The same without previews.
HttpResponse RouteStatusRequest(const HttpRequest& request, const std::function<Report()>& report);

// The [status] preview rule: "on" always, "off" never, "loopback" only when `listen_host` is a
// loopback address (127.0.0.0/8, ::1). Sets *refusal to the reason when it returns false.
bool PreviewAllowed(const std::string& preview_rule, const std::string& listen_host, std::string* refusal);
bool IsLoopbackHost(const std::string& host);

}  // namespace weft::status
