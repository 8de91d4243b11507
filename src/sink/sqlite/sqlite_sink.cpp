#include "sink/sqlite/sqlite_sink.h"

#include <optional>
#include <string_view>
#include <utility>

#include "change/json_parse.h"
#include "core/log.h"

namespace weft::sink::sqlite {
namespace {

// "orderSingleView" -> "\"orderSingleView\"": any collection name is a valid table name this way.
std::string QuoteIdent(const std::string& name) {
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

// The "_id" of a document as weft renders it (change::ToJson puts "_id" first, without spaces):
// only that value is parsed, not the whole document. The reconciliation after a snapshot scans every
// document of a collection, and a full parse cost more than the scan itself. nullopt when the text
// does not start that way (a document written by something else): the caller parses it whole.
std::optional<change::Value> LeadingId(std::string_view doc) {
  constexpr std::string_view kPrefix = "{\"_id\":";
  if (doc.substr(0, kPrefix.size()) != kPrefix) return std::nullopt;
  size_t begin = kPrefix.size(), i = begin;
  int depth = 0;
  bool in_string = false;
  for (; i < doc.size(); ++i) {
    char c = doc[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      ++depth;
    } else if (c == '}' || c == ']') {
      if (depth == 0) break;
      --depth;
    } else if (c == ',' && depth == 0) {
      break;
    }
  }
  if (i >= doc.size()) return std::nullopt;
  auto parsed = change::ParseJsonValue(doc.substr(begin, i - begin));
  if (!parsed.ok()) return std::nullopt;
  return std::move(*parsed);
}

bool IsBusy(int rc) {
  int primary = rc & 0xff;
  return primary == SQLITE_BUSY || primary == SQLITE_LOCKED;
}

}  // namespace

core::Result<std::unique_ptr<SqliteSink>> SqliteSink::Create(const config::SinkConfig& config,
                                                             SqliteSinkOptions options) {
  if (config.path.empty()) {
    return core::InvalidArgument((config.location.file.empty() ? std::string() : config.location.ToString() + ": ") +
                                 "sink " + config.name + ": kind = \"sqlite\" needs path = \"docs.db\"");
  }
  return std::unique_ptr<SqliteSink>(new SqliteSink(config.name, config.path, options));
}

core::Status SqliteSink::Fail(int rc, const std::string& what) {
  std::string message = what + " on " + path_ + ": " + (db_ ? sqlite3_errmsg(db_.get()) : sqlite3_errstr(rc));
  int primary = rc & 0xff;
  if (IsBusy(rc)) return core::Unavailable(message + " (another connection holds the file's lock; retrying later)");
  // A full disk or an I/O error may pass; the batch stays queued in the outbox meanwhile.
  if (primary == SQLITE_FULL || primary == SQLITE_IOERR) return core::Unavailable(message);
  return core::Internal(message);
}

core::Status SqliteSink::Exec(const char* sql) {
  char* err = nullptr;
  int rc = sqlite3_exec(db_.get(), sql, nullptr, nullptr, &err);
  sqlite3_free(err);
  if (rc != SQLITE_OK) return Fail(rc, std::string("\"") + sql + "\"");
  return core::Status::Ok();
}

core::Status SqliteSink::Open() {
  statements_.clear();
  db_.reset();
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(path_.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                           nullptr);
  DbPtr db(raw);
  if (rc != SQLITE_OK) {
    return core::FailedPrecondition("cannot open the SQLite sink file " + path_ + ": " +
                                    (raw ? sqlite3_errmsg(raw) : sqlite3_errstr(rc)) +
                                    " (does its directory exist, and may weft write there?)");
  }
  sqlite3_busy_timeout(db.get(), options_.busy_timeout_ms);
  db_ = std::move(db);
  // journal_mode returns the mode in effect; anything but "wal" (a read-only file system, say)
  // would block readers while weft writes.
  sqlite3_stmt* raw_stmt = nullptr;
  rc = sqlite3_prepare_v2(db_.get(), "PRAGMA journal_mode=WAL", -1, &raw_stmt, nullptr);
  StmtPtr stmt(raw_stmt);
  if (rc == SQLITE_OK) rc = sqlite3_step(stmt.get());
  if (rc != SQLITE_ROW) {
    core::Status status = Fail(rc, "setting WAL mode");
    db_.reset();
    return status;
  }
  std::string mode = reinterpret_cast<const char*>(sqlite3_column_text(stmt.get(), 0));
  stmt.reset();
  if (mode != "wal") {
    db_.reset();
    return core::FailedPrecondition("the SQLite sink file " + path_ + " cannot use WAL mode (journal_mode is " +
                                    mode + ")");
  }
  // SQLite's checkpoint every 4 MiB of WAL: 32 MiB bought no measurable snapshot speed, and each
  // such checkpoint (two syncs, up to 32 MiB rewritten) delays the writes behind it by tens of
  // milliseconds (latency p99 at 1,000 changes/s: 11 ms at 4 MiB, 47 ms at 32 MiB, with the state's).
  // The WAL file is cut back to 64 MiB after a checkpoint resets it.
  if (core::Status s = Exec("PRAGMA synchronous=FULL; PRAGMA wal_autocheckpoint=1000; "
                            "PRAGMA journal_size_limit=67108864");
      !s.ok()) {
    db_.reset();
    return s;
  }
  core::Logger(component()).Info("opened " + path_ + " (WAL)");
  return core::Status::Ok();
}

core::Result<SqliteSink::Statements*> SqliteSink::StatementsFor(const std::string& collection) {
  auto it = statements_.find(collection);
  if (it != statements_.end()) return &it->second;
  std::string table = QuoteIdent(collection);
  std::string create = "CREATE TABLE IF NOT EXISTS " + table + " (id TEXT PRIMARY KEY, doc TEXT NOT NULL)";
  WEFT_RETURN_IF_ERROR(Exec(create.c_str()));
  Statements statements;
  std::string upsert = "INSERT INTO " + table + " (id, doc) VALUES (?1, ?2) ON CONFLICT(id) DO UPDATE SET doc = excluded.doc";
  std::string remove = "DELETE FROM " + table + " WHERE id = ?1";
  for (auto [sql, out] : {std::pair{&upsert, &statements.upsert}, std::pair{&remove, &statements.remove}}) {
    sqlite3_stmt* raw = nullptr;
    int rc = sqlite3_prepare_v2(db_.get(), sql->c_str(), -1, &raw, nullptr);
    out->reset(raw);
    if (rc != SQLITE_OK) return Fail(rc, "preparing \"" + *sql + "\"");
  }
  return &statements_.emplace(collection, std::move(statements)).first->second;
}

core::Status SqliteSink::WriteInTransaction(const std::vector<DocumentWrite>& batch) {
  std::string doc_text;
  for (const DocumentWrite& write : batch) {
    WEFT_ASSIGN_OR_RETURN(Statements * statements, StatementsFor(write.collection));
    const std::string key = write.id_key.empty() ? IdKeyOf(write.id) : write.id_key;
    sqlite3_stmt* stmt = write.doc ? statements->upsert.get() : statements->remove.get();
    sqlite3_reset(stmt);
    sqlite3_bind_text(stmt, 1, key.data(), static_cast<int>(key.size()), SQLITE_TRANSIENT);
    if (write.doc) {
      doc_text = change::ToJson(*write.doc);
      sqlite3_bind_text(stmt, 2, doc_text.data(), static_cast<int>(doc_text.size()), SQLITE_TRANSIENT);
    }
    int rc = sqlite3_step(stmt);
    sqlite3_reset(stmt);
    if (rc != SQLITE_DONE) return Fail(rc, std::string(write.doc ? "upserting" : "deleting") + " " + key);
  }
  return core::Status::Ok();
}

core::Status SqliteSink::Write(const std::vector<DocumentWrite>& batch, std::vector<WriteResult>* results) {
  if (!db_) return core::FailedPrecondition("the SQLite sink is not open (Open() first)");
  results->assign(batch.size(), WriteResult{});
  // IMMEDIATE takes the write lock up front: a locked file fails here, before any work.
  WEFT_RETURN_IF_ERROR(Exec("BEGIN IMMEDIATE"));
  core::Status status = WriteInTransaction(batch);
  if (status.ok()) status = Exec("COMMIT");
  if (!status.ok()) {
    sqlite3_exec(db_.get(), "ROLLBACK", nullptr, nullptr, nullptr);
    // A rolled-back CREATE TABLE leaves prepared statements for a table that is gone.
    statements_.clear();
  }
  return status;
}

core::Status SqliteSink::Scan(const std::string& collection, const ScanCallback& each) {
  if (!db_) return core::FailedPrecondition("the SQLite sink is not open (Open() first)");
  sqlite3_stmt* raw = nullptr;
  int rc = sqlite3_prepare_v2(db_.get(), "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1", -1, &raw,
                              nullptr);
  StmtPtr exists(raw);
  if (rc != SQLITE_OK) return Fail(rc, "looking up table " + collection);
  sqlite3_bind_text(exists.get(), 1, collection.data(), static_cast<int>(collection.size()), SQLITE_TRANSIENT);
  rc = sqlite3_step(exists.get());
  if (rc == SQLITE_DONE) return core::Status::Ok();  // never written: no documents
  if (rc != SQLITE_ROW) return Fail(rc, "looking up table " + collection);

  std::string sql = "SELECT id, doc FROM " + QuoteIdent(collection) + " ORDER BY id";
  rc = sqlite3_prepare_v2(db_.get(), sql.c_str(), -1, &raw, nullptr);
  StmtPtr select(raw);
  if (rc != SQLITE_OK) return Fail(rc, "reading table " + collection);
  while ((rc = sqlite3_step(select.get())) == SQLITE_ROW) {
    auto text = [&](int col) {
      const char* p = reinterpret_cast<const char*>(sqlite3_column_text(select.get(), col));
      return std::string(p ? p : "", static_cast<size_t>(sqlite3_column_bytes(select.get(), col)));
    };
    std::string key = text(0);
    std::string doc = text(1);
    change::Value id = change::Value::String(key);
    if (auto leading = LeadingId(doc)) {
      id = std::move(*leading);
    } else if (auto parsed = change::ParseJsonValue(doc); parsed.ok()) {
      if (const change::Value* stored = parsed->Find("_id")) id = *stored;
    }
    each(id, key, doc);
  }
  if (rc != SQLITE_DONE) return Fail(rc, "reading table " + collection);
  return core::Status::Ok();
}

}  // namespace weft::sink::sqlite
