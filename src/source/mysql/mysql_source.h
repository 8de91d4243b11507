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

#include <memory>
#include <string>

#include "config/config.h"
#include "core/status.h"
#include "source/source.h"

namespace weft::source::mysql {

// The dialect-free types, under the names the MySQL code has always used.
using source::SourceBatch;
using source::SourceOptions;
using source::StartFrom;

class MysqlSource final : public Source {
 public:
  MysqlSource(config::SourceConfig config, SourceOptions options, uv_loop_t* loop);
  ~MysqlSource() override;  // stops and joins the reader thread
  MysqlSource(const MysqlSource&) = delete;
  MysqlSource& operator=(const MysqlSource&) = delete;

  // Loop thread. Connects and checks the server (same checks as `weft check`) before returning, so
  // a misconfigured server is refused with the documented message; then starts the reader thread.
  core::Status Start(const StartFrom& from, BatchHandler on_batch, StoppedHandler on_stopped) override;
  // Loop thread. While paused no batch is delivered; the reader blocks once the queue is full.
  void Pause() override;
  void Resume() override;
  // Any thread. Idempotent.
  void Stop() override;
  // The tables a binlog schema statement touches (sql/ddl_statement.h), of config.database.
  SchemaEffect EffectOf(const change::Change& ddl) const override;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace weft::source::mysql
