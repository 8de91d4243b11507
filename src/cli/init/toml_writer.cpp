#include "cli/init/toml_writer.h"

#include <cmath>
#include <cstdio>
#include <sstream>

namespace weft::cli::init {
namespace {

std::string Rows(double rows) {
  if (rows < 0) return "unknown";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.0f", rows);
  return std::string("~") + buf;
}

std::string Ratio(double r) {
  char buf[32];
  std::snprintf(buf, sizeof buf, r < 10 ? "%.1f" : "%.0f", r);
  return buf;
}

std::string Columns(const std::vector<std::string>& columns) {
  std::string s;
  for (size_t i = 0; i < columns.size(); ++i) s += (i ? ", " : "") + columns[i];
  return s;
}

void WriteServerAdvice(std::ostringstream& out, const TomlOptions& o) {
  out << "# --- What the server needs (weft check -c THIS_FILE verifies each and prints the fix) -------\n";
  if (o.source.kind == "postgresql") {
    out << "# - wal_level = logical (ALTER SYSTEM SET wal_level = logical; then restart PostgreSQL), with a free\n"
           "#   replication slot and WAL sender (max_replication_slots, max_wal_senders)\n"
           "# - the role: LOGIN REPLICATION (ALTER ROLE "
        << o.source.user
        << " REPLICATION;), SELECT on the views' tables\n"
           "# - every captured table has a primary key (or REPLICA IDENTITY FULL)\n"
           "# - the publication: weft creates weft_<source name> when its role owns the tables, else create it\n"
           "#   yourself (CREATE PUBLICATION ... FOR TABLE ...) and name it with publication = \"...\"\n";
  } else {
    out << "# - log_bin = ON, binlog_format = ROW, binlog_row_image = FULL, binlog_row_metadata = FULL\n"
           "#   (SET GLOBAL binlog_format = 'ROW'; ... and the same lines under [mysqld] in my.cnf)\n"
           "# - the server's server_id set and different from weft's server_id (5401 unless set below)\n"
           "# - the grants: REPLICATION SLAVE, BINLOG MONITOR (MariaDB) or REPLICATION CLIENT + RELOAD (MySQL),\n"
           "#   SELECT on the database\n";
  }
  if (o.server_checked) {
    if (o.server_problems.empty()) {
      out << "# When weft init ran, the server met all of these.\n";
    } else {
      out << "# When weft init ran, the server did NOT meet these yet:\n";
      for (const auto& p : o.server_problems) out << "#   ! " << p << "\n";
    }
  }
  out << "\n";
}

void WriteSource(std::ostringstream& out, const TomlOptions& o) {
  const config::SourceConfig& s = o.source;
  out << "# --- Source ----------------------------------------------------------------------------------\n"
      << "[sources." << s.name << "]\n"
      << "kind = " << TomlString(s.kind) << "\n"
      << "host = " << TomlString(s.host) << "\n"
      << "port = " << s.port << "\n"
      << "user = " << TomlString(s.user) << "\n";
  if (o.has_password) {
    out << "# The password comes from the environment (weft init never writes it): export\n"
        << "# " << o.password_env << "=... before weft check / weft run.\n"
        << "password = " << TomlString("${" + o.password_env + "}") << "\n";
  } else {
    out << "# password = " << TomlString("${" + o.password_env + "}") << "   # if the user needs one\n";
  }
  out << "database = " << TomlString(s.database) << "\n";
  if (s.kind == "postgresql") {
    out << "schema = " << TomlString(s.schema) << "\n";
    if (!s.publication.empty()) out << "publication = " << TomlString(s.publication) << "\n";
    if (!s.slot.empty()) out << "slot = " << TomlString(s.slot) << "\n";
  } else if (s.server_id != 5401) {
    out << "server_id = " << s.server_id << "\n";
  }
  if (s.tables.empty()) {
    out << "# tables = []   # default: every table of the database is captured; list some to narrow it\n";
  } else {
    out << "tables = [";
    for (size_t i = 0; i < s.tables.size(); ++i) out << (i ? ", " : "") << TomlString(s.tables[i]);
    out << "]\n";
  }
  if (s.tls.mode != "preferred" || !s.tls.ca.empty() || !s.tls.cert.empty()) {
    out << "\n  [sources." << s.name << ".tls]\n  mode = " << TomlString(s.tls.mode) << "\n";
    if (!s.tls.ca.empty()) out << "  ca = " << TomlString(s.tls.ca) << "\n";
    if (!s.tls.cert.empty())
      out << "  cert = " << TomlString(s.tls.cert) << "\n  key = " << TomlString(s.tls.key) << "\n";
  }
  out << "\n";
}

std::string SinkName(const TomlOptions& o) {
  if (o.sink_kind == "jsonl") return "out";
  if (o.sink_kind == "mongodb") return "docs";
  return "local";
}

void WriteSink(std::ostringstream& out, const TomlOptions& o) {
  out << "# --- Sink ------------------------------------------------------------------------------------\n";
  if (o.sink_kind == "jsonl") {
    out << "[sinks.out]\nkind = \"jsonl\"\npath = \"-\"   # \"-\" is stdout; or a file\n\n";
  } else if (o.sink_kind == "mongodb") {
    out << "[sinks.docs]\nkind = \"mongodb\"\nuri = \"mongodb://127.0.0.1:27017/?directConnection=true\"\n"
        << "database = " << TomlString(o.source.database) << "\n\n";
  } else {
    out << "# SQLite: one table per view's collection (columns id, doc). Or kind = \"mongodb\" / \"jsonl\"\n"
           "# (see conf/weft.toml).\n"
           "[sinks.local]\nkind = \"sqlite\"\npath = \"docs.db\"   # relative to this file\n\n";
  }
}

void WriteLookup(std::ostringstream& out, const source::SchemaGraph& graph, const ProposedLookup& l) {
  const std::string indent(2 * l.depth, ' ');
  const auto& r = l.via;
  const std::string how =
      r.guessed ? "GUESSED from column names (no foreign key declared)" : "foreign key " + r.constraint;
  out << indent << "# " << l.path << ": " << (l.array ? "array (1:N), the " : "object (N:1), the ") << l.table << " row"
      << (l.array ? "s of each " : " of each ") << l.parent_table << " row\n"
      << indent << "# " << how << ": " << r.child << "(" << Columns(r.child_columns) << ") -> " << r.parent << "("
      << Columns(r.parent_columns) << ")\n";
  if (r.guessed) out << indent << "# Check the guess: do these columns really hold the other table's key?\n";
  const source::SchemaTable* many = graph.Find(l.array ? l.table : l.parent_table);
  const source::SchemaTable* one = graph.Find(l.array ? l.parent_table : l.table);
  std::string stats = "(" + (many ? many->name : "?") + " " + Rows(many ? many->estimated_rows : -1) + " rows, " +
                      (one ? one->name : "?") + " " + Rows(one ? one->estimated_rows : -1) + ")";
  if (l.fan_out < 0) {
    out << indent << "# fan-out: unknown, no table statistics yet " << stats << "; run ANALYZE TABLE on them\n";
  } else if (l.array) {
    out << indent << "# fan-out: ~" << Ratio(l.fan_out) << " rows per " << l.parent_table << " row " << stats
        << (l.fan_out >= 100 ? "; EXPENSIVE: every document embeds that many rows" : "") << "\n";
  } else {
    out << indent << "# fan-out: a change to one " << l.table << " row rewrites ~" << Ratio(l.fan_out) << " "
        << l.parent_table << " rows' embeddings " << stats
        << (l.fan_out >= 1000 ? "; EXPENSIVE to keep up to date when " + l.table + " changes often" : "") << "\n";
  }
  out << indent << "[[views.lookups]]\n"
      << indent << "table = " << TomlString(l.table) << "\n"
      << indent << "path = " << TomlString(l.path) << "\n"
      << indent << "type = " << (l.array ? "\"array\"" : "\"object\"") << "\n"
      << indent << "relation = [";
  for (size_t i = 0; i < l.relation.size(); ++i) {
    out << (i ? ", " : "") << "[" << TomlString(l.relation[i].first) << ", " << TomlString(l.relation[i].second) << "]";
  }
  out << "]\n\n";
}

}  // namespace

std::string TomlString(const std::string& text) {
  std::string out = "\"";
  for (unsigned char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20 || c == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

std::string WriteConfigToml(const source::SchemaGraph& graph, const Proposal& proposal, const TomlOptions& o) {
  std::ostringstream out;
  int declared = 0, guessed = 0;
  for (const auto& r : graph.relations) (r.guessed ? guessed : declared)++;
  out << "# weft config proposed by `weft init` from the "
      << (o.source.kind == "postgresql" ? "PostgreSQL" : "MySQL/MariaDB") << " database " << o.source.database
      << (o.source.kind == "postgresql" ? " (schema " + o.source.schema + ")" : "") << " at " << o.source.host << ":"
      << o.source.port << ":\n"
      << "# " << graph.tables.size() << " tables, " << declared << " declared foreign keys, " << guessed
      << " relations guessed from column names.\n"
      << "# Review it (the reference for every key is conf/weft.toml), then:\n"
      << "#   weft check -c THIS_FILE && weft run -c THIS_FILE --oneshot\n"
      << "# Fan-out figures come from the server's table statistics when weft init ran (estimates).\n";
  for (const auto& n : proposal.notes) out << "# Note: " << n << "\n";
  out << "\n";
  WriteServerAdvice(out, o);
  out << "[state]\npath = \"state.db\"   # offsets, row replicas and the outbox (SQLite); relative to this file\n\n";
  WriteSource(out, o);
  WriteSink(out, o);
  out << "[status]\nlisten = \"127.0.0.1:8089\"   # GET /status and /metrics; \"off\" to disable\n\n";
  out << "# --- Views -----------------------------------------------------------------------------------\n";
  if (proposal.views.empty()) out << "# No view proposed (see the notes at the top).\n";
  for (const auto& v : proposal.views) {
    const source::SchemaTable* root = graph.Find(v.root);
    out << "# View " << v.name << ": one document per " << v.root << " row (" << Rows(root ? root->estimated_rows : -1)
        << " rows);\n# root because it is " << v.reason << ".\n";
    for (const auto& n : v.notes) out << "# Note: " << n << "\n";
    out << "[[views]]\n"
        << "name = " << TomlString(v.name) << "\n"
        << "source = " << TomlString(o.source.name) << "\n"
        << "root = " << TomlString(v.root) << "\n"
        << "sink = " << TomlString(SinkName(o)) << "\n\n";
    for (const auto& l : v.lookups) WriteLookup(out, graph, l);
  }
  return out.str();
}

}  // namespace weft::cli::init
