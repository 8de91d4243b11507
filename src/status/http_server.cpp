#include "status/http_server.h"

#include <set>
#include <vector>

#include "core/log.h"

namespace weft::status {

namespace {
struct Listener;
struct Conn;
}  // namespace

namespace detail {
struct HttpServerShared {
  HttpServer::Handler handler;
  HttpServer::Options options;
  uv_loop_t* loop = nullptr;
  Listener* listener = nullptr;
  std::set<Conn*> connections;  // open ones (not closing)
  bool closed = false;
};
}  // namespace detail

namespace {

using Shared = detail::HttpServerShared;

struct Listener {
  uv_tcp_t tcp;
  std::shared_ptr<Shared> shared;
};

struct Conn {
  uv_tcp_t tcp;
  uv_write_t write;
  uv_shutdown_t shutdown;
  std::shared_ptr<Shared> shared;
  RequestParser parser;
  std::string out;  // the response; must outlive the write
  uint64_t opened_ms = 0;
  bool closing = false;
  char buffer[4096];
};

std::string Address(const std::string& host, int port) {
  return (host.find(':') != std::string::npos ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

// Closes the connection; its block is freed by the close callback (after any cancelled write
// callback, which libuv runs first).
void CloseConnection(Conn* conn) {
  if (conn->closing) return;
  conn->closing = true;
  conn->shared->connections.erase(conn);
  uv_close(reinterpret_cast<uv_handle_t*>(&conn->tcp), [](uv_handle_t* h) { delete static_cast<Conn*>(h->data); });
}

HttpResponse Answer(Conn* conn) {
  const RequestParser& parser = conn->parser;
  if (parser.state() != RequestParser::State::kComplete) {
    HttpResponse r;
    r.status = parser.error_status();
    r.body = parser.error() + "\n";
    return r;
  }
  // No exception may cross a libuv callback: a failing handler is a 500, never a crash.
  try {
    return conn->shared->handler(parser.request());
  } catch (const std::exception& e) {
    HttpResponse r;
    r.status = 500;
    r.body = std::string("internal error: ") + e.what() + "\n";
    return r;
  }
}

void Respond(Conn* conn) {
  uv_read_stop(reinterpret_cast<uv_stream_t*>(&conn->tcp));
  bool head = conn->parser.state() == RequestParser::State::kComplete && conn->parser.request().method == "HEAD";
  conn->out = SerializeResponse(Answer(conn), head);
  uv_buf_t buf = uv_buf_init(conn->out.data(), static_cast<unsigned>(conn->out.size()));
  int rc = uv_write(&conn->write, reinterpret_cast<uv_stream_t*>(&conn->tcp), &buf, 1, [](uv_write_t* w, int status) {
    auto* c = static_cast<Conn*>(w->handle->data);
    if (c->closing) return;
    if (status < 0) return CloseConnection(c);
    // FIN after the response, then close: the client reads the whole response before the end.
    int rc = uv_shutdown(&c->shutdown, reinterpret_cast<uv_stream_t*>(&c->tcp), [](uv_shutdown_t* s, int) {
      CloseConnection(static_cast<Conn*>(s->handle->data));
    });
    if (rc != 0) CloseConnection(c);
  });
  if (rc != 0) CloseConnection(conn);
}

void OnRead(uv_stream_t* stream, ssize_t nread, const uv_buf_t* buf) {
  auto* conn = static_cast<Conn*>(stream->data);
  if (conn->closing) return;
  RequestParser::State state;
  if (nread > 0) {
    state = conn->parser.Feed(std::string_view(buf->base, static_cast<size_t>(nread)));
  } else if (nread == UV_EOF) {
    state = conn->parser.Finish();
  } else if (nread < 0) {
    return CloseConnection(conn);
  } else {
    return;  // nothing read this time (EAGAIN)
  }
  if (state != RequestParser::State::kIncomplete) Respond(conn);
}

}  // namespace

HttpServer::HttpServer(uv_loop_t* loop, Handler handler, Options options)
    : loop_(loop), shared_(std::make_shared<Shared>()) {
  shared_->handler = std::move(handler);
  shared_->options = options;
  shared_->loop = loop;
}

HttpServer::~HttpServer() { Close(); }

size_t HttpServer::open_connections() const { return shared_->connections.size(); }

core::Status HttpServer::Listen(const std::string& host, int port) {
  if (shared_->listener) return core::Internal("HttpServer::Listen called twice");
  sockaddr_storage addr{};
  int rc = host.find(':') != std::string::npos
               ? uv_ip6_addr(host.c_str(), port, reinterpret_cast<sockaddr_in6*>(&addr))
               : uv_ip4_addr(host.c_str(), port, reinterpret_cast<sockaddr_in*>(&addr));
  if (rc != 0) return core::InvalidArgument("status listen address " + Address(host, port) + ": " + uv_strerror(rc));

  auto* listener = new Listener();
  listener->shared = shared_;
  listener->tcp.data = listener;
  rc = uv_tcp_init(loop_, &listener->tcp);
  if (rc != 0) {
    delete listener;
    return core::Internal(std::string("uv_tcp_init: ") + uv_strerror(rc));
  }
  rc = uv_tcp_bind(&listener->tcp, reinterpret_cast<const sockaddr*>(&addr), 0);
  // libuv reports a busy port from bind or, deferred, from listen.
  if (rc == 0) {
    rc = uv_listen(reinterpret_cast<uv_stream_t*>(&listener->tcp), 128, [](uv_stream_t* server, int status) {
      auto* l = static_cast<Listener*>(server->data);
      if (status < 0) return;
      auto conn = new Conn();
      conn->shared = l->shared;
      conn->tcp.data = conn;
      if (uv_tcp_init(l->shared->loop, &conn->tcp) != 0) {
        delete conn;
        return;
      }
      conn->opened_ms = uv_now(l->shared->loop);
      if (uv_accept(server, reinterpret_cast<uv_stream_t*>(&conn->tcp)) != 0 || l->shared->closed ||
          l->shared->connections.size() >= l->shared->options.max_connections) {
        conn->closing = true;  // never counted
        uv_close(reinterpret_cast<uv_handle_t*>(&conn->tcp), [](uv_handle_t* h) { delete static_cast<Conn*>(h->data); });
        return;
      }
      l->shared->connections.insert(conn);
      uv_read_start(
          reinterpret_cast<uv_stream_t*>(&conn->tcp),
          [](uv_handle_t* h, size_t, uv_buf_t* buf) {
            auto* c = static_cast<Conn*>(h->data);
            *buf = uv_buf_init(c->buffer, sizeof c->buffer);
          },
          &OnRead);
    });
  }
  if (rc != 0) {
    uv_close(reinterpret_cast<uv_handle_t*>(&listener->tcp),
             [](uv_handle_t* h) { delete static_cast<Listener*>(h->data); });
    return core::Unavailable("cannot listen on " + Address(host, port) + ": " + uv_strerror(rc));
  }
  sockaddr_storage bound{};
  int len = sizeof bound;
  uv_tcp_getsockname(&listener->tcp, reinterpret_cast<sockaddr*>(&bound), &len);
  port_ = ntohs(bound.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port
                                            : reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
  shared_->listener = listener;
  WEFT_RETURN_IF_ERROR(sweep_.Init(loop_));
  return sweep_.Start(1000, 1000, [this] { Sweep(); });
}

void HttpServer::Sweep() {
  uint64_t now = uv_now(loop_);
  std::vector<Conn*> expired;
  for (Conn* c : shared_->connections) {
    if (now - c->opened_ms > static_cast<uint64_t>(shared_->options.idle_timeout_ms)) expired.push_back(c);
  }
  for (Conn* c : expired) CloseConnection(c);
}

void HttpServer::Close() {
  if (shared_->closed) return;
  shared_->closed = true;
  sweep_.Close();
  if (Listener* l = shared_->listener) {
    shared_->listener = nullptr;
    uv_close(reinterpret_cast<uv_handle_t*>(&l->tcp), [](uv_handle_t* h) { delete static_cast<Listener*>(h->data); });
  }
  std::vector<Conn*> open(shared_->connections.begin(), shared_->connections.end());
  for (Conn* c : open) CloseConnection(c);
}

std::string ConnectHostFor(const std::string& listen_host) {
  if (listen_host == "0.0.0.0" || listen_host.empty()) return "127.0.0.1";
  if (listen_host == "::") return "::1";
  return listen_host;
}

}  // namespace weft::status
