#pragma once
// The section parsers behind ParseConfig(): each turns one part of the TOML document into its
// struct, reporting problems into the shared Diagnostics and carrying on, so one load reports
// everything. Internal to src/config; single-threaded.

#include <filesystem>
#include <string>
#include <vector>

#include <toml++/toml.h>

#include "config/config.h"
#include "config/diagnostics.h"
#include "config/toml_reader.h"

namespace weft::config {

// A password written into the file itself rather than referenced as ${VAR}.
struct LiteralSecret {
  Location where;
  std::string what;  // "sources.shop.password"
};

struct ParseContext {
  Diagnostics& diag;
  std::filesystem::path config_dir;  // absolute directory of the config file
  std::vector<LiteralSecret> literal_secrets;
};

// Relative paths resolve against the config file's directory; "-", ":memory:" and absolute paths
// are kept as they are.
std::string ResolvePath(const std::filesystem::path& config_dir, const std::string& path);
// Names of sources, sinks and views end up in log components and state keys: [A-Za-z0-9_-]+.
bool ValidName(const std::string& name);

// Each `node` is the section's node (nullptr when the section is absent).
void ParseState(const toml::node* node, ParseContext& ctx, StateConfig* out);
void ParseSources(const toml::node* node, ParseContext& ctx, std::vector<SourceConfig>* out);
void ParseSinks(const toml::node* node, ParseContext& ctx, std::vector<SinkConfig>* out);
void ParseStatus(const toml::node* node, ParseContext& ctx, StatusConfig* out);
void ParseLog(const toml::node* node, ParseContext& ctx, LogConfig* out);
// Views last: they check their source and sink against config->sources / config->sinks.
void ParseViews(const toml::node* node, ParseContext& ctx, Config* config);

// The keys of a kind = "kafka" sink (kafka_sink_keys.cpp); `r` reads the sink's table.
void ParseKafkaSinkKeys(TableReader& r, ParseContext& ctx, SinkConfig* s);
// A kafka sink's change_sources must each name a [sources.X] that some view reads, once.
void CheckChangeSources(const Config& config, Diagnostics& diag);

// "127.0.0.1:8089", "[::1]:8089", "localhost:8089" -> host, port; false with *error set otherwise.
bool ParseListen(const std::string& listen, std::string* host, int* port, std::string* error);

}  // namespace weft::config
