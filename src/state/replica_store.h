#pragma once
// ReplicaStore: the SQLite replica of one source table, holding only what the views need. A row is
// stored under its primary key (an opaque, order-preserving byte string the caller computes, see
// view/key_order.h), as the row {column: value} without its column names (change::EncodeRow against
// one column list per replica, kept in the catalog: names stored in every row made the replicas
// about twice as big, and catch-ups read them from disk), plus one join-key text per relation column
// ("key column"), indexed per relation so both directions of a lookup are index probes: children by
// their relation columns (assembly), parents by theirs (finding the roots a changed row affects).
// Nothing is cached in memory but prepared statements and the column list.
//
// Rows of one replica may differ in their columns (a partial row image, a table that gained or lost
// columns): a field the list lacks is appended to it, a missing one is an absent slot, and a row
// whose fields come in an order the list cannot hold is stored with its names (change::EncodeValue).
// Clear starts the list over. So any row reads back as it was put, whatever the schema did.
//
// The store knows no view semantics: the view module decides the layout (which key columns, which
// indexes) and the key encodings. Loop thread only, like the StateDb it lives in.

#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "change/value.h"
#include "core/status.h"
#include "state/state_db.h"

namespace weft::state {

struct ReplicaLayout {
  std::string source;  // [sources.NAME]
  std::string table;   // source table name
  std::vector<std::string> key_columns;   // column names, stored as k0..kN
  std::vector<std::vector<int>> indexes;  // each a tuple of positions into key_columns
  // What else decides the stored contents (the view module's column filter); a change of it makes
  // the stored rows incomplete, exactly like a change of the key columns.
  std::string contents;

  // Text that changes whenever stored rows written under the old layout would be wrong.
  std::string Signature() const;
};

// One row as read back.
struct ReplicaRow {
  std::string pk;
  change::Value row;  // a kObject; null when read without rows
  std::vector<std::optional<std::string>> keys;  // per key column; nullopt for SQL NULL
};

class ReplicaStore {
 public:
  // Creates the table and its indexes, or checks the existing one. When the table is new, or its
  // stored layout differs (then it is dropped and recreated empty), *fresh is set: its contents are
  // missing and the source needs a snapshot.
  static core::Result<std::unique_ptr<ReplicaStore>> Open(StateDb* db, ReplicaLayout layout, bool* fresh);

  const ReplicaLayout& layout() const { return layout_; }
  const std::string& table_name() const { return name_; }

  // The primary-key column names of the source table, as last recorded (empty until the first row).
  const std::vector<std::string>& pk_columns() const { return pk_columns_; }
  core::Status SetPkColumns(const std::vector<std::string>& columns);  // persists only a change

  // Inserts or replaces the row (a kObject) under `pk`. keys.size() == layout().key_columns.size().
  core::Status Put(std::string_view pk, const change::Value& row, const std::vector<std::optional<std::string>>& keys);
  core::Status Erase(std::string_view pk);
  // False when there is no row under `pk`.
  core::Result<bool> Get(std::string_view pk, change::Value* row);
  // Rows whose key columns of index `index` equal `keys` (in the index's column order), in pk
  // order; at most `limit` of them (0: all). Appends to *out; with_row = false leaves row empty
  // (planning needs only pk and keys, and a popular parent can have many rows).
  core::Status Find(size_t index, const std::vector<std::string>& keys, size_t limit, std::vector<ReplicaRow>* out,
                    bool with_row = true);
  // The same rows without their pk and key texts (assembly embeds only the rows: two to four
  // allocations fewer per embedded row).
  core::Status FindRows(size_t index, const std::vector<std::string>& keys, size_t limit,
                        std::vector<change::Value>* out);
  // Every row in pk order. `each` may call Get/Find on any store, but must not write to this one.
  core::Status Scan(const std::function<core::Status(const ReplicaRow&)>& each);
  core::Status Clear();  // also forgets the column list

  // The column list rows are encoded against (for tests and diagnostics).
  const std::vector<std::string>& row_columns() const { return columns_; }

  // Bulk load (a snapshot filling the replica): BeginBulkLoad drops the relation indexes, so rows
  // go in as appends in primary-key order instead of as random inserts into every index (each
  // commit rewrote thousands of index pages); EnsureIndexes builds them again in one sorted pass.
  // Both are cheap no-ops when there is nothing to do, and run inside the caller's transaction, with
  // no statement of this StateDb in progress (DDL). Without its indexes the store stays correct
  // (Find scans the table) but slow, so callers ensure them before they Find; Open ensures them too,
  // for a load a crash interrupted.
  core::Status BeginBulkLoad();
  core::Status EnsureIndexes();
  bool bulk_loading() const { return bulk_loading_; }

 private:
  ReplicaStore(StateDb* db, ReplicaLayout layout, std::string name)
      : db_(db), layout_(std::move(layout)), name_(std::move(name)) {}
  core::Status ReadRow(const Statement& stmt, ReplicaRow* row, bool with_row);
  // Runs index `index`'s Find statement (prepared on first use) for `keys`, calling `each` on at
  // most `limit` rows (0: all) as they are stepped; the one loop under Find and FindRows. A
  // template, not a std::function: Find's capture would not fit std::function's small buffer, an
  // allocation per lookup on the hottest path (defined in replica_store.cpp, its only user).
  template <typename Each>
  core::Status ForEachFound(size_t index, const std::vector<std::string>& keys, size_t limit, const Each& each);
  core::Status DecodeRow(std::string_view bytes, change::Value* row);
  // Encodes `row` into encoded_, appending the names it brings to the column list.
  core::Status EncodeRow(const change::Value& row);
  core::Status SaveColumns(const std::vector<std::string>& columns);
  // Re-reads the column list after a rollback on this connection (it may have undone a change of it).
  core::Status SyncColumns();

  StateDb* db_;
  ReplicaLayout layout_;
  std::string name_;
  std::vector<std::string> pk_columns_;
  std::vector<std::string> columns_;  // the row column list, as the current transaction sees it
  const std::atomic<uint64_t>* rollbacks_ = nullptr;  // this connection's rollback count (replica_store.cpp)
  uint64_t rollbacks_seen_ = 0;  // its value when columns_ was last known right
  std::string encoded_;          // Put's buffer
  // Hot statements, owned by the StateDb's cache (stable addresses), looked up once.
  Statement* put_ = nullptr;
  Statement* get_ = nullptr;
  Statement* erase_ = nullptr;
  // Per-index Find statements, prepared on first use.
  std::vector<std::unique_ptr<Statement>> find_;
  bool bulk_loading_ = false;  // BeginBulkLoad dropped the indexes; EnsureIndexes not run since
};

// "rep_<source>__<table>_<hash>": letters, digits and '_' only; distinct per (source, table).
std::string ReplicaTableName(const std::string& source, const std::string& table);

}  // namespace weft::state
