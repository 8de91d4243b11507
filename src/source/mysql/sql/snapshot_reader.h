#pragma once
// The consistent snapshot: every row of the captured tables as op 'r' changes, plus the binlog
// position the snapshot is consistent with, so the stream can start exactly there (no gap, no
// duplicate).
//
// MariaDB (no global lock):
//   SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ
//   START TRANSACTION WITH CONSISTENT SNAPSHOT
//   SHOW STATUS LIKE 'binlog_snapshot_%'        -> file, position of exactly that snapshot
//   SELECT BINLOG_GTID_POS(file, position)      -> the GTID state to resume from
// MySQL (no binlog_snapshot_* there): FLUSH TABLES WITH READ LOCK held only around START
// TRANSACTION WITH CONSISTENT SNAPSHOT + SHOW MASTER STATUS (SHOW BINARY LOG STATUS on 8.4+),
// then UNLOCK TABLES; the stream resumes by file:pos. (Untested here: Debian ships no MySQL.)
//
// Each table is read in primary-key order with mysql_use_result, streaming: memory holds one chunk,
// never a table. The session's net_write_timeout is raised to a day so that a consumer applying
// back-pressure cannot make the server drop the snapshot halfway. TIMESTAMPs are read in UTC.
//
// Reader thread. Interrupter::Cancel() aborts it promptly.

#include <functional>

#include "config/config.h"
#include "core/status.h"
#include "source/mysql/sql/connection.h"
#include "source/mysql/mysql_source.h"
#include "source/mysql/binlog/position.h"
#include "source/mysql/sql/schema.h"

namespace weft::source::mysql {

struct SnapshotOptions {
  size_t chunk_rows = 1000;  // rows per kSnapshotRows batch
};

// Emits kSnapshotRows batches (one or more per table, an empty one for an empty table) through
// `emit` and returns the position to stream from; the caller emits kSnapshotDone. `emit` returning
// false (consumer gone) gives Aborted.
core::Result<Position> RunSnapshot(const config::SourceConfig& config, const TableFilter& filter,
                                   const SnapshotOptions& options, Interrupter* interrupter,
                                   const std::function<bool(SourceBatch&&)>& emit);

// The current end of the binlog as a Position (`--from now`): SHOW MASTER STATUS, plus
// BINLOG_GTID_POS of it on MariaDB.
core::Result<Position> CurrentPosition(Connection& conn);

}  // namespace weft::source::mysql
