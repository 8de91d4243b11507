#include "state/pending_roots.h"

#include "state/state_sql.h"

namespace weft::state {

core::Status SavePendingRoot(StateDb& db, const PendingRoot& root) {
  WEFT_ASSIGN_OR_RETURN(Statement * stmt, db.Cached(sql::kSavePendingRoot));
  stmt->BindText(1, root.view);
  stmt->BindBlob(2, root.pk);
  if (root.id) {
    stmt->BindBlob(3, *root.id);
  } else {
    stmt->BindNull(3);
  }
  return stmt->Run();
}

core::Status ScanPendingRoots(StateDb& db, const std::function<core::Status(PendingRoot&&)>& each) {
  WEFT_ASSIGN_OR_RETURN(Statement stmt, Statement::Prepare(db.handle(), sql::kScanPendingRoots));
  while (true) {
    WEFT_ASSIGN_OR_RETURN(bool found, stmt.Step());
    if (!found) return core::Status::Ok();
    PendingRoot root;
    root.view = std::string(stmt.Text(0));
    root.pk = std::string(stmt.Blob(1));
    if (!stmt.IsNull(2)) root.id = std::string(stmt.Blob(2));
    WEFT_RETURN_IF_ERROR(each(std::move(root)));
  }
}

core::Status ClearPendingRoots(StateDb& db) {
  WEFT_ASSIGN_OR_RETURN(Statement * stmt, db.Cached(sql::kClearPendingRoots));
  return stmt->Run();
}

}  // namespace weft::state
