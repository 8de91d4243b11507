#include "integration/postgres/pg_fixture.h"

#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include <doctest/doctest.h>

#include "integration/harness/mariadb_server.h"
#include "integration/harness/seed_fixture.h"

namespace weft::test {

void StartShop(PostgresServer& server) {
  REQUIRE_MESSAGE(server.Start(), "PostgreSQL 15 is needed for this test: " << server.error());
  server.CreateShop();
}

namespace {

// MySQL's CREATE TABLE text -> PostgreSQL's: no ENGINE/CHARSET, DATETIME -> TIMESTAMP, the
// secondary KEY lines dropped (and the comma before the closing parenthesis with them).
std::string ToPostgres(const std::string& mysql) {
  std::istringstream in(mysql);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("  KEY ", 0) == 0) continue;
    size_t engine = line.find(" ENGINE=");
    if (engine != std::string::npos) line = line.substr(0, engine) + ";";
    for (size_t at; (at = line.find("DATETIME")) != std::string::npos;) line.replace(at, 8, "TIMESTAMP");
    if (line.rfind(")", 0) == 0 && !lines.empty() && !lines.back().empty() && lines.back().back() == ',') {
      lines.back().pop_back();
    }
    lines.push_back(line);
  }
  std::string out;
  for (const auto& l : lines) out += l + "\n";
  return out;
}

}  // namespace

void CreatePgSeedSchema(PostgresServer& server, bool sample) {
  std::string schema = ToPostgres(ReadFile(std::string(WEFT_SOURCE_DIR) + "/tests/data/seeds/schema.sql"));
  server.Execute("SET ROLE weft;\n" + schema);
  if (sample)
    server.Execute("SET ROLE weft;\n" + ReadFile(std::string(WEFT_SOURCE_DIR) + "/tests/data/seeds/sample_data.sql"));
}

std::string WritePgSeedConfig(const std::string& dir, const PostgresServer& server, const std::string& source_extra,
                              const std::string& extra) {
  std::ostringstream toml;
  toml << "[state]\npath = \"" << dir << "/state.db\"\n\n"
       << "[sources.shop]\nkind = \"postgresql\"\nhost = \"127.0.0.1\"\nport = " << server.port()
       << "\nuser = \"weft\"\npassword = \"weft-secret\"\ndatabase = \"shop\"\n"
       << source_extra << "\n"
       << "[sinks.local]\nkind = \"sqlite\"\npath = \"" << dir << "/docs.db\"\n\n"
       << "[status]\nlisten = \"off\"\n\n"
       << SeedOrderView("local") << "\n"
       << extra;
  std::string path = dir + "/weft.toml";
  WriteFile(path, toml.str());
  chmod(path.c_str(), 0600);
  return path;
}

std::string PgTransaction(Workload& workload) {
  std::string mysql = workload.NextTransaction();
  std::istringstream in(mysql);
  std::string out;
  for (std::string stmt; std::getline(in, stmt);) {
    if (!stmt.empty() && stmt.back() == ';') stmt.pop_back();
    if (stmt.empty()) continue;
    bool insert_ignore = stmt.rfind("INSERT IGNORE INTO ", 0) == 0;
    if (insert_ignore) stmt = "INSERT INTO " + stmt.substr(19) + " ON CONFLICT DO NOTHING";
    if (stmt.rfind("UPDATE IGNORE ", 0) == 0) stmt = "UPDATE " + stmt.substr(14);
    for (size_t at = 0; (at = stmt.find("/100", at)) != std::string::npos; at += 6) stmt.replace(at, 4, "/100.0");
    out += stmt + ";\n";
  }
  return out;
}

PgBackgroundWorkload::PgBackgroundWorkload(PostgresServer& server, unsigned seed, int pause_ms) {
  thread_ = std::thread([this, &server, seed, pause_ms] {
    Workload workload(seed);
    while (!stop_.load()) {
      server.TryExecute(PgTransaction(workload));
      ++done_;
      if (pause_ms > 0) usleep(pause_ms * 1000);
    }
  });
}

int PgBackgroundWorkload::Stop() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
  return done_.load();
}

}  // namespace weft::test
