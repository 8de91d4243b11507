// The status HTTP server on a real libuv loop (loopback sockets, no other server): requests in
// pieces, many clients at once, errors over the wire, idle and surplus connections, a busy port.
#include <doctest/doctest.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <thread>
#include <vector>

#include "loop/uv_handles.h"
#include "status/http_client.h"
#include "status/http_server.h"

using namespace weft::status;

namespace {

// A loop with a server on a free loopback port; Run() serves until `client` returns.
struct ServerFixture {
  uv_loop_t loop;
  std::unique_ptr<HttpServer> server;
  std::thread::id loop_thread;
  std::atomic<int> handled{0};
  bool handler_on_loop_thread = true;

  explicit ServerFixture(HttpServer::Options options = {}) {
    uv_loop_init(&loop);
    server = std::make_unique<HttpServer>(
        &loop,
        [this](const HttpRequest& request) {
          if (std::this_thread::get_id() != loop_thread) handler_on_loop_thread = false;
          ++handled;
          HttpResponse r;
          if (request.path != "/status") {
            r.status = 404;
            r.body = "nope\n";
          } else if (request.method != "GET") {
            r.status = 405;
          } else {
            r.body = std::string(100000, 'x');  // bigger than one socket write
          }
          return r;
        },
        options);
    REQUIRE(server->Listen("127.0.0.1", 0).ok());
    REQUIRE(server->port() > 0);
  }
  ~ServerFixture() {
    server.reset();
    uv_run(&loop, UV_RUN_DEFAULT);  // close callbacks; returns once no handle is left
    CHECK(uv_loop_close(&loop) == 0);
  }

  void Run(const std::function<void()>& client) {
    loop_thread = std::this_thread::get_id();
    weft::loop::AsyncHandle done;
    REQUIRE(done.Init(&loop, [this] { uv_stop(&loop); }).ok());
    std::thread t([&] {
      client();
      done.Send();
    });
    uv_run(&loop, UV_RUN_DEFAULT);
    t.join();
    done.Close();
  }
};

int Connect(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
  timeval tv{5, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  REQUIRE(connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  return fd;
}

// Everything until the server closes (or 5 s pass).
std::string ReadAll(int fd) {
  std::string out;
  char buf[65536];
  while (true) {
    ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

}  // namespace

TEST_CASE("a request sent a few bytes at a time gets the whole response, then the connection closes") {
  ServerFixture f;
  std::string response;
  f.Run([&] {
    int fd = Connect(f.server->port());
    std::string request = "GET /status HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
    for (size_t at = 0; at < request.size(); at += 3) {
      send(fd, request.data() + at, std::min<size_t>(3, request.size() - at), MSG_NOSIGNAL);
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    response = ReadAll(fd);
    close(fd);
  });
  auto parsed = ParseResponse(response);
  REQUIRE(parsed.ok());
  CHECK(parsed->status == 200);
  CHECK(parsed->body == std::string(100000, 'x'));
  CHECK(f.handled == 1);
  CHECK(f.handler_on_loop_thread);
}

TEST_CASE("many clients at once all get their answer") {
  ServerFixture f;
  std::atomic<int> ok{0};
  f.Run([&] {
    std::vector<std::thread> clients;
    for (int i = 0; i < 40; ++i) {
      clients.emplace_back([&] {
        auto r = HttpGet("127.0.0.1", f.server->port(), "/status", 10000);
        if (r.ok() && r->status == 200 && r->body.size() == 100000) ++ok;
      });
    }
    for (auto& t : clients) t.join();
  });
  CHECK(ok == 40);
  CHECK(f.handled == 40);
  CHECK(f.server->open_connections() == 0);
}

TEST_CASE("malformed requests get 400, unknown paths 404, other methods 405, over the wire") {
  ServerFixture f;
  std::string garbage, missing, post;
  f.Run([&] {
    int fd = Connect(f.server->port());
    send(fd, "NOT HTTP AT ALL\r\n\r\n", 19, MSG_NOSIGNAL);
    garbage = ReadAll(fd);
    close(fd);
    auto r = HttpGet("127.0.0.1", f.server->port(), "/nowhere", 5000);
    if (r.ok()) missing = std::to_string(r->status) + " " + r->body;
    fd = Connect(f.server->port());
    std::string req = "POST /status HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc";
    send(fd, req.data(), req.size(), MSG_NOSIGNAL);
    post = ReadAll(fd);
    close(fd);
  });
  CHECK(garbage.rfind("HTTP/1.1 400 Bad Request\r\n", 0) == 0);
  CHECK(missing == "404 nope\n");
  CHECK(post.rfind("HTTP/1.1 405 ", 0) == 0);
  CHECK(f.handled == 2);  // the malformed request never reached the handler
}

TEST_CASE("an idle connection is closed after the timeout; surplus connections at once") {
  HttpServer::Options options;
  options.idle_timeout_ms = 300;
  options.max_connections = 2;
  ServerFixture f(options);
  std::string idle_got = "unset", surplus_got = "unset";
  double idle_closed_after_s = 0;
  int later_status = 0;
  f.Run([&] {
    int a = Connect(f.server->port());
    int b = Connect(f.server->port());
    std::this_thread::sleep_for(std::chrono::milliseconds(100));  // both accepted
    int c = Connect(f.server->port());  // the third: over max_connections
    surplus_got = ReadAll(c);
    close(c);
    auto start = std::chrono::steady_clock::now();
    idle_got = ReadAll(a);  // the sweep closes it (checked every second)
    idle_closed_after_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    close(a);
    close(b);
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    auto r = HttpGet("127.0.0.1", f.server->port(), "/status", 5000);
    if (r.ok()) later_status = r->status;
  });
  CHECK(surplus_got.empty());
  CHECK(idle_got.empty());
  CHECK(idle_closed_after_s < 3.0);
  CHECK(later_status == 200);
}

TEST_CASE("a busy port is an error naming the address, and leaves nothing open") {
  ServerFixture f;
  uv_loop_t loop;
  uv_loop_init(&loop);
  {
    HttpServer second(&loop, [](const HttpRequest&) { return HttpResponse{}; });
    weft::core::Status st = second.Listen("127.0.0.1", f.server->port());
    REQUIRE(!st.ok());
    CHECK(st.code() == weft::core::Code::kUnavailable);
    CHECK(st.message() == "cannot listen on 127.0.0.1:" + std::to_string(f.server->port()) + ": address already in use");
  }
  uv_run(&loop, UV_RUN_DEFAULT);
  CHECK(uv_loop_close(&loop) == 0);  // every handle was closed

  uv_loop_t other;
  uv_loop_init(&other);
  {
    HttpServer bad(&other, [](const HttpRequest&) { return HttpResponse{}; });
    CHECK(bad.Listen("not-an-ip", 8089).code() == weft::core::Code::kInvalidArgument);
  }
  uv_run(&other, UV_RUN_DEFAULT);
  CHECK(uv_loop_close(&other) == 0);
}

TEST_CASE("the client reports nothing listening as connection refused") {
  int port;
  {
    ServerFixture f;
    port = f.server->port();
  }
  auto r = HttpGet("127.0.0.1", port, "/status", 2000);
  REQUIRE(!r.ok());
  CHECK(r.status().code() == weft::core::Code::kUnavailable);
  CHECK(r.status().message().find("Connection refused") != std::string::npos);
  CHECK(ConnectHostFor("0.0.0.0") == "127.0.0.1");
  CHECK(ConnectHostFor("::") == "::1");
  CHECK(ConnectHostFor("10.1.2.3") == "10.1.2.3");
}
