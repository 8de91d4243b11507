#pragma once
// HttpGet: a blocking HTTP GET for `weft status`, a command-line client (never used on the loop).
// Connects to host:port (an IPv4 or IPv6 literal), sends one request with Connection: close, and
// reads the response until the server closes, all within timeout_ms.
// Errors: kUnavailable when nothing listens (the message says "connection refused") or the
// exchange times out; kInvalidArgument when the answer is not HTTP.

#include <string>

#include "core/status.h"
#include "status/http.h"

namespace weft::status {

core::Result<ParsedResponse> HttpGet(const std::string& host, int port, const std::string& path, int timeout_ms);

}  // namespace weft::status
