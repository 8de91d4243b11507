#include "integration/harness/sqlite_probe.h"

#include <doctest/doctest.h>

namespace weft::test {

std::vector<SqlRow> QuerySqlite(const std::string& path, const std::string& sql) {
  std::vector<SqlRow> rows;
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    std::string why = db ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close(db);
    FAIL("cannot open " << path << " read-only: " << why);
    return rows;
  }
  sqlite3_busy_timeout(db, 5000);
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr);
  while (rc == SQLITE_OK && (rc = sqlite3_step(stmt)) == SQLITE_ROW) {
    SqlRow row;
    for (int i = 0; i < sqlite3_column_count(stmt); ++i) {
      if (sqlite3_column_type(stmt, i) == SQLITE_NULL) {
        row.emplace_back(std::nullopt);
      } else {
        const char* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt, i));
        row.emplace_back(std::string(text, static_cast<size_t>(sqlite3_column_bytes(stmt, i))));
      }
    }
    rows.push_back(std::move(row));
    rc = SQLITE_OK;
  }
  std::string error = rc == SQLITE_DONE ? "" : sqlite3_errmsg(db);
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  if (!error.empty()) FAIL("sqlite query on " << path << " failed: " << error << "\nstatement: " << sql);
  return rows;
}

long long QuerySqliteInt(const std::string& path, const std::string& sql) {
  auto rows = QuerySqlite(path, sql);
  if (rows.empty() || rows[0].empty() || !rows[0][0]) return -1;
  return std::stoll(*rows[0][0]);
}

SqliteWriteLock::~SqliteWriteLock() { Release(); }

bool SqliteWriteLock::Acquire(const std::string& path) {
  Release();
  if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) {
    error_ = "cannot open " + path + ": " + (db_ ? sqlite3_errmsg(db_) : "out of memory");
    sqlite3_close(db_);
    db_ = nullptr;
    return false;
  }
  sqlite3_busy_timeout(db_, 10000);
  char* err = nullptr;
  if (sqlite3_exec(db_, "BEGIN EXCLUSIVE", nullptr, nullptr, &err) != SQLITE_OK) {
    error_ = "BEGIN EXCLUSIVE on " + path + " failed: " + (err ? err : "?");
    sqlite3_free(err);
    sqlite3_close(db_);
    db_ = nullptr;
    return false;
  }
  return true;
}

void SqliteWriteLock::Release() {
  if (!db_) return;
  sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
  sqlite3_close(db_);
  db_ = nullptr;
}

}  // namespace weft::test
