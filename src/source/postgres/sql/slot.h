#pragma once
// The logical replication slot weft reads through: look it up, create it (pgoutput, with an
// exported snapshot for the consistent snapshot handoff), drop it. Create and drop are walsender
// commands: they need a replication connection (PgConnection::Open(..., replication = true)).
// Blocks on the connection; one thread.

#include <optional>
#include <string>

#include "core/status.h"
#include "source/postgres/replication/lsn.h"
#include "source/postgres/sql/pg_connection.h"

namespace weft::source::postgres {

struct SlotInfo {
  Lsn confirmed_flush = 0;  // what a client confirmed; the stream can start no earlier
  Lsn restart_lsn = 0;
  bool active = false;
  int active_pid = 0;
  std::string wal_status;  // reserved | extended | unreserved | lost
};

// nullopt when there is no slot of that name.
core::Result<std::optional<SlotInfo>> ReadSlot(PgConnection& conn, const std::string& slot);

struct CreatedSlot {
  Lsn consistent_point = 0;   // the stream starts here; the exported snapshot sees exactly what
                              // committed before it
  std::string snapshot_name;  // valid until the next command on the same connection
};

// CREATE_REPLICATION_SLOT "slot" [TEMPORARY] LOGICAL pgoutput EXPORT_SNAPSHOT | NOEXPORT_SNAPSHOT.
// Without the REPLICATION attribute the error says ALTER ROLE ... REPLICATION.
core::Result<CreatedSlot> CreateSlot(PgConnection& repl, const std::string& user, const std::string& slot,
                                     bool temporary, bool export_snapshot);

// DROP_REPLICATION_SLOT "slot" WAIT (waits for a walsender still using it to let go). Ok when the
// slot does not exist.
core::Status DropSlot(PgConnection& repl, const std::string& slot);

}  // namespace weft::source::postgres
