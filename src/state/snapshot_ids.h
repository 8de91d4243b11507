#pragma once
// The ids a view's snapshot produced, kept in the state DB (table snapshot_ids) instead of memory
// until the reconciliation after that snapshot has queued the deletes of every other document in
// the sink: memory then stays flat however many documents a snapshot builds. Ids are spelled as
// DocumentSink::ScanIdKey spells them, the form the sink's Scan reports.
//
// Threading: the free functions use the StateDb (loop thread). SnapshotIdReader is a separate
// read-only connection to the same file for the sink writer thread, which lists the sink and must
// not touch the StateDb; WAL mode lets it read while the loop thread writes. It sees what was
// committed when each lookup runs.

#include <memory>
#include <string>

#include "core/status.h"
#include "state/sqlite_util.h"
#include "state/state_db.h"

namespace weft::state {

// Inside the caller's transaction, like the outbox appends they go with.
core::Status AddSnapshotId(StateDb& db, const std::string& view, const std::string& id_key);
core::Result<bool> HasSnapshotId(StateDb& db, const std::string& view, const std::string& id_key);
core::Status ClearSnapshotIds(StateDb& db, const std::string& view);

class SnapshotIdReader {
 public:
  // Opens `path` (the StateDb's file) read-only.
  static core::Result<std::unique_ptr<SnapshotIdReader>> Open(const std::string& path);
  core::Result<bool> Has(const std::string& view, const std::string& id_key);

 private:
  SnapshotIdReader() = default;
  // db_ first, so it is destroyed after the statement it prepared.
  std::unique_ptr<sqlite3, int (*)(sqlite3*)> db_{nullptr, &sqlite3_close};
  Statement has_;
};

}  // namespace weft::state
