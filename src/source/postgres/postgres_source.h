#pragma once
// PostgresSource: one PostgreSQL database (one schema) as a stream of SourceBatch values, through
// logical replication with the built-in pgoutput plugin. A dedicated reader thread does the
// blocking libpq work and hands batches to the loop thread through loop::HandoffQueue (bounded:
// a slow consumer slows the reader).
//
// StartFrom::kSnapshot: make sure the publication (FOR TABLE the captured tables) exists, drop the
//   slot if it exists (an interrupted snapshot restarts cleanly), CREATE_REPLICATION_SLOT ...
//   EXPORT_SNAPSHOT, read the tables on a second connection in that snapshot (sql/snapshot.h),
//   kSnapshotDone at the slot's consistent point, then stream from it.
// StartFrom::kOffset: the slot must still exist and must not have been confirmed past the offset;
//   otherwise the position is lost: on_lost_position = "fail" stops with DataLoss saying what
//   happened and what to run, "resnapshot" takes a new snapshot. Never the newest position.
// StartFrom::kNow (`weft tail --from now`), and any start when !SourceOptions::resumable
//   (`weft run --oneshot`): a TEMPORARY slot of its own (dropped when the connection ends), so it
//   never disturbs the slot `weft run` reads and leaves nothing behind that holds WAL.
// A lost connection (server restart, pg_terminate_backend) reconnects with capped back-off and
// resumes after the last transaction delivered. The slot is confirmed only up to what the
// pipeline reports committed (Committed), so a crash loses nothing.
//
// Threads: as source::Source.

#include <uv.h>

#include <memory>
#include <string>

#include "config/config.h"
#include "core/status.h"
#include "source/source.h"

namespace weft::source::postgres {

class PostgresSource final : public Source {
 public:
  PostgresSource(config::SourceConfig config, SourceOptions options, uv_loop_t* loop);
  ~PostgresSource() override;
  PostgresSource(const PostgresSource&) = delete;
  PostgresSource& operator=(const PostgresSource&) = delete;

  core::Status Start(const StartFrom& from, BatchHandler on_batch, StoppedHandler on_stopped) override;
  void Pause() override;
  void Resume() override;
  void Stop() override;
  // A Relation change or a TRUNCATE names its tables (replication/transaction_builder.h).
  SchemaEffect EffectOf(const change::Change& ddl) const override;
  void Committed(const std::string& offset) override;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace weft::source::postgres
