#pragma once
// Transaction: one StateDb transaction as a scope. Begin opens it; Commit commits it; leaving the
// scope without a successful Commit rolls it back, so no early return can leave it open.
//
//   WEFT_ASSIGN_OR_RETURN(auto tx, state::Transaction::Begin(*db));
//   WEFT_RETURN_IF_ERROR(db->SetOffset(...));
//   WEFT_RETURN_IF_ERROR(tx.Commit());
//
// Same thread as the StateDb (the loop thread). Move-only; at most one open per StateDb.

#include "core/status.h"
#include "state/state_db.h"

namespace weft::state {

class Transaction {
 public:
  // Errors: the BEGIN's (a transaction already open is an error from SQLite).
  [[nodiscard]] static core::Result<Transaction> Begin(StateDb& db) {
    WEFT_RETURN_IF_ERROR(db.Begin());
    return Transaction(&db);
  }
  ~Transaction() { Rollback(); }
  Transaction(Transaction&& other) noexcept : db_(other.db_) { other.db_ = nullptr; }
  Transaction& operator=(Transaction&& other) noexcept {
    if (this != &other) {
      Rollback();
      db_ = other.db_;
      other.db_ = nullptr;
    }
    return *this;
  }
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

  // Commits; on failure the transaction is rolled back. Either way it is closed afterwards.
  [[nodiscard]] core::Status Commit() {
    if (!db_) return core::Internal("Transaction::Commit on a closed transaction");
    StateDb* db = db_;
    db_ = nullptr;
    core::Status s = db->Commit();
    if (!s.ok()) db->Rollback();
    return s;
  }
  void Rollback() {
    if (db_) db_->Rollback();
    db_ = nullptr;
  }
  bool open() const { return db_ != nullptr; }

 private:
  explicit Transaction(StateDb* db) : db_(db) {}
  StateDb* db_;
};

}  // namespace weft::state
