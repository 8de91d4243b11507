#pragma once
// The source interface: what the pipeline, `weft tail` and `weft verify` see of a database, whatever
// its dialect (MySQL/MariaDB binlog in source/mysql/, PostgreSQL logical replication in
// source/postgres/). A source is a stream of SourceBatch values delivered on the libuv loop thread.
// Each implementation does its blocking work (consistent snapshot, replication fetch, decoding,
// reconnects with capped back-off) on a dedicated reader thread and hands batches over through a
// bounded queue + uv_async_send, so the loop never blocks and a slow consumer slows the reader.
//
// Order of delivery for StartFrom::kSnapshot:
//   kSnapshotRows* (op 'r' changes, table by table)
//   kSnapshotDone  (offset = the position the snapshot is consistent with)
//   kTransaction*  (changes after that position)
// For kNow / kOffset only kTransaction batches (and kDdl changes inside them) arrive.
//
// Offsets are opaque tokens to everyone but the source that made them: the pipeline stores the
// offset of the last batch it applied and hands it back in StartFrom::kOffset.
//
// Schema changes arrive as a kDdl change in a transaction of its own; EffectOf says, without any
// dialect, which of the source's tables it may have changed (the pipeline re-reads the source when
// one of them is a view's).

#include <uv.h>

#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "change/change.h"
#include "config/config.h"
#include "core/status.h"

namespace weft::source {

struct SourceBatch {
  enum class Kind { kSnapshotRows, kSnapshotDone, kTransaction };
  Kind kind = Kind::kTransaction;
  // kSnapshotRows: a chunk of one table's rows. kTransaction: a source transaction, or a part of one
  // (see transaction_end). A DDL statement is a transaction of its own, with one kDdl change. May
  // be empty when only the offset moved (a heartbeat or a transaction on a table weft does not
  // capture).
  std::vector<change::Change> changes;
  // Resume token for "right after this batch". Empty for kSnapshotRows, and for a kTransaction part
  // that is not the transaction's last (transaction_end false): a batch that ends mid-transaction
  // is never a resumable point.
  std::string offset;
  // kTransaction: false while more parts of the same source transaction follow. A transaction with
  // more row changes than SourceOptions::max_batch_changes arrives in parts, so that memory is
  // bounded by configuration, not by the size of a source transaction.
  bool transaction_end = true;
  // kSnapshotRows: progress of the table being read.
  std::string table;
  uint64_t table_rows_done = 0;
  uint64_t table_rows_estimate = 0;  // the catalog's row estimate at snapshot start
  // What the reader says about the stream, for the status figures; a batch may carry only this
  // (no changes, no offset). kConnected: the stream (re)opened. kCaughtUp: the server had nothing
  // more to send: everything up to its log end has been delivered. kReconnecting: the connection
  // was lost; the reader retries with back-off.
  enum class Signal { kNone, kConnected, kCaughtUp, kReconnecting };
  Signal signal = Signal::kNone;
  // How far the source's log is ahead of this batch, in bytes, when the source knows it (PostgreSQL:
  // the server's WAL end minus this batch's LSN); -1 when unknown.
  int64_t lag_bytes = -1;
};

// Roughly the heap a batch holds: its changes, their row images and the strings that outgrow the
// small-string buffer. For the queue's byte bound (SourceOptions::queue_bytes); a walk over the
// values, cheap next to decoding them.
inline size_t ApproxBytes(const SourceBatch& batch) {
  auto text = [](const std::string& s) { return s.capacity() > 15 ? s.capacity() + 1 : 0; };
  auto image = [&](const change::RowImage& row) {
    size_t n = row.values.capacity() * sizeof(change::Value) + row.present.capacity() / 8;
    for (const change::Value& v : row.values) {
      switch (v.kind()) {
        case change::ValueKind::kDecimal:
        case change::ValueKind::kString:
        case change::ValueKind::kBytes:
        case change::ValueKind::kDate:
        case change::ValueKind::kDateTime:
        case change::ValueKind::kTime:
        case change::ValueKind::kJson:
          n += text(v.text());
          break;
        default:
          break;
      }
    }
    return n;
  };
  size_t n = batch.changes.capacity() * sizeof(change::Change) + text(batch.offset);
  for (const change::Change& c : batch.changes) {
    n += image(c.before) + image(c.after) + text(c.offset) + text(c.statement) + text(c.source.name) +
         text(c.source.db) + text(c.source.table) + text(c.source.gtid) + text(c.source.file) + text(c.source.lsn);
  }
  return n;
}

struct StartFrom {
  enum class Mode { kSnapshot, kNow, kOffset };
  Mode mode = Mode::kSnapshot;
  std::string offset;  // kOffset: a token from a SourceBatch of the same source
};

// The default byte bound of the reader-to-loop queue (SourceOptions::queue_bytes).
inline constexpr size_t kDefaultQueueBytes = 16u << 20;

struct SourceOptions {
  // Tables to capture; empty means config.tables, and when that is empty too, every table of
  // config.database. Changes to other tables are skipped (their transactions still move the offset).
  std::vector<std::string> tables;
  // Row changes in flight between the reader thread and the loop (a batch weighs its changes, at
  // least 1). The loop applies whatever has arrived as one group, so while it is behind (a catch-up)
  // groups grow towards this bound and a document touched many times is rebuilt once per group.
  size_t queue_capacity = 8192;
  // And the bytes those changes hold (ApproxBytes), so that wide rows mean fewer changes in flight,
  // not more memory. 0: no byte bound.
  size_t queue_bytes = kDefaultQueueBytes;
  // The most row changes one kTransaction batch holds; a larger source transaction arrives in parts
  // (SourceBatch::transaction_end). Parts of 1,024 rather than 4,096 changes: the part being read,
  // the parts queued and the group being applied hold fewer changes at once (peak RSS through one
  // 1,000,000-change transaction, tests/bench/big-transaction.sh), at the same speed.
  size_t max_batch_changes = 1024;
  // False when nobody will resume from this source's offsets (`weft run --oneshot`): a source that
  // keeps server-side state for resuming (a PostgreSQL replication slot) then keeps it only for the
  // life of its connection, so nothing is left behind holding the server's log.
  bool resumable = true;
};

// What a schema change did, as far as the views care: which tables of the source's database may
// have changed their columns, keys or rows.
struct SchemaEffect {
  std::vector<std::string> tables;  // in statement order, each once
  bool whole_database = false;      // every table (MySQL's DROP DATABASE)
  bool empty() const { return tables.empty() && !whole_database; }
};

// The base tables of the source's database (or schema) and their columns in table order.
struct SourceCatalog {
  std::string database;
  std::map<std::string, std::vector<std::string>> tables;
  // Tables with neither a primary key nor a unique key over NOT NULL columns: weft keys their rows
  // by all their columns, so identical rows are one document (`weft check` reports such a root).
  std::set<std::string> keyless;
};

class Source {
 public:
  using BatchHandler = std::function<void(SourceBatch&& batch)>;
  // Called once, on the loop thread, when the reader stops for good: Aborted after Stop(), or the
  // error that stopped it (lost position with on_lost_position = "fail", a bad server setting, ...).
  using StoppedHandler = std::function<void(const core::Status& why)>;

  virtual ~Source() = default;  // stops and joins the reader thread

  // Loop thread. Connects and checks the server (same checks as `weft check`) before returning, so
  // a misconfigured server is refused with the documented message; then starts the reader thread.
  // An error returned here means no handler is ever called.
  virtual core::Status Start(const StartFrom& from, BatchHandler on_batch, StoppedHandler on_stopped) = 0;
  // Loop thread. While paused no batch is delivered; the reader blocks once the queue is full.
  virtual void Pause() = 0;
  virtual void Resume() = 0;
  // Any thread. Idempotent.
  virtual void Stop() = 0;
  // Pure, any thread: the tables of this source's database a kDdl change of this source touches.
  virtual SchemaEffect EffectOf(const change::Change& ddl) const = 0;
  // Loop thread: `offset` (one this source delivered) is now durably committed in the state, so the
  // source may let its server forget what comes before it (PostgreSQL confirms it to the slot).
  // Called by the pipeline right after each group commit.
  virtual void Committed(const std::string& offset) {}
};

// Makes the source `config.kind` names (defined in cli/source_factory.cpp, where every kind is
// linked). Errors: InvalidArgument for an unknown kind.
core::Result<std::unique_ptr<Source>> MakeSource(const config::SourceConfig& config, SourceOptions options,
                                                 uv_loop_t* loop);
using SourceFactory = std::function<core::Result<std::unique_ptr<Source>>(const config::SourceConfig& config,
                                                                          SourceOptions options, uv_loop_t* loop)>;

// Connects with `config` and reads its catalog (needs only read access to the catalog). Blocks.
// Errors: the connection's (Unavailable, FailedPrecondition) or a failed query.
core::Result<SourceCatalog> LoadCatalog(const config::SourceConfig& config);
using CatalogLoader = std::function<core::Result<SourceCatalog>(const config::SourceConfig& config)>;

}  // namespace weft::source
