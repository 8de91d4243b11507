#pragma once
// The server settings and grants weft needs from a MySQL/MariaDB source, checked all at once.
// Each problem is one line naming the fix: the SET GLOBAL statement and the my.cnf line, or the
// exact GRANT for the connected user. `weft check`, `weft tail` and MysqlSource::Start use the same
// messages.
//
// Not checked (weft reads both): MySQL's binlog_transaction_compression and binlog_row_value_options.
// Checked: log_bin = ON, binlog_format = ROW, binlog_row_image = FULL, binlog_row_metadata = FULL,
// the server's server_id set and different from weft's (and from a registered replica's, when the
// user may list them), the grants (REPLICATION SLAVE; BINLOG MONITOR on MariaDB or
// REPLICATION CLIENT on MySQL; SELECT on the database; RELOAD on MySQL, for the snapshot's short
// FLUSH TABLES WITH READ LOCK), and that the database and the configured tables exist.
// Privileges that reach the user only through a role are not seen (SHOW GRANTS lists the role).

#include <cstdint>
#include <string>
#include <vector>

#include "config/config.h"
#include "core/status.h"
#include "source/mysql/sql/connection.h"

namespace weft::source::mysql {

struct ServerInfo {
  std::string version;       // VERSION()
  bool is_mariadb = false;
  uint32_t server_id = 0;    // the server's own @@server_id
  std::string binlog_checksum;  // CRC32 | NONE
};

struct ServerCheck {
  ServerInfo info;
  std::vector<std::string> problems;  // empty: the server is ready for weft

  bool ok() const { return problems.empty(); }
  // FailedPrecondition with one "  - problem" line per problem (Ok when there is none).
  core::Status ToStatus(const config::SourceConfig& config) const;
};

// Runs the checks on `conn`. `tables`: the tables weft will capture (empty: every table of
// config.database). Fails only when the queries themselves fail (lost connection).
core::Result<ServerCheck> CheckServer(Connection& conn, const config::SourceConfig& config,
                                      const std::vector<std::string>& tables);

// Parses one SHOW GRANTS line into its privileges and target ("*.*", "`shop`.*", "`shop`.`t`").
// Returns false for lines that grant no privileges on objects (roles, PROXY).
bool ParseGrantLine(const std::string& line, std::vector<std::string>* privileges, std::string* target);

}  // namespace weft::source::mysql
