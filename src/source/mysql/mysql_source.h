#pragma once
// MysqlSource: one MySQL/MariaDB source as a stream of SourceBatch values delivered on the libuv
// loop thread. A dedicated reader thread does the blocking work (consistent snapshot, binlog fetch,
// row decoding, reconnects with capped back-off) and hands batches over through a bounded queue +
// uv_async_send, so the loop never blocks and a slow consumer slows the reader (back-pressure).
//
// Order of delivery for StartFrom::kSnapshot:
//   kSnapshotRows* (op 'r' changes, table by table in primary-key order)
//   kSnapshotDone  (offset = the binlog position the snapshot is consistent with)
//   kTransaction*  (binlog changes after that position; one batch per source transaction)
// For kNow / kOffset only kTransaction batches (and kDdl changes inside them) arrive.

#include <uv.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "change/change.h"
#include "config/config.h"
#include "core/status.h"

namespace weft::source::mysql {

struct SourceBatch {
  enum class Kind { kSnapshotRows, kSnapshotDone, kTransaction };
  Kind kind = Kind::kTransaction;
  // kSnapshotRows: a chunk of one table's rows. kTransaction: one whole source transaction (a DDL
  // statement is a transaction of its own, with one kDdl change). May be empty when only the offset
  // moved (a heartbeat or a transaction on a table weft does not capture).
  std::vector<change::Change> changes;
  // Resume token for "right after this batch". Empty for kSnapshotRows.
  std::string offset;
  // kSnapshotRows: progress of the table being read.
  std::string table;
  uint64_t table_rows_done = 0;
  uint64_t table_rows_estimate = 0;  // information_schema.TABLES.TABLE_ROWS at snapshot start
  // What the reader says about the stream, for the status figures; a batch may carry only this
  // (no changes, no offset). kConnected: the binlog stream (re)opened. kCaughtUp: a heartbeat came
  // between transactions, so the server had nothing more to send: everything up to its binlog end
  // has been delivered. kReconnecting: the connection was lost; the reader retries with back-off.
  enum class Signal { kNone, kConnected, kCaughtUp, kReconnecting };
  Signal signal = Signal::kNone;
};

struct StartFrom {
  enum class Mode { kSnapshot, kNow, kOffset };
  Mode mode = Mode::kSnapshot;
  std::string offset;  // kOffset: a token from a Change or SourceBatch
};

struct SourceOptions {
  // Tables to capture; empty means config.tables, and when that is empty too, every table of
  // config.database. Changes to other tables are skipped (their transactions still move the offset).
  std::vector<std::string> tables;
  // Row changes in flight between the reader thread and the loop (a batch weighs its changes, at
  // least 1). The loop applies whatever has arrived as one group, so while it is behind (a catch-up)
  // groups grow towards this bound and a document touched many times is rebuilt once per group.
  size_t queue_capacity = 8192;
};

class MysqlSource {
 public:
  using BatchHandler = std::function<void(SourceBatch&& batch)>;
  // Called once, on the loop thread, when the reader stops for good: Aborted after Stop(), or the
  // error that stopped it (lost position with on_lost_position = "fail", a bad server setting, ...).
  using StoppedHandler = std::function<void(const core::Status& why)>;

  MysqlSource(config::SourceConfig config, SourceOptions options, uv_loop_t* loop);
  ~MysqlSource();  // stops and joins the reader thread
  MysqlSource(const MysqlSource&) = delete;
  MysqlSource& operator=(const MysqlSource&) = delete;

  // Loop thread. Connects and checks the server (same checks as `weft check`) before returning, so
  // a misconfigured server is refused with the documented message; then starts the reader thread.
  core::Status Start(const StartFrom& from, BatchHandler on_batch, StoppedHandler on_stopped);
  // Loop thread. While paused no batch is delivered; the reader blocks once the queue is full.
  void Pause();
  void Resume();
  // Any thread. Idempotent.
  void Stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace weft::source::mysql
