#include "source/postgres/sql/server_check.h"

#include <algorithm>
#include <set>

namespace weft::source::postgres {
namespace {

std::string Qualified(const PgConnection& conn, const std::string& schema, const std::string& table) {
  return conn.QuoteIdent(schema) + "." + conn.QuoteIdent(table);
}

std::string Join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& s : items) out += (out.empty() ? "" : ", ") + s;
  return out;
}

// The captured tables the publication publishes (all of them for FOR ALL TABLES).
core::Result<std::set<std::string>> PublishedTables(PgConnection& conn, const config::SourceConfig& config) {
  WEFT_ASSIGN_OR_RETURN(
      PgResult r,
      conn.Exec("SELECT tablename FROM pg_catalog.pg_publication_tables WHERE pubname = " +
                conn.QuoteLiteral(config.publication) + " AND schemaname = " + conn.QuoteLiteral(config.schema)));
  std::set<std::string> out;
  for (int i = 0; i < r.rows(); ++i) out.insert(std::string(r.Get(i, 0)));
  return out;
}

}  // namespace

core::Status PgServerCheck::ToStatus(const config::SourceConfig& config) const {
  if (problems.empty()) return core::Status::Ok();
  std::string message = "source " + config.name + " (PostgreSQL " + version + ") is not ready for weft:";
  for (const auto& p : problems) message += "\n  - " + p;
  return core::FailedPrecondition(message);
}

core::Result<std::vector<std::string>> CapturedTables(PgConnection& conn, const config::SourceConfig& config,
                                                      const std::vector<std::string>& tables) {
  if (!tables.empty()) return tables;
  if (!config.tables.empty()) return config.tables;
  WEFT_ASSIGN_OR_RETURN(PgResult r,
                        conn.Exec("SELECT c.relname FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n "
                                  "ON n.oid = c.relnamespace WHERE c.relkind = 'r' AND n.nspname = " +
                                  conn.QuoteLiteral(config.schema) + " ORDER BY 1"));
  std::vector<std::string> out;
  for (int i = 0; i < r.rows(); ++i) out.emplace_back(r.Get(i, 0));
  return out;
}

std::string CreatePublicationSql(const PgConnection& conn, const config::SourceConfig& config,
                                 const std::vector<std::string>& tables) {
  std::vector<std::string> names;
  for (const auto& t : tables) names.push_back(Qualified(conn, config.schema, t));
  return "CREATE PUBLICATION " + conn.QuoteIdent(config.publication) + " FOR TABLE " + Join(names);
}

core::Result<PgServerCheck> CheckPgServer(PgConnection& conn, const config::SourceConfig& config,
                                          const std::vector<std::string>& wanted, bool will_snapshot) {
  PgServerCheck check;
  WEFT_ASSIGN_OR_RETURN(auto version, conn.QueryValue("SHOW server_version"));
  check.version = version.value_or("?");
  WEFT_ASSIGN_OR_RETURN(auto wal_level, conn.QueryValue("SHOW wal_level"));
  if (wal_level.value_or("") != "logical") {
    check.problems.push_back("wal_level is " + wal_level.value_or("?") +
                             ", weft needs logical: run ALTER SYSTEM SET wal_level = logical; (or set wal_level = "
                             "logical in postgresql.conf) and restart the server");
  }
  const std::string user = config.user;
  WEFT_ASSIGN_OR_RETURN(PgResult role,
                        conn.Exec("SELECT rolreplication, rolsuper FROM pg_catalog.pg_roles WHERE rolname = "
                                  "current_user"));
  if (role.rows() == 1 && role.Get(0, 0) != "t" && role.Get(0, 1) != "t") {
    check.problems.push_back("role " + user + " lacks the REPLICATION attribute: run ALTER ROLE " +
                             conn.QuoteIdent(user) + " REPLICATION; (on Amazon RDS: GRANT rds_replication TO " +
                             conn.QuoteIdent(user) + ";)");
  }
  WEFT_ASSIGN_OR_RETURN(PgResult slot,
                        conn.Exec("SELECT plugin, database FROM pg_catalog.pg_replication_slots WHERE slot_name = " +
                                  conn.QuoteLiteral(config.slot)));
  check.slot_exists = slot.rows() == 1;
  if (check.slot_exists && (slot.Get(0, 0) != "pgoutput" || slot.Get(0, 1) != config.database)) {
    check.problems.push_back("replication slot " + config.slot + " exists but is not a pgoutput slot of database " +
                             config.database + ": pick another `slot` in [sources." + config.name +
                             "], or drop it: SELECT pg_drop_replication_slot('" + config.slot + "');");
  }
  WEFT_ASSIGN_OR_RETURN(PgResult limits,
                        conn.Exec("SELECT current_setting('max_replication_slots')::int - (SELECT count(*) FROM "
                                  "pg_catalog.pg_replication_slots), current_setting('max_wal_senders')::int - (SELECT "
                                  "count(*) FROM pg_catalog.pg_stat_replication)"));
  if (!check.slot_exists && limits.rows() == 1 && std::stoi(std::string(limits.Get(0, 0))) <= 0) {
    check.problems.push_back(
        "no free replication slot (max_replication_slots is used up): raise it with ALTER SYSTEM SET "
        "max_replication_slots = <more>; and restart, or drop an unused slot");
  }
  if (limits.rows() == 1 && std::stoi(std::string(limits.Get(0, 1))) <= 0) {
    check.problems.push_back(
        "no free WAL sender (max_wal_senders is used up): raise it with ALTER SYSTEM SET "
        "max_wal_senders = <more>; and restart");
  }
  WEFT_ASSIGN_OR_RETURN(std::vector<std::string> tables, CapturedTables(conn, config, wanted));
  if (tables.empty())
    check.problems.push_back("schema " + config.schema + " of database " + config.database +
                             " has no tables to capture");
  // Per table: exists, readable, identifiable in the stream, owned (for CREATE PUBLICATION).
  std::vector<std::string> not_owned;
  for (const auto& t : tables) {
    const std::string q = Qualified(conn, config.schema, t);
    WEFT_ASSIGN_OR_RETURN(
        PgResult r,
        conn.Exec(
            "SELECT c.relreplident, EXISTS (SELECT 1 FROM pg_catalog.pg_index i WHERE i.indrelid = c.oid AND "
            "i.indisprimary), "
            "has_table_privilege(c.oid, 'SELECT'), pg_catalog.pg_has_role(c.relowner, 'USAGE') "
            "FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = " +
            conn.QuoteLiteral(config.schema) + " AND c.relname = " + conn.QuoteLiteral(t)));
    if (r.rows() == 0) {
      check.problems.push_back("table " + config.schema + "." + t + " does not exist in database " + config.database);
      continue;
    }
    char identity = r.Get(0, 0).empty() ? 'd' : r.Get(0, 0)[0];
    bool has_pk = r.Get(0, 1) == "t";
    if (identity == 'n' || (identity == 'd' && !has_pk)) {
      check.problems.push_back("table " + config.schema + "." + t +
                               (has_pk ? " has REPLICA IDENTITY NOTHING" : " has no primary key") +
                               ", so its updates and deletes do not say which row they change: run ALTER TABLE " + q +
                               " REPLICA IDENTITY FULL;" + (has_pk ? "" : " (or add a primary key)"));
    }
    if (r.Get(0, 3) != "t") not_owned.push_back(config.schema + "." + t);
    if (r.Get(0, 2) != "t") {
      check.problems.push_back("role " + user + " may not read " + config.schema + "." + t + ": run GRANT SELECT ON " +
                               q + " TO " + conn.QuoteIdent(user) + ";");
    }
  }
  WEFT_ASSIGN_OR_RETURN(PgResult pub,
                        conn.Exec("SELECT pubinsert AND pubupdate AND pubdelete AND pubtruncate, puballtables "
                                  "FROM pg_catalog.pg_publication WHERE pubname = " +
                                  conn.QuoteLiteral(config.publication)));
  check.publication_exists = pub.rows() == 1;
  if (check.publication_exists) {
    if (pub.Get(0, 0) != "t") {
      check.problems.push_back(
          "publication " + config.publication + " does not publish every kind of change: run ALTER PUBLICATION " +
          conn.QuoteIdent(config.publication) + " SET (publish = 'insert, update, delete, truncate');");
    }
    WEFT_ASSIGN_OR_RETURN(std::set<std::string> published, PublishedTables(conn, config));
    std::vector<std::string> missing;
    for (const auto& t : tables) {
      if (!published.count(t)) missing.push_back(Qualified(conn, config.schema, t));
    }
    if (!missing.empty()) {
      // Before the slot exists weft adds them itself; afterwards the slot never carried them.
      if (check.slot_exists && !will_snapshot) {
        check.problems.push_back("publication " + config.publication + " lacks " + Join(missing) +
                                 ": run ALTER PUBLICATION " + conn.QuoteIdent(config.publication) + " ADD TABLE " +
                                 Join(missing) +
                                 "; then let weft take a new snapshot (on_lost_position = \"resnapshot\")");
      } else {
        check.notes.push_back("weft will add " + Join(missing) + " to publication " + config.publication);
      }
    }
  } else {
    WEFT_ASSIGN_OR_RETURN(auto may_create,
                          conn.QueryValue("SELECT has_database_privilege(current_database(), 'CREATE')"));
    if (may_create.value_or("f") != "t" || !not_owned.empty()) {
      std::string why = may_create.value_or("f") != "t" ? "has no CREATE privilege on database " + config.database
                                                         : "does not own " + Join(not_owned);
      check.problems.push_back("publication " + config.publication + " does not exist and role " + user +
                               " may not create it (it " + why + "): run, as the tables' owner, " +
                               CreatePublicationSql(conn, config, tables) + "; (or GRANT CREATE ON DATABASE " +
                               conn.QuoteIdent(config.database) + " TO " + conn.QuoteIdent(user) + "; and make " +
                               user + " the tables' owner)");
    } else {
      check.notes.push_back("weft will create publication " + config.publication + " for " +
                            std::to_string(tables.size()) + " table(s)");
    }
  }
  if (!check.slot_exists) check.notes.push_back("weft will create replication slot " + config.slot + " (pgoutput)");
  return check;
}

core::Status EnsurePublication(PgConnection& conn, const config::SourceConfig& config,
                               const std::vector<std::string>& tables, bool may_add) {
  WEFT_ASSIGN_OR_RETURN(auto exists, conn.QueryValue("SELECT 1 FROM pg_catalog.pg_publication WHERE pubname = " +
                                                     conn.QuoteLiteral(config.publication)));
  if (!exists) {
    std::string sql = CreatePublicationSql(conn, config, tables);
    core::Status st = conn.Execute(sql);
    if (st.code() == core::Code::kFailedPrecondition) {
      return core::FailedPrecondition("source " + config.name + ": role " + config.user +
                                      " may not create publication " + config.publication + " (" + st.message() +
                                      "); run, as the tables' owner: " + sql + ";");
    }
    return st;
  }
  WEFT_ASSIGN_OR_RETURN(std::set<std::string> published, PublishedTables(conn, config));
  std::vector<std::string> missing;
  for (const auto& t : tables) {
    if (!published.count(t)) missing.push_back(Qualified(conn, config.schema, t));
  }
  if (missing.empty()) return core::Status::Ok();
  std::string sql = "ALTER PUBLICATION " + conn.QuoteIdent(config.publication) + " ADD TABLE " + Join(missing);
  if (!may_add) {
    return core::DataLoss("publication " + config.publication + " of source " + config.name + " does not publish " +
                          Join(missing) + ", so slot " + config.slot + " holds none of their changes: run " + sql +
                          "; and let weft take a new snapshot (on_lost_position = \"resnapshot\")");
  }
  core::Status st = conn.Execute(sql);
  if (st.code() == core::Code::kFailedPrecondition) {
    return core::FailedPrecondition("source " + config.name + ": role " + config.user + " may not change publication " +
                                    config.publication + " (" + st.message() + "); run, as its owner: " + sql + ";");
  }
  return st;
}

}  // namespace weft::source::postgres
