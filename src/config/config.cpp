#include "config/config.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include <toml++/toml.h>

#include "config/diagnostics.h"
#include "config/secrets.h"
#include "config/sections.h"
#include "config/toml_reader.h"
#include "core/log.h"

namespace weft::config {
namespace {

core::Result<Config> Parse(const std::string& text, const std::string& path,
                           std::vector<LiteralSecret>* literal_secrets) {
  Diagnostics diag(path);
  toml::table root;
  // toml++ throws on syntax errors; the exception stops here. It cannot go on after a syntax error,
  // so this is the one case where a single problem is reported.
  try {
    root = toml::parse(text, path);
  } catch (const toml::parse_error& e) {
    diag.Add(LocationOf(diag, e.source()), std::string(e.description()));
    return core::InvalidArgument(diag.Format());
  }

  std::error_code ec;
  std::filesystem::path dir = std::filesystem::absolute(std::filesystem::path(path), ec).parent_path();
  ParseContext ctx{diag, dir, {}};
  Config config;
  config.path = path;

  TableReader top(root, "", "the top level", diag);
  ParseState(top.Node("state"), ctx, &config.state);
  ParseSources(top.Node("sources"), ctx, &config.sources);
  ParseSinks(top.Node("sinks"), ctx, &config.sinks);
  ParseStatus(top.Node("status"), ctx, &config.status);
  ParseLog(top.Node("log"), ctx, &config.log);
  ParseViews(top.Node("views"), ctx, &config);  // after sources and sinks: it checks references
  CheckChangeSources(config, diag);
  top.Finish();
  const toml::node* sources = top.Node("sources");
  // Only when nothing was written: a [sources.x] with problems has already been reported.
  if (sources == nullptr || (sources->is_table() && sources->as_table()->empty())) {
    diag.Add(diag.At(1, 1), "no source is defined: add a [sources.NAME] table (see conf/weft.toml)");
  }

  // Register before deciding: an error message must not carry a password either.
  RegisterConfigSecrets(config);
  if (!diag.empty()) return core::InvalidArgument(diag.Format());
  *literal_secrets = std::move(ctx.literal_secrets);
  return config;
}

}  // namespace

std::string Location::ToString() const {
  return file + ":" + std::to_string(line) + ":" + std::to_string(column);
}

const SourceConfig* Config::FindSource(const std::string& name) const {
  for (const auto& s : sources) if (s.name == name) return &s;
  return nullptr;
}

const SinkConfig* Config::FindSink(const std::string& name) const {
  for (const auto& s : sinks) if (s.name == name) return &s;
  return nullptr;
}

const ViewConfig* Config::FindView(const std::string& name) const {
  for (const auto& v : views) if (v.name == name) return &v;
  return nullptr;
}

core::Result<Config> ParseConfig(const std::string& text, const std::string& path) {
  std::vector<LiteralSecret> literal_secrets;
  return Parse(text, path, &literal_secrets);
}

core::Result<Config> LoadConfig(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    int err = errno;
    return core::NotFound("cannot read config file " + path + ": " + std::strerror(err));
  }
  std::stringstream buffer;
  buffer << in.rdbuf();
  std::vector<LiteralSecret> literal_secrets;
  auto config = Parse(buffer.str(), path, &literal_secrets);
  if (!config.ok()) return config;
  if (std::string warning = FileModeWarning(path, literal_secrets); !warning.empty()) {
    core::Logger("config").Warn(warning);
    config->warnings.push_back(std::move(warning));
  }
  return config;
}

}  // namespace weft::config
