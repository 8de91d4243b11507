#pragma once
// The routes of the status server, as a pure function of the request (unit-testable without a
// socket): GET /status -> the figures as JSON, GET /metrics -> Prometheus text, HEAD likewise
// without the body; any other path 404, any other method 405 (with Allow: GET, HEAD). Query
// strings are ignored.

#include <functional>

#include "status/figures.h"
#include "status/http.h"

namespace weft::status {

HttpResponse RouteStatusRequest(const HttpRequest& request, const std::function<Report()>& report);

}  // namespace weft::status
