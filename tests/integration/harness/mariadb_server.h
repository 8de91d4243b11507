#pragma once
// A throwaway MariaDB for integration tests, in the spirit of PostgreSQL's Cluster.pm: a data dir in
// a temp dir, a free loopback port, the binlog settings weft needs, stopped (and its dir removed) in
// the destructor. When something fails, the test prints LogTail() so the server's side is visible.
// The data dir is copied from a template made once per machine by mariadb-install-db (under a lock,
// so parallel test binaries share it), which keeps a server start around a second.
//
// Set WEFT_TEST_KEEP=1 to keep the temp dir after the test.

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace weft::test {

struct MariaDBOptions {
  // Extra lines for the [mariadbd] section, e.g. "binlog_row_image=MINIMAL".
  std::vector<std::string> extra_config;
  bool log_bin = true;
};

using SqlRow = std::vector<std::optional<std::string>>;  // nullopt is NULL

class MariaDBServer {
 public:
  MariaDBServer() = default;
  ~MariaDBServer();
  MariaDBServer(const MariaDBServer&) = delete;
  MariaDBServer& operator=(const MariaDBServer&) = delete;

  // Creates the data dir and starts the server; returns false (with a reason in error()) when
  // MariaDB is not installed or does not start.
  bool Start(const MariaDBOptions& options = {});
  bool Restart();          // stop (clean) then start on the same port and data dir
  void Stop();             // clean shutdown, waits for exit
  void Kill();             // SIGKILL
  bool StartAgain();       // start after Stop()/Kill() on the same port and data dir
  bool running() const { return pid_ > 0; }

  int port() const { return port_; }
  const std::string& dir() const { return dir_; }
  const std::string& error() const { return error_; }
  std::string LogTail(int lines = 40) const;

  // Runs SQL as root over TCP; aborts the test (doctest FAIL) on error, with the server log tail.
  void Execute(const std::string& sql);
  // Runs SQL, returns false and the error text instead of failing.
  bool TryExecute(const std::string& sql, std::string* error = nullptr);
  std::vector<SqlRow> Query(const std::string& sql);
  std::string QueryValue(const std::string& sql);  // first column of the first row ("" when none)

  // Creates user `weft`@'%' with password `password` and the grants weft documents.
  void CreateWeftUser(const std::string& password = "weft-secret");

 private:
  bool Launch();
  std::string dir_;
  std::string error_;
  int port_ = 0;
  int pid_ = -1;
  MariaDBOptions options_;
};

// A free TCP port on 127.0.0.1 (bound and released; good enough for tests).
int FreePort();
// A fresh temp directory (mkdtemp) under $TMPDIR or /tmp.
std::string MakeTempDir(const std::string& prefix);
void RemoveTree(const std::string& path);
std::string ReadFile(const std::string& path);
void WriteFile(const std::string& path, const std::string& text);

}  // namespace weft::test
