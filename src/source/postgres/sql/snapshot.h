#pragma once
// The consistent snapshot: every row of the captured tables as op 'r' changes, read on a second
// connection inside the snapshot the slot exported when it was created (BEGIN ISOLATION LEVEL
// REPEATABLE READ; SET TRANSACTION SNAPSHOT '...'), so the rows are exactly those committed before
// the slot's consistent point and the stream continues from there with no gap and no duplicate.
// The catalog (types and table shapes) is read in the same snapshot: it is what the rows have.
//
// Each table streams through a cursor (FETCH FORWARD chunk_rows): memory holds one chunk.
// Reader thread. Interrupter::Cancel() aborts it promptly.

#include <functional>
#include <string>
#include <vector>

#include "config/config.h"
#include "core/status.h"
#include "source/postgres/replication/lsn.h"
#include "source/postgres/sql/catalog.h"
#include "source/postgres/sql/pg_connection.h"
#include "source/source.h"

namespace weft::source::postgres {

struct SnapshotResult {
  TypeRegistryPtr types;
  PgTables tables;
};

// Emits kSnapshotRows batches (one or more per table, one empty batch for an empty table);
// the caller emits kSnapshotDone. `emit` returning false gives Aborted.
core::Result<SnapshotResult> RunSnapshot(const config::SourceConfig& config, const std::vector<std::string>& tables,
                                         const std::string& snapshot_name, Lsn consistent_point, size_t chunk_rows,
                                         Interrupter* interrupter, const std::function<bool(SourceBatch&&)>& emit);

// The SELECT list that gives every column in the text form decode/text_value.h reads.
std::string SelectList(const PgConnection& conn, const change::TableSchema& schema);

}  // namespace weft::source::postgres
