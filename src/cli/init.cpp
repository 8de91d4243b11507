// weft init: connects to a source, reads its tables, keys and foreign keys, and prints a commented
// config with one wide view per proposed root table (cli/init/proposal.h, cli/init/toml_writer.h).
#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <set>
#include <string>

#include "cli/args.h"
#include "cli/commands.h"
#include "cli/init/names.h"
#include "cli/init/proposal.h"
#include "cli/init/relation_guess.h"
#include "cli/init/source_url.h"
#include "cli/init/toml_writer.h"
#include "config/config.h"
#include "core/log.h"
#include "source/mysql/sql/connection.h"
#include "source/mysql/sql/schema_graph.h"
#include "source/mysql/sql/server_check.h"
#include "source/postgres/sql/pg_connection.h"
#include "source/postgres/sql/schema_graph.h"
#include "source/postgres/sql/server_check.h"

namespace weft::cli {
namespace {

constexpr const char* kPasswordEnv = "WEFT_SOURCE_PASSWORD";

constexpr const char* kInitHelp = R"(Usage: weft init --source URL [options]
       weft init -c FILE [--name SOURCE] [options]

Connects to a source database, reads its tables, primary keys, foreign keys and row estimates, and
writes a commented weft config: [state], the source, a sink, and one wide view per proposed root
table, its parents embedded as objects and its children as arrays, nested as deep as the keys allow.
Each lookup says which relation it follows and its estimated fan-out (rows per parent, from the
server's table statistics), so you see which lookups are expensive. Where no foreign key is
declared, relations are guessed from matching key column names (orders.customer_id ->
customers.customer_id or customers.id) and marked as guesses. The server settings weft needs are
listed as comments, with what the server lacked when weft init ran.

Roots: tables whose rows own other tables' rows (the child's primary key holds the foreign key, as
order_items (order_id, item_id) belongs to orders); else tables referenced by others that reference
none, and the tables with the most relations. --root picks them yourself.

Options:
  --source URL         mysql://user[:password]@host[:port]/database (also mariadb://), or
                       postgresql://user[:password]@host[:port]/database (?schema=NAME after
                       it reads another schema than public). Without a password in the URL, $WEFT_SOURCE_PASSWORD is used if set (this keeps
                       it out of the process list). The output never holds the password: it says
                       password = "${WEFT_SOURCE_PASSWORD}".
  -c, --config FILE    take the source from this config instead (its only source, or --name);
                       its `tables`, when set, narrow what is read
  --name NAME          the source's name in the output (default: from the database name); with -c,
                       the [sources.NAME] to use
  -o, --output FILE    write the config to FILE instead of stdout (refuses to overwrite one)
  --force              overwrite FILE
  --sink KIND          sqlite (default, docs.db next to the config) | jsonl (stdout) | mongodb
  --root TABLE[,TABLE] propose views rooted at these tables instead
  --max-depth N        how deep lookups nest (default 3)
  -h, --help           this help

Exit status: 0 written, 1 the database could not be read, 2 bad usage.
Then: weft check -c FILE (exit 0 when the server and the views are ready), weft run -c FILE --oneshot.
)";

int Usage(const std::string& message) {
  std::fprintf(stderr, "weft init: %s\n\n%s", message.c_str(), kInitHelp);
  return 2;
}

std::vector<std::string> SplitList(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    std::string item = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (!item.empty()) out.push_back(item);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

// Reads the graph and what `weft check` would say about the server; false (with the reason on
// stderr) when the database cannot be read.
bool ReadSource(const config::SourceConfig& source, source::SchemaGraph* graph, init::TomlOptions* toml) {
  const std::string where = source.host + ":" + std::to_string(source.port);
  if (source.kind == "postgresql") {
    auto conn = source::postgres::PgConnection::Open(source, false);
    if (!conn.ok()) {
      std::fprintf(stderr, "weft init: cannot connect to %s: %s\n", where.c_str(),
                   core::RedactSecrets(conn.status().message()).c_str());
      return false;
    }
    auto loaded = source::postgres::LoadSchemaGraph(*conn, source.database, source.schema);
    if (!loaded.ok()) {
      std::fprintf(stderr, "weft init: reading the tables of %s failed: %s\n", where.c_str(),
                   loaded.status().message().c_str());
      return false;
    }
    *graph = std::move(*loaded);
    std::vector<std::string> tables;
    for (const auto& t : graph->tables) tables.push_back(t.name);
    if (auto check = source::postgres::CheckPgServer(*conn, source, tables); check.ok()) {
      toml->server_checked = true;
      toml->server_problems = check->problems;
    }
    return true;
  }
  auto conn = source::mysql::Connection::Open(source);
  if (!conn.ok()) {
    std::fprintf(stderr, "weft init: cannot connect to %s: %s\n", where.c_str(),
                 core::RedactSecrets(conn.status().message()).c_str());
    return false;
  }
  auto loaded = source::mysql::LoadSchemaGraph(*conn, source.database);
  if (!loaded.ok()) {
    std::fprintf(stderr, "weft init: reading the tables of %s failed: %s\n", where.c_str(),
                 loaded.status().message().c_str());
    return false;
  }
  *graph = std::move(*loaded);
  if (auto check = source::mysql::CheckServer(*conn, source, {}); check.ok()) {
    toml->server_checked = true;
    toml->server_problems = check->problems;
  }
  return true;
}

// A config's `tables`: the graph keeps only those tables and the relations between them.
void RestrictTo(const std::vector<std::string>& tables, source::SchemaGraph* graph) {
  auto listed = [&](const std::string& t) { return std::find(tables.begin(), tables.end(), t) != tables.end(); };
  std::erase_if(graph->tables, [&](const source::SchemaTable& t) { return !listed(t.name); });
  std::erase_if(graph->relations,
                [&](const source::SchemaRelation& r) { return !listed(r.child) || !listed(r.parent); });
}

}  // namespace

int InitCommand(int argc, char** argv) {
  Args args(argc, argv, 2,
            {{"source", 0, true},
             {"config", 'c', true},
             {"name", 0, true},
             {"output", 'o', true},
             {"force", 0, false},
             {"sink", 0, true},
             {"root", 0, true},
             {"max-depth", 0, true},
             {"help", 'h', false}});
  if (args.Has("help")) {
    std::fputs(kInitHelp, stdout);
    return 0;
  }
  if (!args.error().empty()) return Usage(args.error());
  if (!args.positional().empty()) return Usage("unexpected argument '" + args.positional()[0] + "'");
  if (args.Has("source") == args.Has("config")) return Usage("give either --source URL or -c FILE");
  init::TomlOptions toml;
  toml.password_env = kPasswordEnv;
  toml.sink_kind = args.Get("sink", "sqlite");
  if (toml.sink_kind != "sqlite" && toml.sink_kind != "jsonl" && toml.sink_kind != "mongodb") {
    return Usage("--sink must be sqlite, jsonl or mongodb");
  }
  init::ProposalOptions proposal_options;
  if (args.Has("max-depth")) {
    const std::string d = args.Get("max-depth");
    if (d.empty() || d.size() > 2 || d.find_first_not_of("0123456789") != std::string::npos || std::stoi(d) < 1) {
      return Usage("--max-depth must be a number from 1 to 99");
    }
    proposal_options.max_depth = std::stoi(d);
  }
  proposal_options.roots = SplitList(args.Get("root"));

  config::SourceConfig source;
  if (args.Has("source")) {
    auto parsed = init::ParseSourceUrl(args.Get("source"));
    if (!parsed.ok()) return Usage(parsed.status().message());
    source = std::move(*parsed);
    if (source.password.empty()) {
      if (const char* env = std::getenv(kPasswordEnv)) source.password = env;
    }
    source.name = args.Has("name") ? args.Get("name") : init::SlotSafeName(source.database);
  } else {
    auto config = config::LoadConfig(args.Get("config"));
    if (!config.ok()) {
      std::fprintf(stderr, "%s\n", config.status().message().c_str());
      return 2;
    }
    const config::SourceConfig* found = nullptr;
    if (args.Has("name")) {
      found = config->FindSource(args.Get("name"));
      if (!found) return Usage(args.Get("config") + " has no [sources." + args.Get("name") + "]");
    } else if (config->sources.size() == 1) {
      found = &config->sources[0];
    } else {
      return Usage(args.Get("config") + " has several sources: pick one with --name NAME");
    }
    source = *found;
  }
  if (source.name.empty() || init::SafeName(source.name) != source.name) {
    return Usage("--name: '" + source.name + "' is not a source name (letters, digits, '_', '-')");
  }
  // A PostgreSQL source's slot and publication default to weft_<name>, which only a-z, 0-9, '_' may form.
  if (source.kind == "postgresql" && source.slot.empty() && init::SlotSafeName(source.name) != source.name) {
    return Usage("--name: '" + source.name + "' cannot name a PostgreSQL source's slot (a-z, 0-9, '_')");
  }
  core::RegisterSecret(source.password);
  toml.has_password = !source.password.empty();
  // Library logs would interleave with the output on a terminal; failures are printed here.
  core::SetLogLevel(core::LogLevel::kError);

  source::SchemaGraph graph;
  if (!ReadSource(source, &graph, &toml)) return 1;
  if (!source.tables.empty()) RestrictTo(source.tables, &graph);
  for (const auto& root : proposal_options.roots) {
    if (!graph.Find(root)) {
      return Usage("--root: no table " + root + " in " + source.database + " (" + std::to_string(graph.tables.size()) +
                   " tables)");
    }
  }
  if (graph.tables.empty()) {
    std::fprintf(stderr, "weft init: %s has no tables (is it the right database%s?)\n", source.database.c_str(),
                 source.kind == "postgresql" ? " and schema, ?schema=NAME" : "");
    return 1;
  }
  proposal_options.keyless_lookups = source.kind != "postgresql";
  const int guessed = init::AddGuessedRelations(&graph);
  const init::Proposal proposal = init::Propose(graph, proposal_options);
  toml.source = source;
  toml.source.password.clear();
  const std::string text = init::WriteConfigToml(graph, proposal, toml);

  std::string where = "stdout";
  if (args.Has("output")) {
    where = args.Get("output");
    // "wx" creates the file or fails when it exists (O_EXCL): no silent overwrite.
    FILE* f = std::fopen(where.c_str(), args.Has("force") ? "w" : "wx");
    if (!f) {
      if (errno == EEXIST) return Usage(where + " exists; pass --force to overwrite it");
      std::fprintf(stderr, "weft init: cannot write %s: %s\n", where.c_str(), std::strerror(errno));
      return 1;
    }
    const bool ok = std::fwrite(text.data(), 1, text.size(), f) == text.size();
    if (std::fclose(f) != 0 || !ok) {
      std::fprintf(stderr, "weft init: writing %s failed: %s\n", where.c_str(), std::strerror(errno));
      return 1;
    }
  } else {
    std::fwrite(text.data(), 1, text.size(), stdout);
    std::fflush(stdout);
  }
  std::fprintf(stderr, "weft init: %zu tables, %zu relations (%d guessed), %zu view%s proposed; wrote %s\n",
               graph.tables.size(), graph.relations.size(), guessed, proposal.views.size(),
               proposal.views.size() == 1 ? "" : "s", where.c_str());
  if (toml.has_password) {
    std::fprintf(stderr, "weft init: the config reads the password from $%s: have it set for weft check / weft run\n",
                 kPasswordEnv);
  }
  return 0;
}

}  // namespace weft::cli
