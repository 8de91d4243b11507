// weft check -c FILE: validates the config, connects to every source and checks the server
// settings and grants weft needs and the views' tables and columns, printing each problem with its
// fix.
#include <algorithm>
#include <cstdio>
#include <functional>
#include <string>

#include "cli/args.h"
#include "cli/commands.h"
#include "config/config.h"
#include "core/log.h"
#include "pipeline/view_validation.h"
#include "source/mysql/sql/catalog.h"
#include "source/mysql/sql/connection.h"
#include "source/mysql/sql/server_check.h"
#include "source/postgres/sql/catalog.h"
#include "source/postgres/sql/pg_connection.h"
#include "source/postgres/sql/server_check.h"

namespace weft::cli {
namespace {

constexpr const char* kCheckHelp = R"(Usage: weft check -c FILE [--source NAME] [--log-level LEVEL]

Validates the config (every problem with file:line:col), then connects to each source and checks
what weft needs from the server:
  log_bin = ON, binlog_format = ROW, binlog_row_image = FULL, binlog_row_metadata = FULL,
  a server_id different from weft's, and the grants REPLICATION SLAVE, BINLOG MONITOR (MariaDB) or
  REPLICATION CLIENT + RELOAD (MySQL), SELECT on the database.
PostgreSQL sources: wal_level = logical, a free replication slot and WAL sender, the REPLICATION
  attribute, SELECT on each captured table and a replica identity for it (a primary key or
  REPLICA IDENTITY FULL), and the publication (it must publish every captured table, or weft
  must be allowed to create it).
Then checks the views of each source against its database: every root and lookup table exists, and
every column named by a relation, `fields` or `exclude` exists in its table (a problem lists the
tables or columns that do exist, with a "did you mean" for a near miss).
Each problem names its fix (the SET GLOBAL statement and my.cnf line, the exact GRANT, or the
config location file:line:col of the view or lookup to fix).

Options:
  -c, --config FILE    the TOML config (see conf/weft.toml)
  --source NAME        check only this source
  --log-level LEVEL    debug | info | warn | error: log lines on stderr besides the report
                       (default error, so that they do not interleave with it)
  -h, --help           this help

Exit status: 0 everything is ready, 1 a source has a problem or cannot be reached, or a view does
not match its source's tables, 2 bad usage or config.
)";

// A root table with neither a primary key nor a unique key over NOT NULL columns: weft keys its
// rows by all their columns, so identical rows are one document, and one row to an aggregate
// (issue 11). Reported with the fix; a failing query reports nothing (the other checks say why).
void AddKeylessRoots(const source::SourceCatalog& catalog, const config::Config& config,
                     const config::SourceConfig& source, std::vector<pipeline::ViewProblem>* problems) {
  for (const auto& view : config.views) {
    if (view.source != source.name || !catalog.keyless.count(view.root)) continue;
    problems->push_back({view.name, pipeline::ViewProblem::Kind::kTable,
                         view.location.ToString() + ": view '" + view.name + "': root table `" + view.root +
                             "` has neither a primary key nor a unique key over NOT NULL columns, so identical rows "
                             "collapse into one document" +
                             (view.is_aggregate() ? " and an aggregate counts them once" : "") +
                             "; add one (" +
                             (source.kind == "postgresql"
                                  ? "ALTER TABLE " + view.root + " ADD PRIMARY KEY (...), or an id column GENERATED "
                                    "ALWAYS AS IDENTITY PRIMARY KEY)"
                                  : "ALTER TABLE `" + view.root + "` ADD PRIMARY KEY (...), or an AUTO_INCREMENT id "
                                    "column)")});
  }
}

// Prints the views of `source` checked against its database's tables and columns; false on any
// problem.
bool ReportViews(const std::function<core::Result<source::SourceCatalog>()>& load, const config::Config& config,
                 const config::SourceConfig& source) {
  std::string names;
  for (const auto& view : config.views) {
    if (view.source == source.name) names += (names.empty() ? "" : ", ") + view.name;
  }
  if (names.empty()) return true;
  auto catalog = load();
  if (!catalog.ok()) {
    std::printf("views of source %s (%s): the check failed\n  - %s\n", source.name.c_str(), names.c_str(),
                catalog.status().message().c_str());
    return false;
  }
  auto problems = pipeline::ValidateViews(config.views, source.name, *catalog);
  AddKeylessRoots(*catalog, config, source, &problems);
  if (problems.empty()) {
    std::printf("views of source %s (%s): OK\n", source.name.c_str(), names.c_str());
    return true;
  }
  std::printf("views of source %s (%s): %zu problem%s\n", source.name.c_str(), names.c_str(), problems.size(),
              problems.size() == 1 ? "" : "s");
  for (const auto& p : problems) std::printf("  - %s\n", p.message.c_str());
  return false;
}

// A PostgreSQL source: the server settings, role, tables and publication (postgres/sql/server_check.h),
// then its views. False on any problem.
bool CheckPostgres(const config::Config& config, const config::SourceConfig& source, const std::string& where) {
  auto conn = source::postgres::PgConnection::Open(source, false);
  if (!conn.ok()) {
    std::printf("source %s (%s): cannot connect\n  - %s\n", source.name.c_str(), where.c_str(),
                core::RedactSecrets(conn.status().message()).c_str());
    return false;
  }
  std::vector<std::string> tables = source.tables;
  if (tables.empty()) {
    // The tables the views read are what weft captures (and publishes) when `tables` is empty.
    for (const auto& view : config.views) {
      if (view.source != source.name) continue;
      if (std::find(tables.begin(), tables.end(), view.root) == tables.end()) tables.push_back(view.root);
      for (const auto& lookup : view.lookups) {
        if (std::find(tables.begin(), tables.end(), lookup.table) == tables.end()) tables.push_back(lookup.table);
      }
    }
  }
  auto check = source::postgres::CheckPgServer(*conn, source, tables);
  bool ok = true;
  if (!check.ok()) {
    std::printf("source %s (%s): the check failed\n  - %s\n", source.name.c_str(), where.c_str(),
                check.status().message().c_str());
    ok = false;
  } else if (check->ok()) {
    std::printf("source %s (%s, PostgreSQL %s): OK\n", source.name.c_str(), where.c_str(), check->version.c_str());
  } else {
    ok = false;
    std::printf("source %s (%s, PostgreSQL %s): %zu problem%s\n", source.name.c_str(), where.c_str(),
                check->version.c_str(), check->problems.size(), check->problems.size() == 1 ? "" : "s");
    for (const auto& p : check->problems) std::printf("  - %s\n", p.c_str());
  }
  if (check.ok()) {
    for (const auto& n : check->notes) std::printf("  note: %s\n", n.c_str());
  }
  if (!ReportViews([&] { return source::postgres::LoadCatalog(*conn, source); }, config, source)) ok = false;
  return ok;
}

}  // namespace

int CheckCommand(int argc, char** argv) {
  Args args(argc, argv, 2,
            {{"config", 'c', true}, {"source", 0, true}, {"log-level", 0, true}, {"help", 'h', false}});
  if (args.Has("help")) {
    std::fputs(kCheckHelp, stdout);
    return 0;
  }
  std::string usage_error = args.error();
  core::LogLevel level = core::LogLevel::kError;
  if (usage_error.empty() && args.Has("log-level") && !core::ParseLogLevel(args.Get("log-level"), &level)) {
    usage_error = "unknown log level '" + args.Get("log-level") + "' (debug, info, warn, error)";
  }
  if (usage_error.empty() && !args.Has("config")) usage_error = "-c FILE is required";
  if (usage_error.empty() && !args.positional().empty()) usage_error = "unexpected argument '" + args.positional()[0] + "'";
  if (!usage_error.empty()) {
    std::fprintf(stderr, "weft check: %s\n\n%s", usage_error.c_str(), kCheckHelp);
    return 2;
  }
  auto config = config::LoadConfig(args.Get("config"));
  if (!config.ok()) {
    std::fprintf(stderr, "%s\n", config.status().message().c_str());
    return 2;
  }
  std::printf("config %s: OK\n", args.Get("config").c_str());
  if (args.Has("source") && !config->FindSource(args.Get("source"))) {
    std::fprintf(stderr, "weft check: %s has no [sources.%s]\n", args.Get("config").c_str(), args.Get("source").c_str());
    return 2;
  }
  // Library logs would interleave with the report; failures are printed here instead.
  core::SetLogLevel(level);
  int exit_code = 0;
  for (const config::SourceConfig& source : config->sources) {
    if (args.Has("source") && source.name != args.Get("source")) continue;
    core::RegisterSecret(source.password);
    const std::string where = source.host + ":" + std::to_string(source.port);
    if (source.kind == "postgresql") {
      if (!CheckPostgres(*config, source, where)) exit_code = 1;
      continue;
    }
    auto conn = source::mysql::Connection::Open(source);
    if (!conn.ok()) {
      std::printf("source %s (%s): cannot connect\n  - %s\n", source.name.c_str(), where.c_str(),
                  core::RedactSecrets(conn.status().message()).c_str());
      exit_code = 1;
      continue;
    }
    auto check = source::mysql::CheckServer(*conn, source, source.tables);
    if (!check.ok()) {
      std::printf("source %s (%s): the check failed\n  - %s\n", source.name.c_str(), where.c_str(),
                  check.status().message().c_str());
      exit_code = 1;
    } else if (check->ok()) {
      std::printf("source %s (%s, %s): OK\n", source.name.c_str(), where.c_str(), check->info.version.c_str());
    } else {
      exit_code = 1;
      std::printf("source %s (%s, %s): %zu problem%s\n", source.name.c_str(), where.c_str(),
                  check->info.version.c_str(), check->problems.size(), check->problems.size() == 1 ? "" : "s");
      for (const auto& p : check->problems) std::printf("  - %s\n", p.c_str());
    }
    if (!ReportViews([&] { return source::mysql::LoadCatalog(*conn, source.database); }, *config, source)) exit_code = 1;
  }
  std::fflush(stdout);
  return exit_code;
}

}  // namespace weft::cli
