#pragma once
// HttpServer: a small HTTP/1.1 server on the libuv loop (uv_tcp_t), for GET /status and /metrics.
// Each connection reads one request in whatever pieces it arrives (RequestParser), gets one
// response from the handler, and is closed after the response is written (Connection: close), so
// a slow or idle client costs one handle and never blocks the loop. At most max_connections are
// open at once (more are accepted and closed at once); a connection that has not sent a complete
// request within idle_timeout_ms is closed.
//
// Threading: everything on the loop thread, the handler included (it may read loop-thread state).
// Lifetime: handles live in heap blocks freed by their close callbacks, so the server may be
// destroyed at any time; the loop must run once more afterwards to free them.

#include <uv.h>

#include <functional>
#include <memory>
#include <string>

#include "core/status.h"
#include "loop/uv_handles.h"
#include "status/http.h"

namespace weft::status {

namespace detail {
struct HttpServerShared;  // handler, options, open connections; shared with the handles' blocks
}

class HttpServer {
 public:
  using Handler = std::function<HttpResponse(const HttpRequest& request)>;
  struct Options {
    size_t max_connections = 64;
    int64_t idle_timeout_ms = 10000;
  };

  HttpServer(uv_loop_t* loop, Handler handler, Options options);
  explicit HttpServer(uv_loop_t* loop, Handler handler) : HttpServer(loop, std::move(handler), Options{}) {}
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds host:port (an IPv4 or IPv6 literal; port 0 picks a free one) and listens. Unavailable
  // naming the address and the reason ("address already in use") when it cannot; then nothing is
  // left open.
  core::Status Listen(const std::string& host, int port);
  // The port actually bound (after Listen).
  int port() const { return port_; }
  size_t open_connections() const;
  // Stops listening and closes every connection. Idempotent.
  void Close();

 private:
  void Sweep();

  uv_loop_t* loop_;
  std::shared_ptr<detail::HttpServerShared> shared_;  // also held by live connections and the listener
  loop::TimerHandle sweep_;
  int port_ = 0;
};

// The address a client should connect to for a server listening on `host`: the wildcard addresses
// become loopback.
std::string ConnectHostFor(const std::string& listen_host);

}  // namespace weft::status
