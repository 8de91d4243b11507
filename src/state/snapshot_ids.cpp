#include "state/snapshot_ids.h"

#include "state/state_sql.h"

namespace weft::state {

core::Status AddSnapshotId(StateDb& db, const std::string& view, const std::string& id_key) {
  WEFT_ASSIGN_OR_RETURN(Statement * stmt, db.Cached(sql::kAddSnapshotId));
  stmt->BindText(1, view);
  stmt->BindBlob(2, id_key);
  return stmt->Run();
}

core::Result<bool> HasSnapshotId(StateDb& db, const std::string& view, const std::string& id_key) {
  WEFT_ASSIGN_OR_RETURN(Statement * stmt, db.Cached(sql::kHasSnapshotId));
  ResetOnExit reset(stmt);
  stmt->BindText(1, view);
  stmt->BindBlob(2, id_key);
  return stmt->Step();
}

core::Status ClearSnapshotIds(StateDb& db, const std::string& view) {
  WEFT_ASSIGN_OR_RETURN(Statement * stmt, db.Cached(sql::kClearSnapshotIds));
  stmt->BindText(1, view);
  return stmt->Run();
}

core::Result<std::unique_ptr<SnapshotIdReader>> SnapshotIdReader::Open(const std::string& path) {
  std::unique_ptr<SnapshotIdReader> reader(new SnapshotIdReader());
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nullptr);
  reader->db_.reset(raw);  // owns the handle even on failure
  if (rc != SQLITE_OK) return SqliteError(raw, rc, "open " + path + " read-only");
  sqlite3_busy_timeout(raw, 5000);
  WEFT_ASSIGN_OR_RETURN(reader->has_, Statement::Prepare(raw, sql::kHasSnapshotId));
  return reader;
}

core::Result<bool> SnapshotIdReader::Has(const std::string& view, const std::string& id_key) {
  ResetOnExit reset(&has_);
  has_.BindText(1, view);
  has_.BindBlob(2, id_key);
  return has_.Step();
}

}  // namespace weft::state
