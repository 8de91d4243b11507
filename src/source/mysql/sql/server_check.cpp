#include "source/mysql/sql/server_check.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <set>

namespace weft::source::mysql {
namespace {

std::string Upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

std::string Trim(std::string s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
  size_t i = 0;
  while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
  return s.substr(i);
}

// "weft@%" (CURRENT_USER()) -> "'weft'@'%'", the form GRANT takes.
std::string GrantUser(const std::string& current_user) {
  size_t at = current_user.rfind('@');
  if (at == std::string::npos) return "'" + current_user + "'";
  return "'" + current_user.substr(0, at) + "'@'" + current_user.substr(at + 1) + "'";
}

std::string SettingFix(const std::string& name, const std::string& value) {
  return "run SET GLOBAL " + name + " = '" + value + "'; and add `" + name + " = " + value +
         "` under [mysqld] in my.cnf so it survives a restart (sessions already open keep the old value "
         "until they reconnect)";
}

}  // namespace

bool ParseGrantLine(const std::string& line, std::vector<std::string>* privileges, std::string* target) {
  privileges->clear();
  target->clear();
  std::string upper = Upper(line);
  if (upper.rfind("GRANT ", 0) != 0) return false;
  size_t on = upper.find(" ON ");
  size_t to = upper.find(" TO ", on == std::string::npos ? 0 : on);
  if (on == std::string::npos || to == std::string::npos) return false;  // a role grant
  std::string privs = upper.substr(6, on - 6);
  *target = Trim(line.substr(on + 4, to - on - 4));
  if (Upper(*target).rfind("PROCEDURE ", 0) == 0 || Upper(*target).rfind("FUNCTION ", 0) == 0) return false;
  // Split on commas outside parentheses: column grants read "SELECT (`a`, `b`)".
  int depth = 0;
  std::string current;
  for (char c : privs) {
    if (c == '(') ++depth;
    if (c == ')') --depth;
    if (c == ',' && depth == 0) {
      privileges->push_back(Trim(current));
      current.clear();
    } else {
      current.push_back(c);
    }
  }
  if (!Trim(current).empty()) privileges->push_back(Trim(current));
  return !privileges->empty() && (*privileges)[0] != "PROXY";
}

core::Status ServerCheck::ToStatus(const config::SourceConfig& config) const {
  if (problems.empty()) return core::Status::Ok();
  std::string message = "source " + config.name + " (" + config.host + ":" + std::to_string(config.port) +
                        ") is not set up for weft:";
  for (const auto& p : problems) message += "\n  - " + p;
  return core::FailedPrecondition(message);
}

core::Result<ServerCheck> CheckServer(Connection& conn, const config::SourceConfig& config,
                                      const std::vector<std::string>& tables) {
  ServerCheck check;
  check.info.version = conn.server_version();
  check.info.is_mariadb = conn.is_mariadb();
  const bool mariadb = check.info.is_mariadb;

  WEFT_ASSIGN_OR_RETURN(
      auto var_rows,
      conn.Query("SHOW GLOBAL VARIABLES WHERE Variable_name IN ('log_bin', 'binlog_format', 'binlog_row_image', "
                 "'binlog_row_metadata', 'server_id', 'binlog_checksum')"));
  std::map<std::string, std::string> vars;
  for (const auto& row : var_rows) {
    if (row.size() >= 2 && row[0]) vars[*row[0]] = Upper(row[1].value_or(""));
  }
  auto& problems = check.problems;
  if (vars["log_bin"] != "ON" && vars["log_bin"] != "1") {
    problems.push_back(
        "log_bin is OFF: the server writes no binary log. Add `log_bin = mysql-bin` (with `server_id = 1`, "
        "`binlog_format = ROW`, `binlog_row_image = FULL`, `binlog_row_metadata = FULL`) under [mysqld] in "
        "my.cnf and restart the server; log_bin cannot be switched on at runtime");
  }
  if (vars["binlog_format"] != "ROW") {
    problems.push_back("binlog_format is " + vars["binlog_format"] + ", weft needs ROW: " +
                       SettingFix("binlog_format", "ROW"));
  }
  if (vars["binlog_row_image"] != "FULL") {
    problems.push_back("binlog_row_image is " + vars["binlog_row_image"] +
                       ", weft needs FULL (every column in before and after images): " +
                       SettingFix("binlog_row_image", "FULL"));
  }
  if (vars.count("binlog_row_metadata") == 0) {
    problems.push_back("the server has no binlog_row_metadata setting (MySQL before 8.0.1, MariaDB before 10.5): "
                       "weft needs the column names and signedness it logs; upgrade the server");
  } else if (vars["binlog_row_metadata"] != "FULL") {
    problems.push_back("binlog_row_metadata is " + vars["binlog_row_metadata"] +
                       ", weft needs FULL (column names, signedness, ENUM/SET values in the binlog): " +
                       SettingFix("binlog_row_metadata", "FULL"));
  }
  // binlog_transaction_compression = ON (zstd TRANSACTION_PAYLOAD events) and
  // binlog_row_value_options = PARTIAL_JSON (PARTIAL_UPDATE_ROWS events) are both read: no check.
  check.info.binlog_checksum = vars["binlog_checksum"];
  check.info.server_id = static_cast<uint32_t>(std::strtoul(vars["server_id"].c_str(), nullptr, 10));
  if (check.info.server_id == 0) {
    problems.push_back("the server's server_id is 0, which refuses replicas: run SET GLOBAL server_id = 1; and add "
                       "`server_id = 1` under [mysqld] in my.cnf");
  } else if (check.info.server_id == config.server_id) {
    problems.push_back("the server's own server_id is " + std::to_string(config.server_id) +
                       ", the same as weft's: set a different server_id under [sources." + config.name +
                       "] in the weft config");
  }
  // Registered replicas (needs REPLICATION MASTER ADMIN on MariaDB; skipped when refused). A
  // replica with weft's id would be disconnected by the server whenever weft connects.
  if (auto hosts = conn.Query("SHOW SLAVE HOSTS"); hosts.ok()) {
    for (const auto& row : *hosts) {
      if (!row.empty() && row[0] && *row[0] == std::to_string(config.server_id)) {
        problems.push_back("a replica registered with server_id " + std::to_string(config.server_id) +
                           " (weft's) is connected: set a different server_id under [sources." + config.name +
                           "] in the weft config");
      }
    }
  }

  // Grants.
  WEFT_ASSIGN_OR_RETURN(auto current_user, conn.QueryValue("SELECT CURRENT_USER()"));
  const std::string user = GrantUser(current_user.value_or(config.user + "@%"));
  WEFT_ASSIGN_OR_RETURN(auto grant_rows, conn.Query("SHOW GRANTS"));
  std::set<std::string> global;                      // privileges on *.*
  std::map<std::string, std::set<std::string>> on;   // target (lower-cased, unquoted) -> privileges
  for (const auto& row : grant_rows) {
    if (row.empty() || !row[0]) continue;
    std::vector<std::string> privs;
    std::string target;
    if (!ParseGrantLine(*row[0], &privs, &target)) continue;
    std::string key;
    for (char c : target) if (c != '`') key.push_back(c);
    for (auto& p : privs) {
      if (p.rfind("ALL", 0) == 0) p = "ALL";  // "ALL PRIVILEGES"
      if (key == "*.*") global.insert(p);
      else on[key].insert(p);
    }
  }
  auto has_global = [&](std::initializer_list<const char*> any_of) {
    if (global.count("ALL")) return true;
    for (const char* p : any_of) if (global.count(p)) return true;
    return false;
  };
  auto need = [&](const std::string& privilege, const std::string& why, const std::string& target) {
    problems.push_back("user " + user + " lacks " + privilege + " (" + why + "): run GRANT " + privilege + " ON " +
                       target + " TO " + user + ";");
  };
  if (!has_global({"REPLICATION SLAVE"})) need("REPLICATION SLAVE", "to read the binlog as a replica", "*.*");
  if (mariadb && !has_global({"BINLOG MONITOR", "REPLICATION CLIENT", "SUPER"})) {
    need("BINLOG MONITOR", "to read the binlog position", "*.*");
  }
  if (!mariadb && !has_global({"REPLICATION CLIENT", "SUPER"})) {
    need("REPLICATION CLIENT", "to read the binlog position", "*.*");
  }
  if (!mariadb && !has_global({"RELOAD"})) {
    need("RELOAD", "for the snapshot's brief FLUSH TABLES WITH READ LOCK", "*.*");
  }
  const std::string db_key = config.database + ".*";
  auto db_select = [&] {
    if (has_global({"SELECT"})) return true;
    auto it = on.find(db_key);
    return it != on.end() && (it->second.count("SELECT") || it->second.count("ALL"));
  };
  if (!db_select()) {
    bool all_tables = !tables.empty();
    for (const auto& t : tables) {
      auto it = on.find(config.database + "." + t);
      if (it == on.end() || !(it->second.count("SELECT") || it->second.count("ALL"))) all_tables = false;
    }
    if (!all_tables) need("SELECT", "to snapshot the tables", QuoteIdentifier(config.database) + ".*");
  }

  // The database and the configured tables.
  WEFT_ASSIGN_OR_RETURN(auto schema, conn.QueryValue("SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE "
                                                     "SCHEMA_NAME = " + conn.Quote(config.database)));
  if (!schema) {
    problems.push_back("database `" + config.database + "` does not exist on the server (or " + user +
                       " cannot see it): check `database` under [sources." + config.name + "]");
  } else if (!tables.empty()) {
    WEFT_ASSIGN_OR_RETURN(auto rows, conn.Query("SELECT TABLE_NAME FROM information_schema.TABLES WHERE "
                                                "TABLE_SCHEMA = " + conn.Quote(config.database)));
    std::set<std::string> existing;
    for (const auto& r : rows) if (!r.empty() && r[0]) existing.insert(*r[0]);
    for (const auto& t : tables) {
      if (!existing.count(t)) {
        problems.push_back("table `" + config.database + "`.`" + t + "` does not exist: check `tables` under [sources." +
                           config.name + "]");
      }
    }
  }
  return check;
}

}  // namespace weft::source::mysql
