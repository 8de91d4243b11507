#pragma once
// HTTP/1.x messages for the status endpoint, parsed with Debian's libhttp-parser (http_parser.h):
// RequestParser takes a request in arbitrary pieces (partial reads), ParseResponse reads a whole
// response (for `weft status`, the client side). Responses are always complete with a
// Content-Length; the server closes the connection after each one (Connection: close), so
// keep-alive and pipelining never arise.

#include <http_parser.h>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"

namespace weft::status {

struct HttpRequest {
  std::string method;  // "GET"
  std::string url;     // as sent: "/metrics?x=1"
  std::string path;    // url without query or fragment: "/metrics"
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra ones, e.g. Allow
};

// "HTTP/1.1 200 OK" and the headers (Content-Type, Content-Length, Connection: close, the extras),
// then the body; a HEAD request gets the headers only.
std::string SerializeResponse(const HttpResponse& response, bool head = false);
const char* ReasonPhrase(int status);

// One request, fed in pieces. Not copyable (http_parser keeps a pointer back to it).
class RequestParser {
 public:
  enum class State { kIncomplete, kComplete, kError };
  // Requests larger than this (request line, headers and any body) are refused with 431.
  static constexpr size_t kMaxRequestBytes = 16 * 1024;

  RequestParser();
  RequestParser(const RequestParser&) = delete;
  RequestParser& operator=(const RequestParser&) = delete;

  // Feeds the next bytes. Once the state is kComplete or kError, further bytes are ignored (the
  // server answers and closes).
  State Feed(std::string_view bytes);
  // The end of the input (the peer closed): kError unless the request was complete.
  State Finish();
  State state() const { return state_; }
  const HttpRequest& request() const { return request_; }
  // With kError: the status to answer (400 malformed, 431 too large) and why.
  int error_status() const { return error_status_; }
  const std::string& error() const { return error_; }

 private:
  static int OnUrl(http_parser* p, const char* at, size_t length);
  static int OnMessageComplete(http_parser* p);
  void Fail(int status, std::string why);

  http_parser parser_;
  http_parser_settings settings_;
  HttpRequest request_;
  State state_ = State::kIncomplete;
  size_t bytes_ = 0;
  int error_status_ = 0;
  std::string error_;
};

// The value of query parameter `name` in `url` ("/preview?view=a%20b&limit=5", "view" -> "a b"),
// percent- and plus-decoded; nullopt when absent. The first occurrence wins.
std::optional<std::string> QueryParam(std::string_view url, std::string_view name);

struct ParsedResponse {
  int status = 0;
  std::string content_type;
  std::string body;
};

// A complete response as read until the server closed the connection. InvalidArgument when the
// bytes are not an HTTP response or it is cut short.
core::Result<ParsedResponse> ParseResponse(std::string_view bytes);

}  // namespace weft::status
