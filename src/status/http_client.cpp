#include "status/http_client.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

namespace weft::status {
namespace {

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() { if (fd_ >= 0) ::close(fd_); }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

using Clock = std::chrono::steady_clock;

int RemainingMs(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
  return left > 0 ? static_cast<int>(left) : 0;
}

}  // namespace

core::Result<ParsedResponse> HttpGet(const std::string& host, int port, const std::string& path, int timeout_ms) {
  const std::string where = (host.find(':') != std::string::npos ? "[" + host + "]" : host) + ":" + std::to_string(port);
  sockaddr_storage addr{};
  socklen_t addr_len = 0;
  if (host.find(':') != std::string::npos) {
    auto* a = reinterpret_cast<sockaddr_in6*>(&addr);
    a->sin6_family = AF_INET6;
    a->sin6_port = htons(static_cast<uint16_t>(port));
    if (inet_pton(AF_INET6, host.c_str(), &a->sin6_addr) != 1) return core::InvalidArgument("bad address " + where);
    addr_len = sizeof *a;
  } else {
    auto* a = reinterpret_cast<sockaddr_in*>(&addr);
    a->sin_family = AF_INET;
    a->sin_port = htons(static_cast<uint16_t>(port));
    if (inet_pton(AF_INET, host.c_str(), &a->sin_addr) != 1) return core::InvalidArgument("bad address " + where);
    addr_len = sizeof *a;
  }
  auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
  Fd fd(::socket(addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (fd.get() < 0) return core::Internal(std::string("socket: ") + std::strerror(errno));

  if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&addr), addr_len) != 0) {
    if (errno != EINPROGRESS) return core::Unavailable(where + ": " + std::strerror(errno));
    pollfd p{fd.get(), POLLOUT, 0};
    int n = ::poll(&p, 1, RemainingMs(deadline));
    if (n == 0) return core::Unavailable(where + ": connection timed out");
    int err = 0;
    socklen_t len = sizeof err;
    ::getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &err, &len);
    if (err != 0) return core::Unavailable(where + ": " + std::strerror(err));
  }

  std::string request = "GET " + path + " HTTP/1.1\r\nHost: " + where + "\r\nUser-Agent: weft-status\r\n" +
                        "Connection: close\r\n\r\n";
  size_t sent = 0;
  while (sent < request.size()) {
    ssize_t n = ::send(fd.get(), request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n > 0) {
      sent += static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && errno != EAGAIN && errno != EINTR) return core::Unavailable(where + ": " + std::strerror(errno));
    pollfd p{fd.get(), POLLOUT, 0};
    if (::poll(&p, 1, RemainingMs(deadline)) == 0) return core::Unavailable(where + ": timed out sending the request");
  }

  std::string response;
  char buffer[8192];
  while (true) {
    ssize_t n = ::recv(fd.get(), buffer, sizeof buffer, 0);
    if (n > 0) {
      response.append(buffer, static_cast<size_t>(n));
      continue;
    }
    if (n == 0) break;  // the server closed: the response is complete
    if (errno != EAGAIN && errno != EINTR) return core::Unavailable(where + ": " + std::strerror(errno));
    pollfd p{fd.get(), POLLIN, 0};
    if (::poll(&p, 1, RemainingMs(deadline)) == 0) {
      return core::Unavailable(where + ": no complete answer within " + std::to_string(timeout_ms) + " ms");
    }
  }
  auto parsed = ParseResponse(response);
  if (!parsed.ok()) return core::InvalidArgument(where + ": " + parsed.status().message());
  return parsed;
}

}  // namespace weft::status
