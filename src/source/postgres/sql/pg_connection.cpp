#include "source/postgres/sql/pg_connection.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cstdint>

namespace weft::source::postgres {

Interrupter::Interrupter() : fd_(eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {}

Interrupter::~Interrupter() {
  if (fd_ >= 0) close(fd_);
}

void Interrupter::Cancel() {
  cancelled_.store(true);
  Wake();
}

void Interrupter::Wake() {
  uint64_t one = 1;
  if (fd_ >= 0) (void)!write(fd_, &one, sizeof one);
}

void Interrupter::ClearWake() {
  uint64_t value = 0;
  if (fd_ >= 0 && !cancelled()) (void)!read(fd_, &value, sizeof value);
}

PgConnection::~PgConnection() {
  if (conn_) PQfinish(conn_);
}

PgConnection::PgConnection(PgConnection&& o) noexcept
    : conn_(o.conn_), interrupter_(o.interrupter_), address_(std::move(o.address_)), who_(std::move(o.who_)) {
  o.conn_ = nullptr;
}

PgConnection& PgConnection::operator=(PgConnection&& o) noexcept {
  if (this != &o) {
    if (conn_) PQfinish(conn_);
    conn_ = o.conn_;
    interrupter_ = o.interrupter_;
    address_ = std::move(o.address_);
    who_ = std::move(o.who_);
    o.conn_ = nullptr;
  }
  return *this;
}

namespace {

const char* SslMode(const std::string& mode) {
  if (mode == "disabled") return "disable";
  if (mode == "required") return "require";
  if (mode == "verify_ca") return "verify-ca";
  if (mode == "verify_identity") return "verify-full";
  return "prefer";
}

std::string Trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

}  // namespace

core::Result<PgConnection> PgConnection::Open(const config::SourceConfig& config, bool replication,
                                              Interrupter* interrupter) {
  PgConnection c;
  c.interrupter_ = interrupter;
  c.address_ = config.host + ":" + std::to_string(config.port);
  c.who_ = "source " + config.name + " (" + config.user + "@" + c.address_ + ", database " + config.database + ")";
  const std::string port = std::to_string(config.port);
  std::vector<const char*> keys, values;
  auto add = [&](const char* k, const std::string& v) {
    keys.push_back(k);
    values.push_back(v.c_str());
  };
  const std::string sslmode = SslMode(config.tls.mode);
  // Fixed text forms for every value the decoder reads (decode/text_value.h).
  static const std::string kOptions =
      "-c DateStyle=ISO,YMD -c TimeZone=UTC -c IntervalStyle=iso_8601 -c extra_float_digits=3 "
      "-c bytea_output=hex -c lc_monetary=C";
  static const std::string kDatabase = "database", kTimeout = "10", kApp = "weft", kUtf8 = "UTF8";
  add("host", config.host);
  add("port", port);
  add("user", config.user);
  if (!config.password.empty()) add("password", config.password);
  add("dbname", config.database);
  add("sslmode", sslmode);
  if (!config.tls.ca.empty()) add("sslrootcert", config.tls.ca);
  if (!config.tls.cert.empty()) add("sslcert", config.tls.cert);
  if (!config.tls.key.empty()) add("sslkey", config.tls.key);
  add("connect_timeout", kTimeout);
  add("application_name", kApp);
  add("client_encoding", kUtf8);
  add("options", kOptions);
  if (replication) add("replication", kDatabase);
  keys.push_back(nullptr);
  values.push_back(nullptr);
  c.conn_ = PQconnectdbParams(keys.data(), values.data(), 0);
  if (c.conn_ == nullptr) return core::Internal("libpq could not allocate a connection");
  if (PQstatus(c.conn_) != CONNECTION_OK) {
    std::string message = Trim(PQerrorMessage(c.conn_));
    std::string what = "cannot connect " + c.who_ + ": " + message;
    // Refusals the operator must fix (credentials, pg_hba.conf, a missing role or database) are
    // not worth retrying; anything else (refused, timed out, starting up) may pass.
    bool refused = message.find("password authentication failed") != std::string::npos ||
                   message.find("pg_hba.conf") != std::string::npos ||
                   message.find("does not exist") != std::string::npos ||
                   message.find("permission denied") != std::string::npos ||
                   message.find("must be") != std::string::npos || message.find("replication") != std::string::npos;
    if (refused) return core::FailedPrecondition(what);
    return core::Unavailable(what);
  }
  return c;
}

std::string PgConnection::SqlState(const PGresult* result) {
  if (!result) return "";
  const char* state = PQresultErrorField(result, PG_DIAG_SQLSTATE);
  return state ? state : "";
}

core::Status PgConnection::Error(const std::string& what, const PGresult* result) const {
  std::string message = Trim(result ? PQresultErrorMessage(result) : "");
  if (message.empty() && conn_) message = Trim(PQerrorMessage(conn_));
  std::string text = who_ + ": " + what + ": " + message;
  std::string state = SqlState(result);
  if (conn_ == nullptr || PQstatus(conn_) != CONNECTION_OK || state.rfind("08", 0) == 0 || state == "57P01" ||
      state == "55006") {  // 55006: the slot is still held by a walsender that is going away: retry
    return core::Unavailable(text);
  }
  if (state == "42501") return core::FailedPrecondition(text);
  if (state == "42704" || state == "42P01") return core::NotFound(text);
  return core::Internal(text);
}

core::Result<bool> PgConnection::WaitReadable(int timeout_ms) {
  if (interrupter_ && interrupter_->cancelled()) return core::Aborted("stopped");
  pollfd fds[2] = {{PQsocket(conn_), POLLIN, 0}, {interrupter_ ? interrupter_->fd() : -1, POLLIN, 0}};
  int n = poll(fds, interrupter_ ? 2 : 1, timeout_ms);
  if (interrupter_ && interrupter_->cancelled()) return core::Aborted("stopped");
  if (n < 0) return errno == EINTR ? core::Result<bool>(false) : core::Unavailable(who_ + ": poll failed");
  if (interrupter_ && (fds[1].revents & POLLIN)) interrupter_->ClearWake();
  return (fds[0].revents & (POLLIN | POLLERR | POLLHUP)) != 0;
}

core::Result<PgResult> PgConnection::Exec(std::string_view sql, bool copy_both) {
  std::string text(sql);
  if (!PQsendQuery(conn_, text.c_str())) return Error("sending " + text.substr(0, 200), nullptr);
  PgResult last;
  while (true) {
    // Read what arrived; libpq tells when a whole result is there (PQisBusy), so the wait below is
    // the only place a slow query blocks, and a Stop() breaks it.
    while (!PQisBusy(conn_)) {
      PGresult* r = PQgetResult(conn_);
      if (r == nullptr) {
        if (!last.get()) return Error(text.substr(0, 200), nullptr);
        return last;
      }
      ExecStatusType st = PQresultStatus(r);
      if (st == PGRES_COPY_BOTH && copy_both) return PgResult(r);
      if (st == PGRES_FATAL_ERROR || st == PGRES_BAD_RESPONSE) {
        PgResult failed(r);
        core::Status error = Error(text.substr(0, 200), failed.get());
        // Drain what is left of this query so the connection can run the next one.
        while (PGresult* rest = PQgetResult(conn_)) PQclear(rest);
        return error;
      }
      last = PgResult(r);
    }
    WEFT_ASSIGN_OR_RETURN(bool readable, WaitReadable(1000));
    if (readable && !PQconsumeInput(conn_)) return Error(text.substr(0, 200), nullptr);
  }
}

core::Result<std::optional<std::string>> PgConnection::QueryValue(std::string_view sql) {
  WEFT_ASSIGN_OR_RETURN(PgResult r, Exec(sql));
  if (r.rows() == 0 || r.columns() == 0) return std::optional<std::string>();
  return r.Value(0, 0);
}

std::string PgConnection::QuoteIdent(std::string_view name) const {
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  return out + "\"";
}

std::string PgConnection::QuoteLiteral(std::string_view text) const {
  // standard_conforming_strings is on since 9.1: only quotes need doubling; E'' is never used.
  std::string out = "'";
  for (char c : text) {
    if (c == '\'') out.push_back('\'');
    out.push_back(c);
  }
  return out + "'";
}

}  // namespace weft::source::postgres
