#pragma once
// Prints a `weft init` proposal as a commented weft config, in exactly the format `weft run` and
// `weft check` read (conf/weft.toml): [state], [sources.NAME], one sink, [status], and one
// [[views]] per proposed root with its [[views.lookups]], each lookup commented with the relation
// it follows (declared foreign key or guess) and its estimated fan-out. Pure: no I/O.

#include <string>
#include <vector>

#include "cli/init/proposal.h"
#include "config/config.h"
#include "source/schema_graph.h"

namespace weft::cli::init {

struct TomlOptions {
  // The source to write: name, kind, host, port, user, database, tables, schema, publication and
  // slot (PostgreSQL), server_id, tls. Its password is never written: see password_env.
  config::SourceConfig source;
  // When the source needs a password, the config says password = "${<password_env>}".
  bool has_password = false;
  std::string password_env = "WEFT_SOURCE_PASSWORD";
  std::string sink_kind = "sqlite";  // sqlite | jsonl | mongodb
  // What `weft check` would say about the server now, one line each (empty with server_checked:
  // the server is ready); printed as comments under the settings advice.
  bool server_checked = false;
  std::vector<std::string> server_problems;
};

std::string WriteConfigToml(const source::SchemaGraph& graph, const Proposal& proposal, const TomlOptions& options);

// `text` as a TOML basic string, quotes included.
std::string TomlString(const std::string& text);

}  // namespace weft::cli::init
