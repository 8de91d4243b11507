#include "state/state_sql.h"

namespace weft::state::sql {
namespace {

std::string Quoted(const std::string& name) { return "\"" + name + "\""; }

std::string KeyList(size_t keys) {
  std::string out;
  for (size_t i = 0; i < keys; ++i) out += ", k" + std::to_string(i);
  return out;
}

}  // namespace

std::string CreateReplica(const std::string& name, size_t keys) {
  std::string sql = "CREATE TABLE IF NOT EXISTS " + Quoted(name) + "(pk BLOB PRIMARY KEY, row BLOB NOT NULL";
  for (size_t i = 0; i < keys; ++i) sql += ", k" + std::to_string(i) + " BLOB";
  return sql + ") WITHOUT ROWID";
}

std::string CreateReplicaIndex(const std::string& name, size_t index, const std::vector<int>& key_columns) {
  std::string sql = "CREATE INDEX IF NOT EXISTS " + Quoted(name + "_i" + std::to_string(index)) + " ON " +
                    Quoted(name) + "(";
  for (size_t i = 0; i < key_columns.size(); ++i) {
    if (i) sql += ", ";
    sql += "k" + std::to_string(key_columns[i]);
  }
  return sql + ")";
}

std::string DropReplicaIndex(const std::string& name, size_t index) {
  return "DROP INDEX IF EXISTS " + Quoted(name + "_i" + std::to_string(index));
}

std::string DropReplica(const std::string& name) { return "DROP TABLE IF EXISTS " + Quoted(name); }

std::string ClearReplica(const std::string& name) { return "DELETE FROM " + Quoted(name); }

std::string PutReplicaRow(const std::string& name, size_t keys) {
  std::string sql = "INSERT OR REPLACE INTO " + Quoted(name) + "(pk, row" + KeyList(keys) + ") VALUES(?1, ?2";
  for (size_t i = 0; i < keys; ++i) sql += ", ?" + std::to_string(i + 3);
  return sql + ")";
}

std::string GetReplicaRow(const std::string& name) { return "SELECT row FROM " + Quoted(name) + " WHERE pk=?1"; }

std::string DeleteReplicaRow(const std::string& name) { return "DELETE FROM " + Quoted(name) + " WHERE pk=?1"; }

std::string FindReplicaRows(const std::string& name, size_t keys, const std::vector<int>& key_columns) {
  std::string sql = "SELECT pk, row" + KeyList(keys) + " FROM " + Quoted(name) + " WHERE ";
  for (size_t i = 0; i < key_columns.size(); ++i) {
    if (i) sql += " AND ";
    sql += "k" + std::to_string(key_columns[i]) + "=?" + std::to_string(i + 1);
  }
  return sql + " ORDER BY pk";
}

std::string ScanReplica(const std::string& name, size_t keys) {
  return "SELECT pk, row" + KeyList(keys) + " FROM " + Quoted(name) + " ORDER BY pk";
}

}  // namespace weft::state::sql
