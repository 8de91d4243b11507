#include "state/replica_store.h"

#include <sqlite3.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <mutex>

#include "change/value_codec.h"
#include "state/state_sql.h"

namespace weft::state {
namespace {

std::string EncodeNames(const std::vector<std::string>& names) {
  change::Array items;
  for (const auto& name : names) items.push_back(change::Value::String(name));
  return change::EncodeValue(change::Value::MakeArray(std::move(items)));
}

bool DecodeNames(std::string_view bytes, std::vector<std::string>* names) {
  change::Value value;
  if (!change::DecodeValue(bytes, &value) || value.kind() != change::ValueKind::kArray) return false;
  names->clear();
  for (const auto& item : value.array()) {
    if (item.kind() != change::ValueKind::kString) return false;
    names->push_back(item.text());
  }
  return true;
}

uint64_t Fnv1a(std::string_view bytes) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : bytes) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

std::string Sanitize(const std::string& text) {
  std::string out;
  for (char c : text.substr(0, 24)) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    out.push_back(ok ? c : '_');
  }
  return out;
}

// Rollbacks per SQLite connection, counted by its rollback hook (weft sets no other). A store caches
// its column list, and a rolled-back transaction may have changed it on disk; the count tells the
// store to read it again. The counters live as long as the process: a few per state file opened.
const std::atomic<uint64_t>* RollbackCounter(sqlite3* handle) {
  static std::mutex mu;
  static std::map<sqlite3*, std::unique_ptr<std::atomic<uint64_t>>> counters;
  std::lock_guard<std::mutex> lock(mu);
  auto& counter = counters[handle];
  if (!counter) counter = std::make_unique<std::atomic<uint64_t>>(0);
  sqlite3_rollback_hook(
      handle, [](void* count) { static_cast<std::atomic<uint64_t>*>(count)->fetch_add(1, std::memory_order_relaxed); },
      counter.get());
  return counter.get();
}

}  // namespace

std::string ReplicaLayout::Signature() const {
  // Length-prefixed parts, so no choice of names can make two layouts print the same.
  // v2: rows are change::EncodeRow against the replica's column list (v1 rows held their names).
  std::string out = "v2";
  auto part = [&](const std::string& s) { out += ";" + std::to_string(s.size()) + ":" + s; };
  for (const auto& column : key_columns) part(column);
  out += "|";
  for (const auto& index : indexes) {
    std::string cols;
    for (int c : index) cols += std::to_string(c) + ",";
    part(cols);
  }
  out += "|";
  part(contents);
  return out;
}

std::string ReplicaTableName(const std::string& source, const std::string& table) {
  char hash[20];
  std::snprintf(hash, sizeof hash, "%08llx",
                static_cast<unsigned long long>(Fnv1a(source + std::string(1, '\0') + table) & 0xFFFFFFFFull));
  return "rep_" + Sanitize(source) + "__" + Sanitize(table) + "_" + hash;
}

core::Result<std::unique_ptr<ReplicaStore>> ReplicaStore::Open(StateDb* db, ReplicaLayout layout, bool* fresh) {
  std::string name = ReplicaTableName(layout.source, layout.table);
  std::string signature = layout.Signature();
  std::unique_ptr<ReplicaStore> store(new ReplicaStore(db, std::move(layout), name));
  const ReplicaLayout& l = store->layout_;
  store->rollbacks_ = RollbackCounter(db->handle());
  *fresh = true;
  {
    WEFT_ASSIGN_OR_RETURN(Statement * get, db->Cached(sql::kGetReplica));
    ResetOnExit reset(get);
    get->BindText(1, l.source);
    get->BindText(2, l.table);
    WEFT_ASSIGN_OR_RETURN(bool row, get->Step());
    if (row && get->Text(0) == name && get->Text(1) == signature) {
      *fresh = false;
      if (!get->IsNull(2) && !DecodeNames(get->Blob(2), &store->pk_columns_)) {
        return core::Corruption("replica catalog of " + l.source + "." + l.table + " in state file " + db->path() +
                                " has undecodable primary-key columns");
      }
    }
  }
  if (*fresh) {
    // Statements of this table were never prepared yet (Open runs before any use), so dropping it
    // cannot invalidate a cached statement.
    WEFT_ASSIGN_OR_RETURN(Statement * drop, db->Cached(sql::DropReplica(name)));
    WEFT_RETURN_IF_ERROR(drop->Run());
    WEFT_ASSIGN_OR_RETURN(Statement * create, db->Cached(sql::CreateReplica(name, l.key_columns.size())));
    WEFT_RETURN_IF_ERROR(create->Run());
    WEFT_ASSIGN_OR_RETURN(Statement * put, db->Cached(sql::kPutReplica));
    put->BindText(1, l.source);
    put->BindText(2, l.table);
    put->BindText(3, name);
    put->BindText(4, signature);
    put->BindNull(5);
    WEFT_RETURN_IF_ERROR(put->Run());
    // A list left by an earlier table of this name describes none of the (no) rows.
    WEFT_ASSIGN_OR_RETURN(Statement * clear, db->Cached(sql::kClearReplicaColumns));
    clear->BindText(1, name);
    WEFT_RETURN_IF_ERROR(clear->Run());
  }
  store->rollbacks_seen_ = store->rollbacks_->load(std::memory_order_relaxed) - 1;  // read it below
  WEFT_RETURN_IF_ERROR(store->SyncColumns());
  // Also for a table that exists: a bulk load that a crash interrupted left it without them.
  store->bulk_loading_ = true;
  WEFT_RETURN_IF_ERROR(store->EnsureIndexes());
  store->find_.resize(l.indexes.size());
  WEFT_ASSIGN_OR_RETURN(store->put_, db->Cached(sql::PutReplicaRow(name, l.key_columns.size())));
  WEFT_ASSIGN_OR_RETURN(store->get_, db->Cached(sql::GetReplicaRow(name)));
  WEFT_ASSIGN_OR_RETURN(store->erase_, db->Cached(sql::DeleteReplicaRow(name)));
  return store;
}

core::Status ReplicaStore::SetPkColumns(const std::vector<std::string>& columns) {
  if (columns == pk_columns_) return core::Status::Ok();
  WEFT_ASSIGN_OR_RETURN(Statement * stmt, db_->Cached(sql::kSetReplicaPk));
  stmt->BindText(1, layout_.source);
  stmt->BindText(2, layout_.table);
  stmt->BindBlob(3, EncodeNames(columns));
  WEFT_RETURN_IF_ERROR(stmt->Run());
  pk_columns_ = columns;
  return core::Status::Ok();
}

core::Status ReplicaStore::SyncColumns() {
  uint64_t rollbacks = rollbacks_->load(std::memory_order_relaxed);
  if (rollbacks == rollbacks_seen_) return core::Status::Ok();
  WEFT_ASSIGN_OR_RETURN(Statement * get, db_->Cached(sql::kGetReplicaColumns));
  ResetOnExit reset(get);
  get->BindText(1, name_);
  WEFT_ASSIGN_OR_RETURN(bool found, get->Step());
  columns_.clear();
  if (found && !DecodeNames(get->Blob(0), &columns_)) {
    return core::Corruption("replica catalog of " + layout_.source + "." + layout_.table + " in state file " +
                            db_->path() + " has an undecodable column list");
  }
  rollbacks_seen_ = rollbacks;
  return core::Status::Ok();
}

core::Status ReplicaStore::SaveColumns(const std::vector<std::string>& columns) {
  WEFT_ASSIGN_OR_RETURN(Statement * set, db_->Cached(sql::kSetReplicaColumns));
  set->BindText(1, name_);
  set->BindBlob(2, EncodeNames(columns));
  WEFT_RETURN_IF_ERROR(set->Run());
  columns_ = columns;
  return core::Status::Ok();
}

core::Status ReplicaStore::EncodeRow(const change::Value& row) {
  encoded_.clear();
  if (change::EncodeRow(row, columns_, &encoded_)) return core::Status::Ok();
  if (row.kind() == change::ValueKind::kObject) {
    // New names go at the end, in the row's order: enough for a first row, a row image that has
    // more columns than an earlier partial one, and a column added at the end of the table.
    std::vector<std::string> extended = columns_;
    for (const auto& field : row.object()) {
      if (std::find(extended.begin(), extended.end(), field.first) == extended.end()) extended.push_back(field.first);
    }
    if (extended.size() > columns_.size() && change::EncodeRow(row, extended, &encoded_)) {
      return SaveColumns(extended);
    }
  }
  // The list has the row's names in another order (a column added in the middle of the table):
  // this row keeps its names, until Clear (a resnapshot) starts the list over.
  change::EncodeValue(row, &encoded_);
  return core::Status::Ok();
}

core::Status ReplicaStore::DecodeRow(std::string_view bytes, change::Value* row) {
  bool ok = change::IsRow(bytes) ? change::DecodeRow(bytes, columns_, row) : change::DecodeValue(bytes, row);
  if (!ok || row->kind() != change::ValueKind::kObject) {
    return core::Corruption("replica " + name_ + " in state file " + db_->path() + " holds an undecodable row");
  }
  return core::Status::Ok();
}

core::Status ReplicaStore::Put(std::string_view pk, const change::Value& row,
                               const std::vector<std::optional<std::string>>& keys) {
  WEFT_RETURN_IF_ERROR(SyncColumns());
  WEFT_RETURN_IF_ERROR(EncodeRow(row));
  Statement* stmt = put_;
  stmt->BindBlob(1, pk);
  stmt->BindBlob(2, encoded_);
  for (size_t i = 0; i < layout_.key_columns.size(); ++i) {
    if (i < keys.size() && keys[i]) {
      stmt->BindBlob(static_cast<int>(i + 3), *keys[i]);
    } else {
      stmt->BindNull(static_cast<int>(i + 3));
    }
  }
  return stmt->Run();
}

core::Status ReplicaStore::Erase(std::string_view pk) {
  Statement* stmt = erase_;
  stmt->BindBlob(1, pk);
  return stmt->Run();
}

core::Result<bool> ReplicaStore::Get(std::string_view pk, change::Value* row) {
  WEFT_RETURN_IF_ERROR(SyncColumns());
  Statement* stmt = get_;
  ResetOnExit reset(stmt);
  stmt->BindBlob(1, pk);
  WEFT_ASSIGN_OR_RETURN(bool found, stmt->Step());
  if (found) WEFT_RETURN_IF_ERROR(DecodeRow(stmt->Blob(0), row));
  return found;
}

core::Status ReplicaStore::ReadRow(const Statement& stmt, ReplicaRow* row, bool with_row) {
  row->pk.assign(stmt.Blob(0));
  if (with_row) {
    WEFT_RETURN_IF_ERROR(DecodeRow(stmt.Blob(1), &row->row));
  } else {
    row->row = change::Value();
  }
  row->keys.resize(layout_.key_columns.size());
  for (size_t i = 0; i < layout_.key_columns.size(); ++i) {
    int column = static_cast<int>(i + 2);
    if (stmt.IsNull(column)) {
      row->keys[i].reset();
    } else {
      row->keys[i].emplace(stmt.Blob(column));
    }
  }
  return core::Status::Ok();
}

template <typename Each>
core::Status ReplicaStore::ForEachFound(size_t index, const std::vector<std::string>& keys, size_t limit,
                                        const Each& each) {
  if (index >= find_.size()) return core::Internal("replica " + name_ + " has no index " + std::to_string(index));
  if (!find_[index]) {
    WEFT_ASSIGN_OR_RETURN(
        Statement stmt,
        Statement::Prepare(db_->handle(), sql::FindReplicaRows(name_, layout_.key_columns.size(), layout_.indexes[index])));
    find_[index] = std::make_unique<Statement>(std::move(stmt));
  }
  WEFT_RETURN_IF_ERROR(SyncColumns());
  Statement* stmt = find_[index].get();
  ResetOnExit reset(stmt);
  for (size_t i = 0; i < keys.size(); ++i) stmt->BindBlob(static_cast<int>(i + 1), keys[i]);
  for (size_t n = 0; limit == 0 || n < limit; ++n) {
    WEFT_ASSIGN_OR_RETURN(bool found, stmt->Step());
    if (!found) break;
    WEFT_RETURN_IF_ERROR(each(*stmt));
  }
  return core::Status::Ok();
}

core::Status ReplicaStore::Find(size_t index, const std::vector<std::string>& keys, size_t limit,
                                std::vector<ReplicaRow>* out, bool with_row) {
  return ForEachFound(index, keys, limit, [&](const Statement& stmt) {
    out->emplace_back();
    return ReadRow(stmt, &out->back(), with_row);
  });
}

core::Status ReplicaStore::FindRows(size_t index, const std::vector<std::string>& keys, size_t limit,
                                    std::vector<change::Value>* out) {
  return ForEachFound(index, keys, limit, [&](const Statement& stmt) {
    out->emplace_back();
    return DecodeRow(stmt.Blob(1), &out->back());
  });
}

core::Status ReplicaStore::Scan(const std::function<core::Status(const ReplicaRow&)>& each) {
  // Its own statement, not a cached one: a scan stays open while `each` runs other statements,
  // possibly a nested scan of another store.
  WEFT_RETURN_IF_ERROR(SyncColumns());
  WEFT_ASSIGN_OR_RETURN(Statement stmt,
                        Statement::Prepare(db_->handle(), sql::ScanReplica(name_, layout_.key_columns.size())));
  ReplicaRow row;
  while (true) {
    WEFT_ASSIGN_OR_RETURN(bool found, stmt.Step());
    if (!found) break;
    WEFT_RETURN_IF_ERROR(ReadRow(stmt, &row, true));
    WEFT_RETURN_IF_ERROR(each(row));
  }
  return core::Status::Ok();
}

core::Status ReplicaStore::BeginBulkLoad() {
  if (bulk_loading_) return core::Status::Ok();
  for (size_t i = 0; i < layout_.indexes.size(); ++i) {
    WEFT_ASSIGN_OR_RETURN(Statement * drop, db_->Cached(sql::DropReplicaIndex(name_, i)));
    WEFT_RETURN_IF_ERROR(drop->Run());
  }
  WEFT_RETURN_IF_ERROR(db_->SetBulkWrites(true));
  bulk_loading_ = true;
  return core::Status::Ok();
}

core::Status ReplicaStore::EnsureIndexes() {
  if (!bulk_loading_) return core::Status::Ok();
  for (size_t i = 0; i < layout_.indexes.size(); ++i) {
    WEFT_ASSIGN_OR_RETURN(Statement * index, db_->Cached(sql::CreateReplicaIndex(name_, i, layout_.indexes[i])));
    WEFT_RETURN_IF_ERROR(index->Run());
  }
  WEFT_RETURN_IF_ERROR(db_->SetBulkWrites(false));
  bulk_loading_ = false;
  return core::Status::Ok();
}

core::Status ReplicaStore::Clear() {
  WEFT_ASSIGN_OR_RETURN(Statement * stmt, db_->Cached(sql::ClearReplica(name_)));
  WEFT_RETURN_IF_ERROR(stmt->Run());
  WEFT_ASSIGN_OR_RETURN(Statement * clear, db_->Cached(sql::kClearReplicaColumns));
  clear->BindText(1, name_);
  WEFT_RETURN_IF_ERROR(clear->Run());
  columns_.clear();
  return core::Status::Ok();
}

}  // namespace weft::state
