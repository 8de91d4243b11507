#include "source/mysql/sql/connection.h"

#include <errmsg.h>
#include <mysqld_error.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>
#include <utility>

namespace weft::source::mysql {

void Interrupter::Cancel() {
  std::lock_guard<std::mutex> lock(mu_);
  cancelled_ = true;
  // shutdown(), not close(): the owner thread still holds the descriptor, and its blocked read
  // returns at once with an error instead of waiting for the server.
  for (int fd : fds_) ::shutdown(fd, SHUT_RDWR);
}

bool Interrupter::cancelled() const {
  std::lock_guard<std::mutex> lock(mu_);
  return cancelled_;
}

bool Interrupter::Attach(int fd) {
  std::lock_guard<std::mutex> lock(mu_);
  if (cancelled_) return false;
  fds_.push_back(fd);
  return true;
}

void Interrupter::Detach(int fd) {
  std::lock_guard<std::mutex> lock(mu_);
  fds_.erase(std::remove(fds_.begin(), fds_.end(), fd), fds_.end());
}

core::Code ClassifyMysqlError(unsigned int error_number) {
  switch (error_number) {
    case CR_CONNECTION_ERROR:
    case CR_CONN_HOST_ERROR:
    case CR_SERVER_GONE_ERROR:
    case CR_SERVER_LOST:
    case CR_UNKNOWN_HOST:
    case CR_SERVER_LOST_EXTENDED:
    case ER_SERVER_SHUTDOWN:
    case ER_CONNECTION_KILLED:
    case ER_NET_READ_ERROR:
    case ER_NET_READ_INTERRUPTED:
    case ER_NET_ERROR_ON_WRITE:
    case ER_NET_WRITE_INTERRUPTED:
    case ER_CON_COUNT_ERROR:
    case ER_LOCK_WAIT_TIMEOUT:
      return core::Code::kUnavailable;
    case ER_ACCESS_DENIED_ERROR:
    case ER_DBACCESS_DENIED_ERROR:
    case ER_TABLEACCESS_DENIED_ERROR:
    case ER_COLUMNACCESS_DENIED_ERROR:
    case ER_SPECIFIC_ACCESS_DENIED_ERROR:
    case ER_BAD_DB_ERROR:
    case CR_SSL_CONNECTION_ERROR:
      return core::Code::kFailedPrecondition;
    case ER_NO_SUCH_TABLE:
    case ER_BAD_FIELD_ERROR:
      return core::Code::kNotFound;
    default:
      // Other client-side errors are transport trouble worth a retry; other server errors mean
      // weft sent something the server rejects, which a retry does not fix.
      if (error_number >= CR_MIN_ERROR && error_number <= CR_MAX_ERROR) return core::Code::kUnavailable;
      return core::Code::kInternal;
  }
}

std::string QuoteIdentifier(std::string_view name) {
  std::string out = "`";
  for (char c : name) {
    if (c == '`') out.push_back('`');
    out.push_back(c);
  }
  out.push_back('`');
  return out;
}

Connection::~Connection() { Reset(); }

Connection::Connection(Connection&& other) noexcept { *this = std::move(other); }

Connection& Connection::operator=(Connection&& other) noexcept {
  if (this != &other) {
    Reset();
    mysql_ = std::exchange(other.mysql_, nullptr);
    source_name_ = std::move(other.source_name_);
    address_ = std::move(other.address_);
    interrupter_ = std::exchange(other.interrupter_, nullptr);
    attached_fd_ = std::exchange(other.attached_fd_, -1);
  }
  return *this;
}

void Connection::Reset() {
  // Detach before close: once closed, the descriptor number can be reused by another socket that
  // a later Cancel() must not shut down.
  if (interrupter_ && attached_fd_ >= 0) interrupter_->Detach(attached_fd_);
  interrupter_ = nullptr;
  attached_fd_ = -1;
  if (mysql_) mysql_close(mysql_);
  mysql_ = nullptr;
}

namespace {

// Applies config.tls. libmariadb 3.3 semantics: use_ssl asks for TLS and quietly falls back to
// plain text when the server has none; a CA makes it verify the chain; VERIFY_SERVER_CERT adds the
// host name check and refuses servers without TLS. "required" is checked after connecting.
core::Status ApplyTls(MYSQL* m, const config::TlsConfig& tls) {
  my_bool off = 0, on = 1;
  const std::string& mode = tls.mode;
  if (mode == "disabled") {
    mysql_optionsv(m, MYSQL_OPT_SSL_ENFORCE, &off);
    return core::Status::Ok();
  }
  if (mode != "preferred" && mode != "required" && mode != "verify_ca" && mode != "verify_identity") {
    return core::InvalidArgument("tls.mode '" + mode +
                                 "' is not one of disabled, preferred, required, verify_ca, verify_identity");
  }
  // libmariadb reports an unreadable file as a bare "TLS/SSL error: No such file or directory";
  // name the setting and the path instead.
  for (const auto& [key, path] : {std::pair<const char*, const std::string&>{"ca", tls.ca}, {"cert", tls.cert}, {"key", tls.key}}) {
    if (!path.empty() && ::access(path.c_str(), R_OK) != 0) {
      return core::FailedPrecondition(std::string("tls.") + key + " = \"" + path + "\" cannot be read: " + std::strerror(errno));
    }
  }
  mysql_optionsv(m, MYSQL_OPT_SSL_ENFORCE, &on);
  if (!tls.cert.empty()) mysql_optionsv(m, MYSQL_OPT_SSL_CERT, tls.cert.c_str());
  if (!tls.key.empty()) mysql_optionsv(m, MYSQL_OPT_SSL_KEY, tls.key.c_str());
  if (mode == "verify_ca" || mode == "verify_identity") {
    if (tls.ca.empty()) return core::InvalidArgument("tls.mode = \"" + mode + "\" needs tls.ca (the CA file)");
    mysql_optionsv(m, MYSQL_OPT_SSL_CA, tls.ca.c_str());
  } else if (!tls.ca.empty()) {
    mysql_optionsv(m, MYSQL_OPT_SSL_CA, tls.ca.c_str());
  }
  mysql_optionsv(m, MYSQL_OPT_SSL_VERIFY_SERVER_CERT, mode == "verify_identity" ? &on : &off);
  return core::Status::Ok();
}

// What to check after a failed TLS handshake; libmariadb's own text ("Validation of SSL server
// certificate failed") names neither the setting nor the file.
std::string TlsHint(const config::SourceConfig& config) {
  const config::TlsConfig& tls = config.tls;
  std::string hint = "; the TLS handshake failed (tls.mode = \"" + tls.mode + "\"";
  if (!tls.ca.empty()) hint += ", tls.ca = \"" + tls.ca + "\"";
  hint += ")";
  if (!tls.ca.empty()) {
    hint += ": tls.ca must hold the CA that signed the server's certificate (the server's ssl_ca)";
    if (tls.mode == "verify_identity") {
      hint += ", and that certificate must name the host " + config.host +
              " in its subjectAltName (or use tls.mode = \"verify_ca\", which skips the host name check)";
    }
  }
  return hint;
}

}  // namespace

core::Result<Connection> Connection::Open(const config::SourceConfig& config, const ConnectOptions& options) {
  Connection conn;
  conn.source_name_ = config.name;
  conn.address_ = config.host + ":" + std::to_string(config.port);
  if (options.interrupter && options.interrupter->cancelled()) return core::Aborted("stopped");
  conn.mysql_ = mysql_init(nullptr);
  if (!conn.mysql_) return core::Internal("mysql_init failed (out of memory)");
  MYSQL* m = conn.mysql_;
  mysql_optionsv(m, MYSQL_OPT_CONNECT_TIMEOUT, &options.connect_timeout_s);
  if (options.read_timeout_s) mysql_optionsv(m, MYSQL_OPT_READ_TIMEOUT, &options.read_timeout_s);
  if (options.write_timeout_s) mysql_optionsv(m, MYSQL_OPT_WRITE_TIMEOUT, &options.write_timeout_s);
  mysql_optionsv(m, MYSQL_SET_CHARSET_NAME, "utf8mb4");
  my_bool reconnect = 0;  // a silent reconnect would lose session state (snapshot, binlog dump)
  mysql_optionsv(m, MYSQL_OPT_RECONNECT, &reconnect);
  WEFT_RETURN_IF_ERROR(ApplyTls(m, config.tls).WithContext("source " + config.name));

  if (!mysql_real_connect(m, config.host.c_str(), config.user.c_str(), config.password.c_str(), nullptr,
                          static_cast<unsigned>(config.port), nullptr, 0)) {
    core::Status st = conn.LastError("cannot connect as user '" + config.user + "'");
    if (options.interrupter && options.interrupter->cancelled()) return core::Aborted("stopped");
    if (mysql_errno(m) == CR_SSL_CONNECTION_ERROR) return core::Status(st.code(), st.message() + TlsHint(config));
    return st;
  }
  if ((config.tls.mode == "required" || config.tls.mode == "verify_ca" || config.tls.mode == "verify_identity") &&
      mysql_get_ssl_cipher(m) == nullptr) {
    return core::FailedPrecondition("source " + config.name + " (" + conn.address_ + "): tls.mode = \"" +
                                    config.tls.mode +
                                    "\" but the server does not offer TLS; enable TLS on the server "
                                    "(ssl_cert/ssl_key in my.cnf) or set tls.mode = \"preferred\"");
  }
  if (options.interrupter) {
    conn.interrupter_ = options.interrupter;
    conn.attached_fd_ = static_cast<int>(mysql_get_socket(m));
    if (!options.interrupter->Attach(conn.attached_fd_)) {
      conn.attached_fd_ = -1;
      return core::Aborted("stopped");
    }
  }
  // Every TIMESTAMP weft reads as text is UTC, like the binlog's.
  WEFT_RETURN_IF_ERROR(conn.Execute("SET SESSION time_zone = '+00:00'"));
  return conn;
}

std::string Connection::server_version() const { return mysql_ ? mysql_get_server_info(mysql_) : ""; }

bool Connection::is_mariadb() const { return server_version().find("MariaDB") != std::string::npos; }

core::Status Connection::LastError(std::string_view what) const {
  std::string prefix = "source " + source_name_ + " (" + address_ + "): " + std::string(what);
  if (interrupter_ && interrupter_->cancelled()) return core::Aborted(prefix + ": stopped");
  if (!mysql_) return core::Internal(prefix + ": no connection");
  unsigned err = mysql_errno(mysql_);
  std::string message = prefix + ": " + mysql_error(mysql_) + " (error " + std::to_string(err) + ")";
  return core::Status(ClassifyMysqlError(err), message);
}

core::Status Connection::Execute(std::string_view sql) {
  if (mysql_real_query(mysql_, sql.data(), sql.size()) != 0) return LastError(sql.substr(0, 200));
  // Statements that return rows (SHOW, SELECT) are drained so the connection stays usable.
  if (MYSQL_RES* res = mysql_store_result(mysql_)) mysql_free_result(res);
  else if (mysql_field_count(mysql_) != 0) return LastError(sql.substr(0, 200));
  return core::Status::Ok();
}

core::Result<std::vector<SqlRow>> Connection::Query(std::string_view sql) {
  if (mysql_real_query(mysql_, sql.data(), sql.size()) != 0) return LastError(sql.substr(0, 200));
  MYSQL_RES* res = mysql_store_result(mysql_);
  if (!res) {
    if (mysql_field_count(mysql_) != 0) return LastError(sql.substr(0, 200));
    return std::vector<SqlRow>{};
  }
  std::vector<SqlRow> rows;
  unsigned n = mysql_num_fields(res);
  while (MYSQL_ROW row = mysql_fetch_row(res)) {
    unsigned long* lengths = mysql_fetch_lengths(res);
    SqlRow out;
    out.reserve(n);
    for (unsigned i = 0; i < n; ++i) {
      if (row[i]) out.emplace_back(std::string(row[i], lengths[i]));
      else out.emplace_back(std::nullopt);
    }
    rows.push_back(std::move(out));
  }
  mysql_free_result(res);
  return rows;
}

core::Result<std::optional<std::string>> Connection::QueryValue(std::string_view sql) {
  WEFT_ASSIGN_OR_RETURN(auto rows, Query(sql));
  if (rows.empty() || rows[0].empty()) return std::optional<std::string>{};
  return rows[0][0];
}

std::string Connection::Quote(std::string_view text) const {
  std::string buf(text.size() * 2 + 1, '\0');
  unsigned long n = mysql_real_escape_string(mysql_, buf.data(), text.data(), text.size());
  buf.resize(n);
  return "'" + buf + "'";
}

}  // namespace weft::source::mysql
