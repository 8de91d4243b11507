#pragma once
// Looking into weft's SQLite files from a test: read-only queries on the state DB (outbox depth,
// dead letters, offsets) and on the SQLite sink, and a second writer that holds a file's write lock
// (BEGIN EXCLUSIVE) to make the SQLite sink unavailable for a while.

#include <sqlite3.h>

#include <string>
#include <vector>

#include "integration/harness/mariadb_server.h"

namespace weft::test {

// Runs `sql` on `path` opened read-only (busy timeout 5 s); rows of text (nullopt for NULL). Fails
// the test (doctest FAIL) when the file does not open or the statement fails.
std::vector<SqlRow> QuerySqlite(const std::string& path, const std::string& sql);
// The first column of the first row as an integer (-1 when there is no row).
long long QuerySqliteInt(const std::string& path, const std::string& sql);

// Another writer holding `path`'s write lock: opens the file, sets a busy timeout and runs BEGIN
// EXCLUSIVE (in WAL mode that blocks writers only, readers go on). Released by Release() or the
// destructor (ROLLBACK, close).
class SqliteWriteLock {
 public:
  SqliteWriteLock() = default;
  ~SqliteWriteLock();
  SqliteWriteLock(const SqliteWriteLock&) = delete;
  SqliteWriteLock& operator=(const SqliteWriteLock&) = delete;
  // False with error() when the file cannot be opened or the lock is not had within 10 s.
  bool Acquire(const std::string& path);
  void Release();
  bool held() const { return db_ != nullptr; }
  const std::string& error() const { return error_; }

 private:
  sqlite3* db_ = nullptr;
  std::string error_;
};

}  // namespace weft::test
