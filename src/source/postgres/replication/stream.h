#pragma once
// The replication stream of one slot: START_REPLICATION ... LOGICAL <lsn> (proto_version '1',
// publication_names), then CopyData frames until an error or Stop. XLogData frames go through
// pgoutput.h into the TransactionBuilder, which emits the batches. Standby status updates report
// written = what was received, flushed = applied = what the pipeline has committed
// (StreamFeedback::committed, never less than the slot's confirmed position at start), so the
// server keeps the WAL of anything weft could still lose; they are sent when the committed
// position moves, when the server asks (keepalive reply requested) and every 10 s.
//
// Idle slot: a keepalive outside a transaction whose WAL end is past the last delivered offset
// (every earlier commit was already delivered) becomes an empty kTransaction batch with that WAL
// end as its offset (at most one a second); once the pipeline commits it, it is confirmed, so a
// quiet database (or one busy only with tables weft does not capture) never keeps WAL for weft.
//
// Lag: every 5 s an empty batch carries lag_bytes = the server's WAL position minus the last
// delivered offset.
//
// Reader thread. Returns Unavailable when the connection is lost (the caller reconnects from
// *delivered), Aborted on Stop, Corruption for a message that cannot be decoded.

#include <atomic>
#include <functional>
#include <optional>
#include <string>

#include "core/status.h"
#include "source/postgres/replication/lsn.h"
#include "source/postgres/replication/transaction_builder.h"
#include "source/postgres/sql/pg_connection.h"
#include "source/source.h"

namespace weft::source::postgres {

struct StreamFeedback {
  std::atomic<Lsn> committed{0};  // set by the loop thread (Source::Committed)
};

struct StreamStart {
  std::string slot;
  std::string publication;
  Lsn start = 0;            // START_REPLICATION here (the server starts at max(this, confirmed))
  Lsn confirmed_floor = 0;  // the slot's confirmed_flush_lsn before the start
  // The server's current WAL position (pg_current_wal_lsn()), nullopt when unknown; polled every
  // 5 s for SourceBatch::lag_bytes (an empty batch carrying only that). Optional.
  std::function<std::optional<Lsn>()> server_wal_end;
};

core::Status RunStream(PgConnection& repl, const StreamStart& start, TransactionBuilder& builder,
                       StreamFeedback& feedback, const std::function<bool(SourceBatch&&)>& emit, Lsn* delivered);

}  // namespace weft::source::postgres
