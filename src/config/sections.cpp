#include "config/sections.h"

#include <arpa/inet.h>

#include <cctype>

#include "config/secrets.h"
#include "config/toml_reader.h"

namespace weft::config {
namespace {

// A section that must be a table ([state]); reports the wrong type and returns nullptr.
const toml::table* SectionTable(const toml::node* node, const std::string& name, Diagnostics& diag) {
  if (node == nullptr) return nullptr;
  if (const toml::table* table = node->as_table()) return table;
  diag.Add(LocationOf(diag, node->source()),
           name + ": expected a table ([" + name + "]), got " + TypeName(node->type()));
  return nullptr;
}

// Calls parse(name, table, key) for each [section.NAME] table, checking the names.
template <typename Fn>
void ForEachNamed(const toml::node* node, const std::string& section, Diagnostics& diag, Fn parse) {
  const toml::table* tables = SectionTable(node, section, diag);
  if (tables == nullptr) return;
  for (auto&& [key, value] : *tables) {
    std::string name(key.str());
    Location at = LocationOf(diag, key.source());
    if (!ValidName(name)) {
      diag.Add(at, section + "." + name + ": name \"" + name +
                       "\" may only hold letters, digits, '_' and '-'");
    }
    if (const toml::table* table = value.as_table()) {
      parse(name, *table);
    } else {
      diag.Add(at, section + "." + name + ": expected a table ([" + section + "." + name + "]), got " +
                       TypeName(value.type()));
    }
  }
}

void ParseTls(const toml::node* node, const std::string& scope, ParseContext& ctx, TlsConfig* out) {
  const toml::table* table = SectionTable(node, scope, ctx.diag);
  if (table == nullptr) return;
  TableReader r(*table, scope, "[" + scope + "]", ctx.diag);
  r.Enum("mode", &out->mode, {"disabled", "preferred", "required", "verify_ca", "verify_identity"});
  // Certificate paths are paths like the others: relative to the config file.
  if (r.String("ca", &out->ca)) out->ca = ResolvePath(ctx.config_dir, out->ca);
  bool has_cert = r.String("cert", &out->cert);
  bool has_key = r.String("key", &out->key);
  if (has_cert) out->cert = ResolvePath(ctx.config_dir, out->cert);
  if (has_key) out->key = ResolvePath(ctx.config_dir, out->key);
  if (has_cert != has_key) {
    ctx.diag.Add(r.WhereValue(has_cert ? "cert" : "key"),
                 scope + ": a client certificate needs both 'cert' and 'key'");
  }
  r.Finish();
}

SourceConfig ParseSource(const std::string& name, const toml::table& table, ParseContext& ctx) {
  SourceConfig s;
  s.name = name;
  std::string scope = "sources." + name;
  TableReader r(table, scope, "[" + scope + "]", ctx.diag);
  s.location = r.Where();
  r.Enum("kind", &s.kind, {"mysql", "postgresql"}, Need::kRequired);
  const bool postgres = s.kind == "postgresql";
  if (postgres) s.port = 5432;
  r.String("host", &s.host);
  if (s.host.empty()) ctx.diag.Add(r.WhereValue("host"), scope + ".host: must not be empty");
  int64_t number = 0;
  if (r.Int("port", &number, 1, 65535)) s.port = static_cast<int>(number);
  r.String("user", &s.user, Need::kRequired);
  bool literal = false;
  if (r.String("password", &s.password, Need::kOptional, &literal) && literal && !s.password.empty()) {
    ctx.literal_secrets.push_back({r.WhereValue("password"), scope + ".password"});
  }
  r.String("database", &s.database, Need::kRequired);
  r.StringList("tables", &s.tables);
  if (postgres) {
    // PostgreSQL: the schema the tables live in, and the publication and slot weft reads through.
    // Slot names may hold only lower-case letters, digits and '_' (the server's rule).
    s.publication = "weft_" + name;
    s.slot = "weft_" + name;
    for (char& c : s.slot) c = (c == '-') ? '_' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    r.String("schema", &s.schema);
    if (s.schema.empty()) ctx.diag.Add(r.WhereValue("schema"), scope + ".schema: must not be empty");
    r.String("publication", &s.publication);
    if (s.publication.empty()) ctx.diag.Add(r.WhereValue("publication"), scope + ".publication: must not be empty");
    r.String("slot", &s.slot);
    bool slot_ok = !s.slot.empty() && s.slot.size() <= 63 &&
                   s.slot.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_") == std::string::npos;
    if (!slot_ok) {
      ctx.diag.Add(r.WhereValue("slot"), scope + ".slot: \"" + s.slot +
                                             "\" is not a replication slot name (1-63 of a-z, 0-9, '_')");
    }
  } else {
    // server_id 0 means "not a replica" to the server, and it is 32 bits on the wire.
    if (r.Int("server_id", &number, 1, 4294967295LL)) s.server_id = static_cast<uint32_t>(number);
  }
  r.Enum("on_lost_position", &s.on_lost_position, {"fail", "resnapshot"});
  ParseTls(r.Node("tls"), scope + ".tls", ctx, &s.tls);
  r.Finish(postgres ? "(kind postgresql)" : "");
  return s;
}

void ParseWriteConcern(TableReader& r, SinkConfig* s) {
  const toml::node* node = r.Node("write_concern");
  if (node == nullptr) return;
  std::string what = r.scope() + ".write_concern";
  const char* rule = "\"majority\" or a number of nodes (0, 1, 2, ...)";
  if (const auto* number = node->as_integer()) {
    if (number->get() < 0) {
      r.diag().Add(r.WhereValue("write_concern"), what + ": must be " + rule);
      return;
    }
    s->write_concern = std::to_string(number->get());
    return;
  }
  if (!node->is_string()) {
    r.diag().Add(r.WhereValue("write_concern"),
                 what + ": expected " + rule + ", got " + TypeName(node->type()));
    return;
  }
  std::string value;
  if (!TableReader::ExpandString(*node, what, r.diag(), &value)) return;
  bool digits = !value.empty() && value.find_first_not_of("0123456789") == std::string::npos;
  if (value != "majority" && !digits) {
    r.diag().Add(r.WhereValue("write_concern"), what + ": \"" + value + "\" is not " + rule);
    return;
  }
  s->write_concern = value;
}

SinkConfig ParseSink(const std::string& name, const toml::table& table, ParseContext& ctx) {
  SinkConfig s;
  s.name = name;
  std::string scope = "sinks." + name;
  TableReader r(table, scope, "[" + scope + "]", ctx.diag);
  s.location = r.Where();
  if (!r.Enum("kind", &s.kind, {"mongodb", "sqlite", "jsonl", "kafka"}, Need::kRequired)) {
    // Without a valid kind the allowed keys are unknown: do not pile "unknown key" on top.
    return s;
  }
  if (s.kind == "mongodb") {
    bool literal = false;
    if (r.String("uri", &s.uri, Need::kRequired, &literal)) {
      if (s.uri.rfind("mongodb://", 0) != 0 && s.uri.rfind("mongodb+srv://", 0) != 0) {
        ctx.diag.Add(r.WhereValue("uri"),
                     scope + ".uri: must start with mongodb:// or mongodb+srv://");
      }
      // Literal when the password as written holds no ${VAR}, whatever the rest of the URI does.
      std::string raw_password = UriPassword(r.Node("uri")->as_string()->get());
      if (!raw_password.empty() && raw_password.find("${") == std::string::npos) {
        ctx.literal_secrets.push_back({r.WhereValue("uri"), scope + ".uri"});
      }
    }
    r.String("database", &s.database, Need::kRequired);
    ParseWriteConcern(r, &s);
    int64_t number = 0;
    if (r.Int("batch_size", &number, 1, 100000)) s.batch_size = static_cast<int>(number);
  } else if (s.kind == "kafka") {
    ParseKafkaSinkKeys(r, ctx, &s);
  } else {
    if (r.String("path", &s.path, Need::kRequired)) s.path = ResolvePath(ctx.config_dir, s.path);
    if (s.kind == "sqlite" && s.path == "-") {
      ctx.diag.Add(r.WhereValue("path"), scope + ".path: \"-\" (stdout) is only for jsonl sinks");
    }
  }
  r.Finish("(kind " + s.kind + ")");
  return s;
}

}  // namespace

std::string ResolvePath(const std::filesystem::path& config_dir, const std::string& path) {
  if (path.empty() || path == "-" || path == ":memory:") return path;
  std::filesystem::path p(path);
  if (p.is_absolute()) return path;
  return (config_dir / p).lexically_normal().string();
}

bool ValidName(const std::string& name) {
  if (name.empty()) return false;
  for (char c : name) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-')) return false;
  }
  return true;
}

bool ParseListen(const std::string& listen, std::string* host, int* port, std::string* error) {
  std::string h, p;
  if (!listen.empty() && listen[0] == '[') {
    size_t close = listen.find(']');
    if (close == std::string::npos || close + 1 >= listen.size() || listen[close + 1] != ':') {
      *error = "expected \"[IPv6]:port\"";
      return false;
    }
    h = listen.substr(1, close - 1);
    p = listen.substr(close + 2);
    in6_addr addr6{};
    if (inet_pton(AF_INET6, h.c_str(), &addr6) != 1) {
      *error = "\"" + h + "\" is not an IPv6 address";
      return false;
    }
  } else {
    size_t colon = listen.rfind(':');
    if (colon == std::string::npos) {
      *error = "expected \"host:port\" (e.g. \"127.0.0.1:8089\") or \"off\"";
      return false;
    }
    h = listen.substr(0, colon);
    p = listen.substr(colon + 1);
    if (h == "localhost") h = "127.0.0.1";
    in_addr addr{};
    if (inet_pton(AF_INET, h.c_str(), &addr) != 1) {
      *error = "host \"" + h + "\" is not an IPv4 address (write an IPv6 one as \"[::1]:8089\")";
      return false;
    }
  }
  if (p.empty() || p.size() > 5 || p.find_first_not_of("0123456789") != std::string::npos ||
      std::stoi(p) < 1 || std::stoi(p) > 65535) {
    *error = "port \"" + p + "\" is not a number in 1..65535";
    return false;
  }
  *host = h;
  *port = std::stoi(p);
  return true;
}

void ParseState(const toml::node* node, ParseContext& ctx, StateConfig* out) {
  const toml::table* table = SectionTable(node, "state", ctx.diag);
  if (table == nullptr) return;
  TableReader r(*table, "state", "[state]", ctx.diag);
  if (r.String("path", &out->path, Need::kOptional)) {
    if (out->path.empty()) ctx.diag.Add(r.WhereValue("path"), "state.path: must not be empty");
    else out->path = ResolvePath(ctx.config_dir, out->path);
  }
  r.Int("outbox_limit", &out->outbox_limit, 1, 1000000000);
  r.Finish();
}

void ParseSources(const toml::node* node, ParseContext& ctx, std::vector<SourceConfig>* out) {
  ForEachNamed(node, "sources", ctx.diag, [&](const std::string& name, const toml::table& table) {
    out->push_back(ParseSource(name, table, ctx));
  });
}

void ParseSinks(const toml::node* node, ParseContext& ctx, std::vector<SinkConfig>* out) {
  ForEachNamed(node, "sinks", ctx.diag, [&](const std::string& name, const toml::table& table) {
    out->push_back(ParseSink(name, table, ctx));
  });
}

void ParseStatus(const toml::node* node, ParseContext& ctx, StatusConfig* out) {
  const toml::table* table = SectionTable(node, "status", ctx.diag);
  if (table == nullptr) return;
  TableReader r(*table, "status", "[status]", ctx.diag);
  if (r.String("listen", &out->listen, Need::kOptional)) {
    std::string error;
    if (out->listen == "off") {
      out->enabled = false;
    } else if (!ParseListen(out->listen, &out->host, &out->port, &error)) {
      ctx.diag.Add(r.WhereValue("listen"), "status.listen: " + error);
    }
  }
  r.Enum("preview", &out->preview, {"loopback", "on", "off"});
  r.Finish();
}

void ParseLog(const toml::node* node, ParseContext& ctx, LogConfig* out) {
  const toml::table* table = SectionTable(node, "log", ctx.diag);
  if (table == nullptr) return;
  TableReader r(*table, "log", "[log]", ctx.diag);
  r.Enum("level", &out->level, {"debug", "info", "warn", "error"});
  r.Finish();
}

}  // namespace weft::config
