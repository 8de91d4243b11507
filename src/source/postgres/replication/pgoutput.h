#pragma once
// The replication protocol's framing and pgoutput's logical messages (protocol version 1), parsed
// from the bytes PQgetCopyData returns. Pure; any thread; nothing here owns a buffer: string_views
// in a parsed message point into the bytes given to the parser.
//
// CopyData framing (walsender -> client):
//   'w' XLogData:        Int64 wal start, Int64 wal end, Int64 send time, then one pgoutput message
//   'k' keepalive:       Int64 wal end, Int64 send time, Byte1 reply requested
// Client -> walsender:
//   'r' standby status:  Int64 written, Int64 flushed, Int64 applied, Int64 client time, Byte1 reply
// pgoutput v1 messages (all integers big-endian, strings NUL-terminated):
//   'B' Begin:    Int64 final (commit) LSN, Int64 commit time, Int32 xid
//   'C' Commit:   Int8 flags, Int64 commit LSN, Int64 end LSN, Int64 commit time
//   'R' Relation: Int32 relid, String namespace, String name, Int8 replica identity, Int16 ncols,
//                 per column: Int8 flags (1 = part of the key), String name, Int32 type OID, Int32 typmod
//   'I' Insert:   Int32 relid, 'N', TupleData
//   'U' Update:   Int32 relid, ['K' | 'O', TupleData], 'N', TupleData
//   'D' Delete:   Int32 relid, 'K' | 'O', TupleData
//   'T' Truncate: Int32 nrels, Int8 options, Int32 relid * nrels
//   'Y' Type, 'O' Origin, 'M' Message: parsed as kOther (nothing weft needs)
//   TupleData:    Int16 ncols, per column 'n' (null) | 'u' (unchanged TOAST, no data) |
//                 't' Int32 len + text | 'b' Int32 len + binary

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "source/postgres/decode/pg_types.h"
#include "source/postgres/replication/lsn.h"

namespace weft::source::postgres {

struct RelationColumn {
  std::string name;
  Oid type = 0;
  int32_t typmod = -1;
  bool key = false;
};

struct RelationMessage {
  uint32_t relid = 0;
  std::string nspname;
  std::string relname;
  char replica_identity = 'd';  // d default (primary key), n nothing, f full, i index
  std::vector<RelationColumn> columns;
};

struct TupleColumn {
  char kind = 'n';        // 'n' null, 'u' unchanged TOAST (no data), 't' text, 'b' binary
  std::string_view data;  // 't'/'b'
};

struct PgOutputMessage {
  enum class Kind { kBegin, kCommit, kRelation, kInsert, kUpdate, kDelete, kTruncate, kOther };
  Kind kind = Kind::kOther;
  char tag = 0;
  // Begin: final_lsn, commit_time, xid. Commit: commit_lsn (= Begin's final_lsn), end_lsn,
  // commit_time.
  Lsn final_lsn = 0, commit_lsn = 0, end_lsn = 0;
  int64_t commit_time = 0;  // microseconds since 2000-01-01 UTC
  uint32_t xid = 0;
  RelationMessage relation;  // kRelation
  uint32_t relid = 0;        // kInsert/kUpdate/kDelete
  char old_kind = 0;         // kUpdate/kDelete: 'K' (key columns only), 'O' (whole old row), 0 (none)
  std::vector<TupleColumn> old_tuple, new_tuple;
  std::vector<uint32_t> truncate_relids;  // kTruncate
  uint8_t truncate_options = 0;
};

// DataCorruption-free parse: a message cut short or of an unknown shape is Corruption naming the
// tag and the byte offset.
core::Status ParsePgOutput(std::string_view data, PgOutputMessage* out);

struct CopyDataFrame {
  enum class Kind { kXLogData, kKeepalive, kOther };
  Kind kind = Kind::kOther;
  Lsn wal_start = 0;
  Lsn wal_end = 0;
  int64_t send_time = 0;
  bool reply_requested = false;
  std::string_view payload;  // kXLogData: the pgoutput message
};
core::Status ParseCopyData(std::string_view data, CopyDataFrame* out);

// The 'r' standby status update (34 bytes).
std::string StandbyStatus(Lsn written, Lsn flushed, Lsn applied, int64_t now_pg_us, bool reply_requested);

// Microseconds since 2000-01-01 now.
int64_t PgNow();

}  // namespace weft::source::postgres
