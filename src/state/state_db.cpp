#include "state/state_db.h"

#include <algorithm>
#include <filesystem>
#include <system_error>

#include "change/value_codec.h"
#include "state/state_sql.h"

namespace weft::state {
namespace {

// Opens a transaction for the duration of a call made outside Begin/Commit, so a multi-row outbox
// call is one fsync instead of one per row, and is all-or-nothing either way.
class ImplicitTransaction {
 public:
  explicit ImplicitTransaction(StateDb* db) : db_(db), own_(!db->InTransaction()) {}
  ~ImplicitTransaction() {
    if (own_ && !done_) db_->Rollback();
  }
  core::Status Begin() { return own_ ? db_->Begin() : core::Status::Ok(); }
  core::Status Commit() {
    done_ = true;
    return own_ ? db_->Commit() : core::Status::Ok();
  }

 private:
  StateDb* db_;
  bool own_;
  bool done_ = false;
};

}  // namespace

core::Result<std::unique_ptr<StateDb>> StateDb::Open(const std::string& path) {
  std::filesystem::path parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(parent, ec);
    if (ec) {
      return core::FailedPrecondition("cannot create the directory of state file " + path + ": " + ec.message() +
                                      "; set [state] path to a writable location");
    }
  }
  WEFT_ASSIGN_OR_RETURN(SqliteDb db, SqliteDb::Open(path));
  WEFT_RETURN_IF_ERROR(db.Exec(sql::kPragmas));
  WEFT_RETURN_IF_ERROR(db.Exec(sql::kSchema));
  std::unique_ptr<StateDb> state(new StateDb(std::move(db), path));
  WEFT_ASSIGN_OR_RETURN(auto version, state->GetMeta("schema_version"));
  if (!version) {
    WEFT_RETURN_IF_ERROR(state->SetMeta("schema_version", std::to_string(sql::kSchemaVersion)));
  } else if (*version != std::to_string(sql::kSchemaVersion)) {
    return core::FailedPrecondition("state file " + path + " has schema version " + *version + ", this weft uses " +
                                    std::to_string(sql::kSchemaVersion) +
                                    "; remove the file to start over (weft resnapshots)");
  }
  return state;
}

StateDb::~StateDb() = default;

core::Result<Statement*> StateDb::Cached(std::string_view sql) {
  auto it = statements_.find(sql);
  if (it != statements_.end()) return it->second.get();
  WEFT_ASSIGN_OR_RETURN(Statement stmt, Statement::Prepare(db_.get(), sql));
  auto owned = std::make_unique<Statement>(std::move(stmt));
  Statement* raw = owned.get();
  statements_.emplace(std::string(sql), std::move(owned));
  return raw;
}

core::Status StateDb::Exec(std::string_view sql) {
  WEFT_ASSIGN_OR_RETURN(Statement * stmt, Cached(sql));
  return stmt->Run();
}

core::Status StateDb::SetBulkWrites(bool bulk) {
  return Exec(bulk ? "PRAGMA wal_autocheckpoint=8192" : "PRAGMA wal_autocheckpoint=1000");
}

core::Status StateDb::Begin() { return Exec(sql::kBegin); }
core::Status StateDb::Commit() { return Exec(sql::kCommit); }

void StateDb::Rollback() {
  if (!InTransaction()) return;
  // A failed ROLLBACK leaves nothing to do: SQLite rolls back on its own when it cannot.
  (void)Exec(sql::kRollback);
}

core::Result<std::optional<std::string>> StateDb::GetOffset(const std::string& source) {
  WEFT_ASSIGN_OR_RETURN(Statement * stmt, Cached(sql::kGetOffset));
  ResetOnExit reset(stmt);
  stmt->BindText(1, source);
  WEFT_ASSIGN_OR_RETURN(bool row, stmt->Step());
  if (!row) return std::optional<std::string>();
  return std::optional<std::string>(std::string(stmt->Text(0)));
}

core::Status StateDb::SetOffset(const std::string& source, const std::string& offset) {
  WEFT_ASSIGN_OR_RETURN(Statement * stmt, Cached(sql::kSetOffset));
  stmt->BindText(1, source);
  stmt->BindText(2, offset);
  return stmt->Run();
}

core::Status StateDb::ResetSource(const std::string& source) {
  ImplicitTransaction txn(this);
  WEFT_RETURN_IF_ERROR(txn.Begin());
  std::vector<std::string> names;
  {
    WEFT_ASSIGN_OR_RETURN(Statement * stmt, Cached(sql::kReplicasOfSource));
    ResetOnExit reset(stmt);
    stmt->BindText(1, source);
    while (true) {
      WEFT_ASSIGN_OR_RETURN(bool row, stmt->Step());
      if (!row) break;
      names.emplace_back(stmt->Text(0));
    }
  }
  for (const auto& name : names) WEFT_RETURN_IF_ERROR(Exec(sql::ClearReplica(name)));
  WEFT_ASSIGN_OR_RETURN(Statement * del, Cached(sql::kDeleteOffset));
  del->BindText(1, source);
  WEFT_RETURN_IF_ERROR(del->Run());
  return txn.Commit();
}

core::Status StateDb::AppendOutbox(std::vector<OutboxEntry>* entries) {
  if (entries->empty()) return core::Status::Ok();
  ImplicitTransaction txn(this);
  WEFT_RETURN_IF_ERROR(txn.Begin());
  WEFT_ASSIGN_OR_RETURN(Statement * stmt, Cached(sql::kAppendOutbox));
  std::string buffer;
  for (auto& entry : *entries) {
    stmt->BindText(1, entry.sink);
    stmt->BindText(2, entry.view);
    stmt->BindText(3, entry.write.collection);
    buffer.clear();
    change::EncodeValue(entry.write.id, &buffer);
    stmt->BindBlob(4, buffer);
    stmt->BindText(5, entry.write.id_key);
    if (entry.write.doc && !entry.encoded_doc.empty()) {
      stmt->BindBlob(6, entry.encoded_doc);
    } else if (entry.write.doc) {
      std::string doc;
      change::EncodeValue(*entry.write.doc, &doc);
      stmt->BindBlob(6, doc);
    } else {
      stmt->BindNull(6);
    }
    WEFT_RETURN_IF_ERROR(stmt->Run());
    entry.seq = sqlite3_last_insert_rowid(db_.get());
    entry.write.seq = entry.seq;
  }
  return txn.Commit();
}

core::Result<std::vector<OutboxEntry>> StateDb::ReadOutbox(const std::string& sink, int64_t after_seq, size_t limit) {
  std::vector<OutboxEntry> out;
  if (limit == 0) return out;
  core::Status decoded = core::Status::Ok();
  WEFT_RETURN_IF_ERROR(ScanOutbox(sink, after_seq, [&](OutboxEntry&& entry) {
    if (!entry.encoded_doc.empty()) {
      change::Value doc;
      if (!change::DecodeValue(entry.encoded_doc, &doc)) {
        decoded = core::Corruption("outbox entry " + std::to_string(entry.seq) + " of state file " + path_ +
                                   " has an undecodable document");
        return false;
      }
      entry.write.doc = std::move(doc);
      entry.encoded_doc = std::string();
    }
    out.push_back(std::move(entry));
    return out.size() < limit;
  }));
  WEFT_RETURN_IF_ERROR(decoded);
  return out;
}

core::Status StateDb::ScanOutbox(const std::string& sink, int64_t after_seq,
                                 const std::function<bool(OutboxEntry&&)>& each) {
  WEFT_ASSIGN_OR_RETURN(Statement * stmt, Cached(sql::kScanOutbox));
  ResetOnExit reset(stmt);
  stmt->BindText(1, sink);
  stmt->BindInt(2, after_seq);
  while (true) {
    WEFT_ASSIGN_OR_RETURN(bool row, stmt->Step());
    if (!row) break;
    OutboxEntry entry;
    entry.seq = stmt->Int(0);
    entry.sink = stmt->Text(1);
    entry.view = stmt->Text(2);
    entry.write.collection = stmt->Text(3);
    if (!change::DecodeValue(stmt->Blob(4), &entry.write.id)) {
      return core::Corruption("outbox entry " + std::to_string(entry.seq) + " of state file " + path_ +
                              " has an undecodable _id");
    }
    entry.write.id_key = stmt->Text(5);
    if (!stmt->IsNull(6)) {
      entry.encoded_doc = stmt->Blob(6);
      // No encoding is empty: an empty one must not pass for a delete.
      if (entry.encoded_doc.empty()) {
        return core::Corruption("outbox entry " + std::to_string(entry.seq) + " of state file " + path_ +
                                " has an undecodable document");
      }
    }
    entry.write.seq = entry.seq;
    if (!each(std::move(entry))) break;
  }
  return core::Status::Ok();
}

core::Status StateDb::RemoveOutbox(const std::vector<int64_t>& seqs) {
  if (seqs.empty()) return core::Status::Ok();
  ImplicitTransaction txn(this);
  WEFT_RETURN_IF_ERROR(txn.Begin());
  WEFT_ASSIGN_OR_RETURN(Statement * stmt, Cached(sql::kRemoveOutbox));
  // One range delete per run of consecutive seqs: an acknowledged batch is mostly one run, and a
  // statement per entry cost as much as writing the batch (a snapshot acknowledges 100,000s). A run
  // holds only listed seqs, so nothing unlisted is removed.
  std::vector<int64_t> sorted(seqs);
  std::sort(sorted.begin(), sorted.end());
  for (size_t i = 0; i < sorted.size();) {
    size_t j = i;
    while (j + 1 < sorted.size() && sorted[j + 1] <= sorted[j] + 1) ++j;
    stmt->BindInt(1, sorted[i]);
    stmt->BindInt(2, sorted[j]);
    WEFT_RETURN_IF_ERROR(stmt->Run());
    i = j + 1;
  }
  return txn.Commit();
}

core::Result<int64_t> StateDb::OutboxDepth() {
  WEFT_ASSIGN_OR_RETURN(Statement * stmt, Cached(sql::kOutboxDepth));
  ResetOnExit reset(stmt);
  WEFT_ASSIGN_OR_RETURN(bool row, stmt->Step());
  return row ? stmt->Int(0) : int64_t{0};
}

core::Result<std::map<std::string, int64_t>> StateDb::OutboxDepthByView() {
  WEFT_ASSIGN_OR_RETURN(Statement * stmt, Cached(sql::kOutboxDepthByView));
  ResetOnExit reset(stmt);
  std::map<std::string, int64_t> depths;
  while (true) {
    WEFT_ASSIGN_OR_RETURN(bool row, stmt->Step());
    if (!row) break;
    depths[std::string(stmt->Text(0))] = stmt->Int(1);
  }
  return depths;
}

core::Status StateDb::AddDeadLetter(const DeadLetter& letter) {
  WEFT_ASSIGN_OR_RETURN(Statement * stmt, Cached(sql::kAddDeadLetter));
  stmt->BindText(1, letter.view);
  stmt->BindText(2, letter.id_key);
  stmt->BindText(3, letter.reason);
  stmt->BindInt(4, letter.time_ms);
  return stmt->Run();
}

core::Result<int64_t> StateDb::DeadLetterCount(const std::string& view) {
  WEFT_ASSIGN_OR_RETURN(Statement * stmt, Cached(sql::kDeadLetterCount));
  ResetOnExit reset(stmt);
  stmt->BindText(1, view);
  WEFT_ASSIGN_OR_RETURN(bool row, stmt->Step());
  return row ? stmt->Int(0) : int64_t{0};
}

core::Result<std::vector<DeadLetter>> StateDb::LatestDeadLetters(const std::string& view, int64_t n) {
  WEFT_ASSIGN_OR_RETURN(Statement * stmt, Cached(sql::kLatestDeadLetters));
  ResetOnExit reset(stmt);
  stmt->BindText(1, view);
  stmt->BindInt(2, n);
  std::vector<DeadLetter> letters;
  while (true) {
    WEFT_ASSIGN_OR_RETURN(bool row, stmt->Step());
    if (!row) break;
    letters.push_back({view, std::string(stmt->Text(0)), std::string(stmt->Text(1)), stmt->Int(2)});
  }
  return letters;
}

core::Result<std::optional<std::string>> StateDb::GetMeta(const std::string& key) {
  WEFT_ASSIGN_OR_RETURN(Statement * stmt, Cached(sql::kGetMeta));
  ResetOnExit reset(stmt);
  stmt->BindText(1, key);
  WEFT_ASSIGN_OR_RETURN(bool row, stmt->Step());
  if (!row) return std::optional<std::string>();
  return std::optional<std::string>(std::string(stmt->Text(0)));
}

core::Status StateDb::SetMeta(const std::string& key, const std::string& value) {
  WEFT_ASSIGN_OR_RETURN(Statement * stmt, Cached(sql::kSetMeta));
  stmt->BindText(1, key);
  stmt->BindText(2, value);
  return stmt->Run();
}

core::Result<std::optional<std::string>> StateDb::ReadMetaReadOnly(const std::string& path, const std::string& key) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return core::NotFound("state file " + path + " does not exist");
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READONLY, nullptr);
  std::unique_ptr<sqlite3, int (*)(sqlite3*)> db(raw, &sqlite3_close);
  if (rc != SQLITE_OK) return SqliteError(raw, rc, "open " + path + " read-only");
  sqlite3_busy_timeout(raw, 2000);
  WEFT_ASSIGN_OR_RETURN(Statement stmt, Statement::Prepare(raw, sql::kGetMeta));
  stmt.BindText(1, key);
  WEFT_ASSIGN_OR_RETURN(bool row, stmt.Step());
  if (!row) return std::optional<std::string>();
  return std::optional<std::string>(std::string(stmt.Text(0)));
}

core::Result<std::optional<DocHash>> StateDb::GetDocHash(const std::string& view, const std::string& id_key) {
  WEFT_ASSIGN_OR_RETURN(Statement * stmt, Cached(sql::kGetDocHash));
  ResetOnExit reset(stmt);
  stmt->BindText(1, view);
  stmt->BindText(2, id_key);
  WEFT_ASSIGN_OR_RETURN(bool row, stmt->Step());
  if (!row) return std::optional<DocHash>();
  return std::optional<DocHash>(DocHash{static_cast<uint64_t>(stmt->Int(0)), static_cast<uint64_t>(stmt->Int(1))});
}

core::Status StateDb::SetDocHash(const std::string& view, const std::string& id_key, const DocHash& hash) {
  WEFT_ASSIGN_OR_RETURN(Statement * stmt, Cached(sql::kSetDocHash));
  stmt->BindText(1, view);
  stmt->BindText(2, id_key);
  stmt->BindInt(3, static_cast<int64_t>(hash.h1));
  stmt->BindInt(4, static_cast<int64_t>(hash.h2));
  return stmt->Run();
}

core::Result<bool> StateDb::ReplaceDocHash(const std::string& view, const std::string& id_key, const DocHash& hash) {
  WEFT_ASSIGN_OR_RETURN(Statement * stmt, Cached(sql::kReplaceDocHash));
  stmt->BindText(1, view);
  stmt->BindText(2, id_key);
  stmt->BindInt(3, static_cast<int64_t>(hash.h1));
  stmt->BindInt(4, static_cast<int64_t>(hash.h2));
  WEFT_RETURN_IF_ERROR(stmt->Run());
  return sqlite3_changes(db_.get()) > 0;  // the upsert's WHERE leaves an equal hash untouched
}

core::Status StateDb::ClearDocHash(const std::string& view, const std::string& id_key) {
  WEFT_ASSIGN_OR_RETURN(Statement * stmt, Cached(sql::kClearDocHash));
  stmt->BindText(1, view);
  stmt->BindText(2, id_key);
  return stmt->Run();
}

core::Status StateDb::ClearDocHashes(const std::string& view) {
  WEFT_ASSIGN_OR_RETURN(Statement * stmt, Cached(sql::kClearDocHashes));
  stmt->BindText(1, view);
  return stmt->Run();
}

core::Result<bool> StateDb::HasDocHashes(const std::string& view) {
  WEFT_ASSIGN_OR_RETURN(Statement * stmt, Cached(sql::kHasDocHashes));
  ResetOnExit reset(stmt);
  stmt->BindText(1, view);
  return stmt->Step();
}

}  // namespace weft::state
