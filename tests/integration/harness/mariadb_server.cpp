#include "integration/harness/mariadb_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <mysql.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include <doctest/doctest.h>

namespace weft::test {
namespace fs = std::filesystem;

int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  int port = ntohs(addr.sin_port);
  close(fd);
  return port;
}

std::string MakeTempDir(const std::string& prefix) {
  const char* tmp = std::getenv("TMPDIR");
  std::string pattern = std::string(tmp && *tmp ? tmp : "/tmp") + "/" + prefix + "XXXXXX";
  std::vector<char> buf(pattern.begin(), pattern.end());
  buf.push_back('\0');
  if (!mkdtemp(buf.data())) return "";
  return buf.data();
}

void RemoveTree(const std::string& path) {
  std::error_code ec;
  fs::remove_all(path, ec);
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void WriteFile(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
}

namespace {

int RunShell(const std::string& command) {
  int rc = std::system(command.c_str());
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

// The template data dir, created once per machine under an exclusive lock.
bool EnsureTemplate(std::string* out_dir, std::string* error) {
  std::string base = std::string("/tmp/weft-mariadb-template-") + std::to_string(getuid());
  std::string lock_path = base + ".lock";
  int lock_fd = open(lock_path.c_str(), O_CREAT | O_RDWR, 0600);
  if (lock_fd < 0 || flock(lock_fd, LOCK_EX) != 0) {
    *error = "cannot lock " + lock_path;
    return false;
  }
  std::string done = base + "/.weft-ready";
  bool ok = fs::exists(done);
  if (!ok) {
    RemoveTree(base);
    fs::create_directories(base);
    std::string user = getuid() == 0 ? " --user=root" : "";
    std::string cmd = "mariadb-install-db --no-defaults --datadir=" + base + "/data" + user +
                      " --auth-root-authentication-method=normal --skip-test-db > " + base +
                      "/install.log 2>&1";
    if (RunShell(cmd) != 0) {
      *error = "mariadb-install-db failed (is mariadb-server installed?); see " + base + "/install.log:\n" +
               ReadFile(base + "/install.log");
    } else {
      WriteFile(done, "ok\n");
      ok = true;
    }
  }
  flock(lock_fd, LOCK_UN);
  close(lock_fd);
  *out_dir = base + "/data";
  return ok;
}

struct MysqlCloser {
  void operator()(MYSQL* m) const { mysql_close(m); }
};

}  // namespace

MariaDBServer::~MariaDBServer() {
  if (pid_ > 0) Stop();
  if (!dir_.empty() && !std::getenv("WEFT_TEST_KEEP")) RemoveTree(dir_);
}

bool MariaDBServer::Start(const MariaDBOptions& options) {
  options_ = options;
  std::string tmpl;
  if (!EnsureTemplate(&tmpl, &error_)) return false;
  dir_ = MakeTempDir("weft-mariadb-");
  if (dir_.empty()) {
    error_ = "mkdtemp failed";
    return false;
  }
  if (RunShell("cp -a " + tmpl + " " + dir_ + "/data") != 0) {
    error_ = "copying the template data dir failed";
    return false;
  }
  port_ = FreePort();
  std::ostringstream cnf;
  cnf << "[mariadbd]\n"
      << "datadir=" << dir_ << "/data\n"
      << "socket=" << dir_ << "/mysqld.sock\n"
      << "pid-file=" << dir_ << "/mysqld.pid\n"
      << "log-error=" << dir_ << "/mysqld.log\n"
      // Its own tmpdir: a server starting removes every #sql* file in its tmpdir, which would
      // delete the internal temporary tables of the other servers running tests in parallel.
      << "tmpdir=" << dir_ << "\n"
      << "port=" << port_ << "\n"
      << "bind-address=127.0.0.1\n"
      << "server_id=1\n";
  if (options_.log_bin) {
    cnf << "log_bin=" << dir_ << "/data/mariadb-bin\n"
        << "binlog_format=ROW\nbinlog_row_image=FULL\nbinlog_row_metadata=FULL\n";
  }
  cnf << "innodb_buffer_pool_size=64M\ninnodb_log_file_size=32M\ninnodb_flush_log_at_trx_commit=2\n"
      << "sync_binlog=0\nskip-name-resolve\nmax_allowed_packet=64M\n"
      << "character-set-server=utf8mb4\ncollation-server=utf8mb4_general_ci\n";
  if (getuid() == 0) cnf << "user=root\n";
  for (const auto& line : options_.extra_config) cnf << line << "\n";
  WriteFile(dir_ + "/my.cnf", cnf.str());
  return Launch();
}

bool MariaDBServer::Launch() {
  pid_t pid = fork();
  if (pid == 0) {
    std::string defaults = "--defaults-file=" + dir_ + "/my.cnf";
    int devnull = open("/dev/null", O_RDWR);
    dup2(devnull, 0);
    dup2(devnull, 1);
    setpgid(0, 0);
    execlp("mariadbd", "mariadbd", defaults.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  pid_ = pid;
  for (int i = 0; i < 300; ++i) {  // up to 30 s
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      error_ = "mariadbd exited during start; log:\n" + LogTail();
      return false;
    }
    if (TryExecute("SELECT 1")) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  error_ = "mariadbd did not accept connections within 30 s; log:\n" + LogTail();
  return false;
}

bool MariaDBServer::Restart() {
  Stop();
  return StartAgain();
}

bool MariaDBServer::StartAgain() { return Launch(); }

void MariaDBServer::Stop() {
  if (pid_ <= 0) return;
  kill(pid_, SIGTERM);
  for (int i = 0; i < 600; ++i) {
    if (waitpid(pid_, nullptr, WNOHANG) == pid_) {
      pid_ = -1;
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  Kill();
}

void MariaDBServer::Kill() {
  if (pid_ <= 0) return;
  kill(pid_, SIGKILL);
  waitpid(pid_, nullptr, 0);
  pid_ = -1;
}

std::string MariaDBServer::LogTail(int lines) const {
  std::ifstream in(dir_ + "/mysqld.log");
  std::deque<std::string> tail;
  for (std::string line; std::getline(in, line);) {
    tail.push_back(line);
    if (static_cast<int>(tail.size()) > lines) tail.pop_front();
  }
  std::string out = "--- " + dir_ + "/mysqld.log (last lines) ---\n";
  for (const auto& l : tail) out += l + "\n";
  return out;
}

bool MariaDBServer::TryExecute(const std::string& sql, std::string* error) {
  std::unique_ptr<MYSQL, MysqlCloser> m(mysql_init(nullptr));
  unsigned int timeout = 5;
  mysql_optionsv(m.get(), MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
  if (!mysql_real_connect(m.get(), "127.0.0.1", "root", "", nullptr, port_, nullptr, CLIENT_MULTI_STATEMENTS)) {
    if (error) *error = mysql_error(m.get());
    return false;
  }
  if (mysql_query(m.get(), sql.c_str()) != 0) {
    if (error) *error = mysql_error(m.get());
    return false;
  }
  // Drain every result of a multi-statement query, failing on the first statement that fails.
  do {
    if (MYSQL_RES* res = mysql_store_result(m.get())) mysql_free_result(res);
    int next = mysql_next_result(m.get());
    if (next > 0) {
      if (error) *error = mysql_error(m.get());
      return false;
    }
    if (next < 0) break;
  } while (true);
  return true;
}

void MariaDBServer::Execute(const std::string& sql) {
  std::string error;
  if (!TryExecute(sql, &error)) {
    FAIL("SQL failed: " << error << "\nstatement: " << sql.substr(0, 500) << "\n" << LogTail(10));
  }
}

std::vector<SqlRow> MariaDBServer::Query(const std::string& sql) {
  std::vector<SqlRow> rows;
  std::unique_ptr<MYSQL, MysqlCloser> m(mysql_init(nullptr));
  if (!mysql_real_connect(m.get(), "127.0.0.1", "root", "", nullptr, port_, nullptr, 0)) {
    FAIL("connect failed: " << std::string(mysql_error(m.get())));
    return rows;
  }
  mysql_query(m.get(), "SET time_zone='+00:00'");
  if (mysql_query(m.get(), sql.c_str()) != 0) {
    FAIL("query failed: " << std::string(mysql_error(m.get())) << "\nstatement: " << sql);
    return rows;
  }
  MYSQL_RES* res = mysql_store_result(m.get());
  if (!res) {
    // No result set: a statement without one, or a failure while reading it (never silently "no rows").
    if (mysql_errno(m.get()) != 0) {
      FAIL("query failed: " << mysql_errno(m.get()) << " " << std::string(mysql_error(m.get()))
                             << "\nstatement: " << sql);
    }
    return rows;
  }
  unsigned n = mysql_num_fields(res);
  while (MYSQL_ROW row = mysql_fetch_row(res)) {
    unsigned long* lengths = mysql_fetch_lengths(res);
    SqlRow out;
    for (unsigned i = 0; i < n; ++i) {
      if (row[i]) out.emplace_back(std::string(row[i], lengths[i]));
      else out.emplace_back(std::nullopt);
    }
    rows.push_back(std::move(out));
  }
  mysql_free_result(res);
  return rows;
}

std::string MariaDBServer::QueryValue(const std::string& sql) {
  auto rows = Query(sql);
  if (rows.empty() || rows[0].empty() || !rows[0][0]) return "";
  return *rows[0][0];
}

void MariaDBServer::CreateWeftUser(const std::string& password) {
  Execute("CREATE USER IF NOT EXISTS 'weft'@'%' IDENTIFIED BY '" + password + "';"
          "GRANT SELECT, RELOAD, SHOW DATABASES, REPLICATION SLAVE, BINLOG MONITOR, REPLICATION MASTER ADMIN"
          " ON *.* TO 'weft'@'%'");
}

}  // namespace weft::test
