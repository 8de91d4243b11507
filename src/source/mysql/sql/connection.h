#pragma once
// Connection: the move-only owner of one MYSQL* (libmariadb), connected per config::SourceConfig:
// TLS per config::TlsConfig, connect/read/write timeouts, utf8mb4, session time zone UTC.
// Errors name the source, host:port and user, never the password.
//
// Threads: a Connection is used by one thread at a time. Interrupter::Cancel() is the exception: any
// thread may call it to break a blocking call (a binlog fetch, a streaming SELECT) of the thread
// that owns the connection; that call then fails and the owner sees interrupter->cancelled().

#include <mysql.h>

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"
#include "core/status.h"

namespace weft::source::mysql {

using SqlRow = std::vector<std::optional<std::string>>;  // nullopt is NULL

// Cancels the blocking calls of connections attached to it (shutdown(2) on their socket).
class Interrupter {
 public:
  void Cancel();
  bool cancelled() const;

 private:
  friend class Connection;
  bool Attach(int fd);  // false when already cancelled
  void Detach(int fd);
  mutable std::mutex mu_;
  std::vector<int> fds_;
  bool cancelled_ = false;
};

struct ConnectOptions {
  unsigned connect_timeout_s = 10;
  unsigned read_timeout_s = 0;   // 0: none (a streaming snapshot SELECT may wait on back-pressure)
  unsigned write_timeout_s = 60;
  Interrupter* interrupter = nullptr;  // optional; must outlive the connection
};

class Connection {
 public:
  Connection() = default;
  ~Connection();
  Connection(Connection&& other) noexcept;
  Connection& operator=(Connection&& other) noexcept;
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Unavailable when the server cannot be reached (retry), FailedPrecondition when it refuses the
  // user (fix the config or the grants), Aborted when the interrupter was cancelled.
  static core::Result<Connection> Open(const config::SourceConfig& config, const ConnectOptions& options = {});

  MYSQL* get() const { return mysql_; }
  bool valid() const { return mysql_ != nullptr; }
  const std::string& source_name() const { return source_name_; }
  // "127.0.0.1:3306"
  const std::string& address() const { return address_; }
  // VERSION(), e.g. "10.11.19-MariaDB-0+deb12u1".
  std::string server_version() const;
  bool is_mariadb() const;

  core::Status Execute(std::string_view sql);
  core::Result<std::vector<SqlRow>> Query(std::string_view sql);
  // The first column of the first row; nullopt when there is no row or the value is NULL.
  core::Result<std::optional<std::string>> QueryValue(std::string_view sql);

  // 'text' as a quoted SQL string literal (escaped for this connection's character set).
  std::string Quote(std::string_view text) const;

  // The Status for the connection's last error: `what` says what was being done. The code follows
  // the error: lost connection -> Unavailable, missing privilege -> FailedPrecondition,
  // interrupted -> Aborted, anything else -> Internal.
  core::Status LastError(std::string_view what) const;

 private:
  void Reset();
  MYSQL* mysql_ = nullptr;
  std::string source_name_;
  std::string address_;
  Interrupter* interrupter_ = nullptr;
  int attached_fd_ = -1;
};

// `name` quoted as an identifier: `na``me`.
std::string QuoteIdentifier(std::string_view name);
// The Code for a client or server error number (see Connection::LastError).
core::Code ClassifyMysqlError(unsigned int error_number);

}  // namespace weft::source::mysql
