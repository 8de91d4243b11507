#pragma once
// RAII over the SQLite C API: SqliteDb owns a connection, Statement owns a prepared statement.
// Both are move-only. Errors come back as core::Status naming the database file and the SQL step
// that failed; SQLITE_BUSY/LOCKED map to kUnavailable (retry), CORRUPT/NOTADB to kCorruption, a
// full disk or unwritable file to kFailedPrecondition, anything else to kInternal.
//
// Threading: like the connection they belong to, used by one thread at a time.

#include <sqlite3.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"

namespace weft::state {

core::Status SqliteError(sqlite3* db, int rc, std::string_view what);

class SqliteDb {
 public:
  SqliteDb() = default;
  ~SqliteDb();
  SqliteDb(SqliteDb&& other) noexcept : db_(other.db_) { other.db_ = nullptr; }
  SqliteDb& operator=(SqliteDb&& other) noexcept;
  SqliteDb(const SqliteDb&) = delete;
  SqliteDb& operator=(const SqliteDb&) = delete;

  // Opens (creating) `path` read-write with extended result codes.
  static core::Result<SqliteDb> Open(const std::string& path);

  sqlite3* get() const { return db_; }
  // Runs one or more statements that return no rows (schema, pragmas).
  core::Status Exec(const std::string& sql);

 private:
  explicit SqliteDb(sqlite3* db) : db_(db) {}
  sqlite3* db_ = nullptr;
};

class Statement {
 public:
  Statement() = default;
  ~Statement();
  Statement(Statement&& other) noexcept : db_(other.db_), stmt_(other.stmt_) { other.stmt_ = nullptr; }
  Statement& operator=(Statement&& other) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  // Prepared with SQLITE_PREPARE_PERSISTENT: these statements are cached and reused.
  static core::Result<Statement> Prepare(sqlite3* db, std::string_view sql);

  // Resets and clears the bindings; releases the read snapshot of a statement left mid-scan.
  void Reset();
  // Parameters are 1-based like SQLite's. Text and blobs are copied (SQLITE_TRANSIENT), so the
  // caller's buffers need not outlive the call.
  void BindInt(int index, int64_t value);
  void BindText(int index, std::string_view text);
  void BindBlob(int index, std::string_view bytes);
  void BindNull(int index);

  // One step: true when a row is available, false when done.
  core::Result<bool> Step();
  // Steps to completion (INSERT/UPDATE/DELETE/DDL) and resets.
  core::Status Run();

  // Columns are 0-based. Views stay valid until the next Step/Reset.
  bool IsNull(int column) const;
  int64_t Int(int column) const;
  std::string_view Text(int column) const;
  std::string_view Blob(int column) const;

  sqlite3_stmt* get() const { return stmt_; }

 private:
  Statement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  sqlite3* db_ = nullptr;
  sqlite3_stmt* stmt_ = nullptr;
};

// Resets a statement when the scope ends, so an early return never leaves it holding a read lock.
class ResetOnExit {
 public:
  explicit ResetOnExit(Statement* stmt) : stmt_(stmt) {}
  ~ResetOnExit() { stmt_->Reset(); }
  ResetOnExit(const ResetOnExit&) = delete;
  ResetOnExit& operator=(const ResetOnExit&) = delete;

 private:
  Statement* stmt_;
};

}  // namespace weft::state
