#pragma once
// Config: the one TOML file, as typed structs. LoadConfig() reports every problem at once, each as
// "file:line:col: message" on its own line, and never returns a half-valid Config.
// ${VAR} in any string expands from the environment (an undefined VAR is an error; "$${" is a
// literal "${"). Relative paths (state.path, sqlite/jsonl sink paths) resolve against the directory
// of the config file.

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "core/status.h"

namespace weft::config {

// Where a table or key was written, for errors found after parsing ("file:line:col").
struct Location {
  std::string file;
  int line = 0;
  int column = 0;
  std::string ToString() const;  // "conf/weft.toml:12:3"
};

struct StateConfig {
  std::string path = "/var/lib/weft/state.db";  // SQLite, WAL mode: offsets, table replicas, outbox
  int64_t outbox_limit = 100000;  // pending document writes; at the bound weft stops reading the source
};

struct TlsConfig {
  std::string mode = "preferred";  // disabled | preferred | required | verify_ca | verify_identity
  std::string ca;                  // CA file for verify_ca / verify_identity
  std::string cert, key;           // client certificate, optional
};

struct SourceConfig {
  std::string name;  // the key of [sources.NAME]
  std::string kind = "mysql";      // mysql | postgresql
  std::string host = "127.0.0.1";
  int port = 3306;                 // postgresql: 5432 unless set
  std::string user;
  std::string password;  // never logged
  std::string database;
  std::vector<std::string> tables;  // empty: every table of `database`
  uint32_t server_id = 5401;
  std::string on_lost_position = "fail";  // fail | resnapshot
  TlsConfig tls;
  // postgresql only: the schema `tables` live in, and the publication and logical replication slot
  // weft reads through (both default to "weft_<name>"; weft creates them when missing).
  std::string schema = "public";
  std::string publication;
  std::string slot;
  Location location;
};

struct SinkConfig {
  std::string name;
  std::string kind;  // mongodb | sqlite | jsonl | kafka
  // mongodb
  std::string uri;            // may hold a password: never logged
  std::string database;
  std::string write_concern = "majority";  // majority | 0 | 1 | N
  int batch_size = 1000;      // documents per bulk write
  // sqlite | jsonl
  std::string path;           // jsonl: "-" is stdout
  // kafka (batch_size above applies too: documents per produce-and-flush round)
  std::string brokers;                      // bootstrap servers "host:port,host:port"
  std::string topic_prefix = "weft.";       // a view's topic is topic_prefix + collection
  std::string client_id = "weft";
  std::string security_protocol = "plaintext";  // plaintext | ssl | sasl_plaintext | sasl_ssl
  std::string sasl_mechanism;               // PLAIN | SCRAM-SHA-256 | SCRAM-SHA-512 (sasl_* protocols)
  std::string sasl_username;
  std::string sasl_password;                // never logged
  std::string ssl_ca;                       // CA file for ssl / sasl_ssl (empty: the system's)
  int64_t queue_max_messages = 100000;      // the producer's bounded queue (queue.buffering.max.messages)
  int64_t queue_max_kbytes = 65536;         // ... and its size bound (queue.buffering.max.kbytes)
  int64_t delivery_timeout_ms = 30000;      // a message not acknowledged by then fails (retried by the engine)
  // Sources whose change records this sink publishes in Debezium's envelope, on the topics
  // topic_prefix + source + "." + database (PostgreSQL: schema) + "." + table. Each names a
  // [sources.X] that feeds at least one view (weft reads the tables its views use).
  std::vector<std::string> change_sources;
  std::vector<Location> change_source_locations;  // of each entry, for the cross-reference check
  Location location;
};

struct LookupConfig {
  std::string table;
  std::string path;  // dotted: "order_items.product"
  std::string type;  // object | array
  std::vector<std::pair<std::string, std::string>> relation;  // [parent field, column of table]
  std::vector<std::string> fields;   // only these columns (empty: all)
  std::vector<std::string> exclude;  // all but these columns
  Location location;
  // Index in ViewConfig::lookups of the parent lookup (always an earlier one), -1 for the root.
  // The loader guarantees path == parent's path + "." + one more segment, and that every relation
  // parent field is "<parent path>.<column>" (or a bare root column when the parent is the root).
  int parent = -1;
};

// Aggregate views (issue 11). A group key: `name = "path"` or `name = "tumble(path, 'N unit')"`.
struct GroupKeyConfig {
  std::string name;
  std::string path;            // document path of the wide document ("customer.country")
  int64_t tumble_seconds = 0;  // > 0: the key is the start of the path's N-second bucket
  Location location;
};

// `name = "fn(path)"`: fn is count (path "*" for count(*)), sum, avg, min, max or count_distinct.
struct AggregateConfig {
  std::string name;
  std::string function;
  std::string path;  // "*" only for count
  Location location;
};

// [views.top]: keep the n best groups by aggregate `by`, one document per partition.
struct TopConfig {
  int64_t n = 0;  // 0: no top-N
  std::string by;
  bool descending = true;
  std::vector<std::string> partition_by;  // group key names
  Location location;
};

struct ViewConfig {
  std::string name;
  std::string source;
  std::string root;
  std::string sink;
  std::string collection;  // defaults to the view name
  std::vector<std::string> fields;
  std::vector<std::string> exclude;
  std::vector<LookupConfig> lookups;
  Location location;
  // SQL expression over the root row and its object lookups; rows it does not make true are not
  // in the view. Empty: every row. filter_location is the string's location (for its errors).
  std::string filter;
  Location filter_location;
  // Aggregate view when aggregates is not empty: group keys and aggregates in file order.
  std::vector<GroupKeyConfig> group_by;
  std::vector<AggregateConfig> aggregates;
  std::string having;  // SQL expression over the group document's fields
  Location having_location;
  TopConfig top;
  bool is_aggregate() const { return !aggregates.empty(); }
};

struct StatusConfig {
  std::string listen = "127.0.0.1:8089";  // "off" disables the HTTP endpoint
  // `listen` split and validated by the loader: host is an IPv4 literal or an IPv6 literal without
  // brackets ("localhost" becomes 127.0.0.1); meaningless when !enabled.
  bool enabled = true;
  std::string host = "127.0.0.1";
  int port = 8089;
  // Whether GET /preview (the dashboard's view previews, which show customer data) is served:
  // "loopback" (default) only when `host` is a loopback address, "on" on any listener, "off" never.
  std::string preview = "loopback";
};

struct LogConfig {
  std::string level = "info";  // debug | info | warn | error
};

struct Config {
  std::string path;  // the file it was loaded from
  StateConfig state;
  std::vector<SourceConfig> sources;  // in file order
  std::vector<SinkConfig> sinks;
  std::vector<ViewConfig> views;
  StatusConfig status;
  LogConfig log;
  // Problems that do not stop weft (e.g. a literal password in a file others can read). LoadConfig()
  // has already logged each through core::Logger("config").
  std::vector<std::string> warnings;

  const SourceConfig* FindSource(const std::string& name) const;
  const SinkConfig* FindSink(const std::string& name) const;
  const ViewConfig* FindView(const std::string& name) const;
};

// Reads and validates the file. On failure the Status (kInvalidArgument; kNotFound when the file
// cannot be read) holds one "file:line:col: message" line per problem. On success every password
// (sources' `password`, the password in a mongodb `uri`) is registered with core::RegisterSecret,
// and a literal password in a file readable by group/others adds a warning (logged, not fatal).
// Reads the environment; call it before starting threads that call setenv().
core::Result<Config> LoadConfig(const std::string& path);
// Same, from text; `path` is used for messages and for resolving relative paths. Registers secrets
// like LoadConfig() but never looks at the file system (so no file-mode warning).
core::Result<Config> ParseConfig(const std::string& text, const std::string& path);

}  // namespace weft::config
