#pragma once
// A throwaway PostgreSQL 15 for integration tests, after PostgreSQL's own Cluster.pm: initdb into
// a temp dir (owned by the `postgres` user, since the tests run as root and the server refuses
// root), a free loopback port, wal_level = logical with room for slots and WAL senders, started and
// stopped with pg_ctl as `postgres` (runuser). When something fails, the test prints LogTail() and
// the log's path so the server's side is visible. The destructor stops it and removes the dir.
//
// Set WEFT_TEST_KEEP=1 to keep the temp dir after the test.

#include <optional>
#include <string>
#include <vector>

namespace weft::test {

using PgRow = std::vector<std::optional<std::string>>;  // nullopt is NULL

class PostgresServer {
 public:
  PostgresServer() = default;
  ~PostgresServer();
  PostgresServer(const PostgresServer&) = delete;
  PostgresServer& operator=(const PostgresServer&) = delete;

  // initdb + start; false (with a reason in error()) when PostgreSQL 15 is not installed or does
  // not start. `extra_config` lines go to postgresql.conf.
  bool Start(const std::vector<std::string>& extra_config = {});
  void Stop();        // pg_ctl stop -m fast
  void Kill();        // SIGKILL of the postmaster
  bool StartAgain();  // after Stop()/Kill(), same port and data dir
  bool running() const { return running_; }

  int port() const { return port_; }
  const std::string& dir() const { return dir_; }
  const std::string& error() const { return error_; }
  std::string log_path() const { return dir_ + "/server.log"; }
  std::string LogTail(int lines = 40) const;

  // As the superuser `postgres` on database `db` over TCP. Execute fails the test (with the log
  // tail) on error; TryExecute returns false and the error text.
  void Execute(const std::string& sql, const std::string& db = "shop");
  bool TryExecute(const std::string& sql, std::string* error = nullptr, const std::string& db = "shop");
  std::vector<PgRow> Query(const std::string& sql, const std::string& db = "shop");
  std::string QueryValue(const std::string& sql, const std::string& db = "shop");  // "" when none

  // CREATE DATABASE shop; and role weft (LOGIN REPLICATION, password `password`) owning it.
  void CreateShop(const std::string& password = "weft-secret");

 private:
  bool Launch();
  std::string dir_;
  std::string error_;
  int port_ = 0;
  bool running_ = false;
};

// The postgresql-15 binaries directory, "" when not installed.
std::string PostgresBinDir();

}  // namespace weft::test
