#include "integration/harness/postgres_server.h"

#include <libpq-fe.h>
#include <signal.h>
#include <unistd.h>

#include <cstdlib>
#include <deque>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <doctest/doctest.h>

#include "integration/harness/mariadb_server.h"

namespace weft::test {
namespace fs = std::filesystem;

namespace {

int Shell(const std::string& command) { return std::system(command.c_str()); }

// As the postgres user: the server refuses to run as root.
std::string AsPostgres(const std::string& command) { return "runuser -u postgres -- " + command; }

struct Conn {
  PGconn* c = nullptr;
  ~Conn() {
    if (c) PQfinish(c);
  }
};

}  // namespace

std::string PostgresBinDir() {
  const char* dir = "/usr/lib/postgresql/15/bin";
  return fs::exists(std::string(dir) + "/initdb") ? dir : "";
}

PostgresServer::~PostgresServer() {
  if (running_) Stop();
  const char* keep = std::getenv("WEFT_TEST_KEEP");
  if (!dir_.empty() && !(keep && *keep == '1')) RemoveTree(dir_);
}

bool PostgresServer::Start(const std::vector<std::string>& extra_config) {
  std::string bin = PostgresBinDir();
  if (bin.empty()) {
    error_ =
        "PostgreSQL 15 is not installed (/usr/lib/postgresql/15/bin/initdb missing; apt-get install postgresql-15)";
    return false;
  }
  dir_ = MakeTempDir("weft-pg-");
  if (dir_.empty()) {
    error_ = "cannot create a temp dir";
    return false;
  }
  Shell("chown postgres " + dir_ + " && chmod 755 " + dir_);
  std::string initdb =
      AsPostgres(bin + "/initdb -D " + dir_ + "/data -U postgres --auth=trust -E UTF8 --locale=C --no-sync") + " > " +
      dir_ + "/initdb.log 2>&1";
  if (Shell(initdb) != 0) {
    error_ = "initdb failed: " + ReadFile(dir_ + "/initdb.log");
    return false;
  }
  port_ = FreePort();
  std::ostringstream conf;
  conf << "\nport = " << port_ << "\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '" << dir_ << "'\n"
       << "wal_level = logical\nmax_replication_slots = 10\nmax_wal_senders = 10\nfsync = off\n"
       << "synchronous_commit = off\nfull_page_writes = off\nshared_buffers = 32MB\nlog_min_messages = warning\n";
  for (const auto& line : extra_config) conf << line << "\n";
  std::ofstream(dir_ + "/data/postgresql.conf", std::ios::app) << conf.str();
  return Launch();
}

bool PostgresServer::Launch() {
  std::string bin = PostgresBinDir();
  Shell("touch " + log_path() + " && chown postgres " + log_path());
  std::string cmd = AsPostgres(bin + "/pg_ctl -D " + dir_ + "/data -l " + log_path() + " -w -t 60 start") + " > " +
                    dir_ + "/pg_ctl.log 2>&1";
  if (Shell(cmd) != 0) {
    error_ = "pg_ctl start failed (log " + log_path() + "): " + ReadFile(dir_ + "/pg_ctl.log") + LogTail();
    return false;
  }
  running_ = true;
  return true;
}

void PostgresServer::Stop() {
  if (!running_) return;
  Shell(AsPostgres(PostgresBinDir() + "/pg_ctl -D " + dir_ + "/data -m fast -w stop") + " > /dev/null 2>&1");
  running_ = false;
}

void PostgresServer::Kill() {
  std::ifstream pidfile(dir_ + "/data/postmaster.pid");
  int pid = 0;
  if (pidfile >> pid && pid > 0) kill(pid, SIGKILL);
  // The children notice the postmaster is gone and exit; wait for the port to be free.
  for (int i = 0; i < 100 && Shell("pgrep -u postgres -f '" + dir_ + "/data' > /dev/null") == 0; ++i) usleep(100000);
  std::remove((dir_ + "/data/postmaster.pid").c_str());
  running_ = false;
}

bool PostgresServer::StartAgain() { return Launch(); }

std::string PostgresServer::LogTail(int lines) const {
  std::ifstream in(log_path());
  std::deque<std::string> tail;
  for (std::string line; std::getline(in, line);) {
    tail.push_back(line);
    if (static_cast<int>(tail.size()) > lines) tail.pop_front();
  }
  std::string out = "--- " + log_path() + " (last lines) ---\n";
  for (const auto& l : tail) out += l + "\n";
  return out;
}

bool PostgresServer::TryExecute(const std::string& sql, std::string* error, const std::string& db) {
  std::vector<PgRow> rows;
  Conn conn;
  std::string info = "host=127.0.0.1 port=" + std::to_string(port_) + " user=postgres dbname=" + db +
                     " connect_timeout=10 options='-c TimeZone=UTC -c DateStyle=ISO,YMD -c IntervalStyle=iso_8601 "
                     "-c extra_float_digits=3 -c lc_monetary=C'";
  conn.c = PQconnectdb(info.c_str());
  if (PQstatus(conn.c) != CONNECTION_OK) {
    if (error) *error = PQerrorMessage(conn.c);
    return false;
  }
  PGresult* r = PQexec(conn.c, sql.c_str());
  ExecStatusType st = PQresultStatus(r);
  bool ok = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
  if (!ok && error) *error = PQresultErrorMessage(r);
  PQclear(r);
  return ok;
}

void PostgresServer::Execute(const std::string& sql, const std::string& db) {
  std::string error;
  if (!TryExecute(sql, &error, db))
    FAIL("PostgreSQL: " << error << "\nSQL: " << sql.substr(0, 2000) << "\n" << LogTail());
}

std::vector<PgRow> PostgresServer::Query(const std::string& sql, const std::string& db) {
  std::vector<PgRow> rows;
  Conn conn;
  std::string info = "host=127.0.0.1 port=" + std::to_string(port_) + " user=postgres dbname=" + db +
                     " connect_timeout=10 options='-c TimeZone=UTC -c DateStyle=ISO,YMD -c IntervalStyle=iso_8601 "
                     "-c extra_float_digits=3 -c lc_monetary=C -c bytea_output=hex'";
  conn.c = PQconnectdb(info.c_str());
  if (PQstatus(conn.c) != CONNECTION_OK) FAIL("PostgreSQL connect: " << PQerrorMessage(conn.c) << LogTail());
  PGresult* r = PQexec(conn.c, sql.c_str());
  if (PQresultStatus(r) != PGRES_TUPLES_OK) {
    std::string error = PQresultErrorMessage(r);
    PQclear(r);
    FAIL("PostgreSQL: " << error << "\nSQL: " << sql << "\n" << LogTail());
  }
  for (int i = 0; i < PQntuples(r); ++i) {
    PgRow row;
    for (int j = 0; j < PQnfields(r); ++j) {
      if (PQgetisnull(r, i, j))
        row.push_back(std::nullopt);
      else
        row.push_back(std::string(PQgetvalue(r, i, j), static_cast<size_t>(PQgetlength(r, i, j))));
    }
    rows.push_back(std::move(row));
  }
  PQclear(r);
  return rows;
}

std::string PostgresServer::QueryValue(const std::string& sql, const std::string& db) {
  auto rows = Query(sql, db);
  if (rows.empty() || rows[0].empty() || !rows[0][0]) return "";
  return *rows[0][0];
}

void PostgresServer::CreateShop(const std::string& password) {
  Execute("CREATE ROLE weft LOGIN REPLICATION PASSWORD '" + password + "'", "postgres");
  Execute("CREATE DATABASE shop OWNER weft", "postgres");
  Execute("ALTER SCHEMA public OWNER TO weft", "shop");
}

}  // namespace weft::test
