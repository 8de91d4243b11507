#pragma once
// StateDb: weft's one SQLite file (WAL mode). It holds, per source, the committed offset; the table
// replicas the views need (see state/replica_store.h); the outbox of document writes not yet
// acknowledged by their sink; the hash of the last document written per (view, _id); the dead letters;
// and the last status figures. All SQL lives in state/state_sql.h.
//
// Threading: the loop thread owns the StateDb. The writer thread never touches it; it receives
// copies of outbox entries and reports acknowledgements back to the loop.

#include <sqlite3.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/status.h"
#include "sink/document_sink.h"
#include "state/sqlite_util.h"

namespace weft::state {

struct OutboxEntry {
  int64_t seq = 0;
  std::string sink;            // the [sinks.NAME] it goes to
  std::string view;
  sink::DocumentWrite write;   // write.seq == seq
  // change::EncodeValue(*write.doc) when the producer has it already (the view engine encodes each
  // document once, for its hash): AppendOutbox stores it instead of encoding again. Else empty.
  std::string encoded_doc;
};

// 128-bit hash of the last document written for one (view, id_key).
struct DocHash {
  uint64_t h1 = 0;
  uint64_t h2 = 0;
  friend bool operator==(const DocHash& a, const DocHash& b) { return a.h1 == b.h1 && a.h2 == b.h2; }
};

struct DeadLetter {
  std::string view;
  std::string id_key;
  std::string reason;
  int64_t time_ms = 0;
};

class StateDb {
 public:
  // Opens or creates the file (and its parent directory), sets WAL and creates the schema.
  static core::Result<std::unique_ptr<StateDb>> Open(const std::string& path);
  ~StateDb();
  StateDb(const StateDb&) = delete;
  StateDb& operator=(const StateDb&) = delete;

  sqlite3* handle() const { return db_.get(); }
  const std::string& path() const { return path_; }

  // One batch = one transaction: state changes, outbox appends and the offset commit together.
  core::Status Begin();
  core::Status Commit();
  void Rollback();
  // True between Begin and Commit/Rollback.
  bool InTransaction() const { return sqlite3_get_autocommit(db_.get()) == 0; }

  // Offsets per source. Empty optional when the source has never completed a snapshot.
  core::Result<std::optional<std::string>> GetOffset(const std::string& source);
  core::Status SetOffset(const std::string& source, const std::string& offset);
  // Forgets a source's offset and empties its replicas (resnapshot). The replica tables stay (their
  // prepared statements stay valid); the last-written document hashes stay too, since they describe
  // what the sinks hold (view::ViewEngine::Forget clears those).
  core::Status ResetSource(const std::string& source);

  // Outbox. Append assigns seq (monotonic) into each entry (entry.seq and entry.write.seq). The
  // outbox calls open their own transaction when called outside Begin/Commit.
  core::Status AppendOutbox(std::vector<OutboxEntry>* entries);
  // Up to `limit` oldest entries for `sink` with seq > after_seq, documents decoded (ScanOutbox's).
  core::Result<std::vector<OutboxEntry>> ReadOutbox(const std::string& sink, int64_t after_seq, size_t limit);
  // The entries for `sink` with seq > after_seq, oldest first, handed to `each` until it returns
  // false. The document is left encoded: write.doc stays empty and encoded_doc holds the stored bytes
  // (empty for a delete), so a reader that skips entries or decodes elsewhere pays nothing for them.
  // `each` must not use the StateDb.
  core::Status ScanOutbox(const std::string& sink, int64_t after_seq, const std::function<bool(OutboxEntry&&)>& each);
  core::Status RemoveOutbox(const std::vector<int64_t>& seqs);
  core::Result<int64_t> OutboxDepth();
  // Pending entries per view (views with none are absent), for the status figures at start.
  core::Result<std::map<std::string, int64_t>> OutboxDepthByView();

  core::Status AddDeadLetter(const DeadLetter& letter);
  core::Result<int64_t> DeadLetterCount(const std::string& view);
  // The newest `n` dead letters of `view`, newest first.
  core::Result<std::vector<DeadLetter>> LatestDeadLetters(const std::string& view, int64_t n);

  // Key/value store for small things (status figures, snapshot markers, schema versions).
  core::Result<std::optional<std::string>> GetMeta(const std::string& key);
  core::Status SetMeta(const std::string& key, const std::string& value);
  // One meta value read from a state file opened read-only, for a process that must not write it
  // (`weft status` while another weft may run). NotFound when the file does not exist.
  static core::Result<std::optional<std::string>> ReadMetaReadOnly(const std::string& path, const std::string& key);

  // Hash of the last document flushed per (view, id_key), for skipping unchanged rewrites.
  core::Result<std::optional<DocHash>> GetDocHash(const std::string& view, const std::string& id_key);
  core::Status SetDocHash(const std::string& view, const std::string& id_key, const DocHash& hash);
  // SetDocHash unless `hash` is the one stored, in one statement: true when it was stored (new or
  // different), false when the document equals the last one written.
  core::Result<bool> ReplaceDocHash(const std::string& view, const std::string& id_key, const DocHash& hash);
  core::Status ClearDocHash(const std::string& view, const std::string& id_key);
  core::Status ClearDocHashes(const std::string& view);
  core::Result<bool> HasDocHashes(const std::string& view);

  // Checkpoint interval of the WAL: every 32 MiB while a snapshot bulk-loads replicas (a checkpoint
  // copies the newest version of each page once, however many commits rewrote it; at 4 MiB the
  // same table pages were copied over and over), SQLite's 4 MiB otherwise (a 32 MiB checkpoint
  // stalls the loop for tens of milliseconds: latency p99 at 1,000 changes/s went 11 -> 47 ms).
  core::Status SetBulkWrites(bool bulk);

  // The statement for `sql`, prepared on first use and kept for the life of the StateDb (for the
  // state module: replica_store.cpp). The caller resets it after use (ResetOnExit).
  core::Result<Statement*> Cached(std::string_view sql);

 private:
  StateDb(SqliteDb db, std::string path) : db_(std::move(db)), path_(std::move(path)) {}
  core::Status Exec(std::string_view sql);

  // db_ is declared first so it is destroyed last, after the statements it prepared.
  SqliteDb db_;
  // Looked up by string_view (no std::string made per lookup: Cached runs several times per change).
  struct SqlHash {
    using is_transparent = void;
    size_t operator()(std::string_view sql) const { return std::hash<std::string_view>{}(sql); }
  };
  std::unordered_map<std::string, std::unique_ptr<Statement>, SqlHash, std::equal_to<>> statements_;
  std::string path_;
};

}  // namespace weft::state
