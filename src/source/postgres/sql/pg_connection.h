#pragma once
// PgConnection: the move-only owner of one PGconn* (libpq), connected per config::SourceConfig:
// TLS per config::TlsConfig (libpq sslmode), a 10 s connect timeout, UTF-8, and the session
// settings the value decoder expects (decode/text_value.h): DateStyle ISO, TimeZone UTC,
// IntervalStyle iso_8601, extra_float_digits 3, bytea_output hex, lc_monetary C. A replication
// connection (replication=database) runs the walsender commands (CREATE_REPLICATION_SLOT,
// START_REPLICATION) and plain SQL. PgResult owns one PGresult*.
// Errors name the source, host:port and user, never the password.
//
// Threads: one thread uses a connection at a time. Interrupter::Cancel() may be called from any
// thread: every wait of a connection attached to it (Exec, WaitReadable) then returns Aborted.

#include <libpq-fe.h>

#include <atomic>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"
#include "core/status.h"

namespace weft::source::postgres {

class PgResult {
 public:
  PgResult() = default;
  explicit PgResult(PGresult* r) : r_(r) {}
  ~PgResult() {
    if (r_) PQclear(r_);
  }
  PgResult(PgResult&& o) noexcept : r_(o.r_) { o.r_ = nullptr; }
  PgResult& operator=(PgResult&& o) noexcept {
    if (this != &o) {
      if (r_) PQclear(r_);
      r_ = o.r_;
      o.r_ = nullptr;
    }
    return *this;
  }
  PgResult(const PgResult&) = delete;
  PgResult& operator=(const PgResult&) = delete;

  PGresult* get() const { return r_; }
  int rows() const { return r_ ? PQntuples(r_) : 0; }
  int columns() const { return r_ ? PQnfields(r_) : 0; }
  bool IsNull(int row, int col) const { return PQgetisnull(r_, row, col) != 0; }
  std::string_view Get(int row, int col) const {
    return std::string_view(PQgetvalue(r_, row, col), static_cast<size_t>(PQgetlength(r_, row, col)));
  }
  std::optional<std::string> Value(int row, int col) const {
    if (IsNull(row, col)) return std::nullopt;
    return std::string(Get(row, col));
  }

 private:
  PGresult* r_ = nullptr;
};

// Wakes the waits of connections attached to it (an eventfd they poll besides their socket).
class Interrupter {
 public:
  Interrupter();
  ~Interrupter();
  Interrupter(const Interrupter&) = delete;
  Interrupter& operator=(const Interrupter&) = delete;
  void Cancel();
  bool cancelled() const { return cancelled_.load(); }
  // Wakes a waiting thread without cancelling (e.g. "a commit was confirmed: send feedback").
  void Wake();
  void ClearWake();
  int fd() const { return fd_; }

 private:
  int fd_ = -1;
  std::atomic<bool> cancelled_{false};
};

class PgConnection {
 public:
  PgConnection() = default;
  ~PgConnection();
  PgConnection(PgConnection&& o) noexcept;
  PgConnection& operator=(PgConnection&& o) noexcept;
  PgConnection(const PgConnection&) = delete;
  PgConnection& operator=(const PgConnection&) = delete;

  // Unavailable when the server cannot be reached (retry), FailedPrecondition when it refuses the
  // user or the database (fix the config or the grants).
  static core::Result<PgConnection> Open(const config::SourceConfig& config, bool replication,
                                         Interrupter* interrupter = nullptr);

  PGconn* get() const { return conn_; }
  const std::string& address() const { return address_; }
  // server_version_num, e.g. 150010.
  int server_version() const { return conn_ ? PQserverVersion(conn_) : 0; }

  // Runs one statement and waits (cancellably) for its result; a result other than COMMAND_OK /
  // TUPLES_OK (or COPY_BOTH, when `copy_both`) is the error: see Error().
  core::Result<PgResult> Exec(std::string_view sql, bool copy_both = false);
  core::Status Execute(std::string_view sql) { return Exec(sql).status(); }
  // The first column of the first row; nullopt when there is no row or it is NULL.
  core::Result<std::optional<std::string>> QueryValue(std::string_view sql);

  // Waits until the socket is readable or `timeout_ms` passed (true = readable). Aborted when the
  // interrupter was cancelled; a Wake() returns false early.
  core::Result<bool> WaitReadable(int timeout_ms);

  std::string QuoteIdent(std::string_view name) const;
  std::string QuoteLiteral(std::string_view text) const;

  // The Status for a failed result (or the connection's last error when `result` is null): the
  // SQLSTATE picks the code (42501 insufficient privilege -> FailedPrecondition, 08xxx, 57P01
  // (terminated), 55006 (object in use: a slot still held) or a broken connection -> Unavailable, 42704/42P01 undefined object -> NotFound, else Internal).
  core::Status Error(const std::string& what, const PGresult* result) const;
  static std::string SqlState(const PGresult* result);

 private:
  PGconn* conn_ = nullptr;
  Interrupter* interrupter_ = nullptr;
  std::string address_;
  std::string who_;  // "source NAME (user@host:port)"
};

}  // namespace weft::source::postgres
