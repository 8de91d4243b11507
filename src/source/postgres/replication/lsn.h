#pragma once
// WAL positions (LSNs) and the offsets the PostgreSQL source hands the pipeline.
//
// An offset is "pg1;lsn=0/16B3748": resuming from it is START_REPLICATION at that LSN, so it
// continues with the first transaction that commits after it. A kTransaction batch's offset is its
// Commit message's end LSN; kSnapshotDone's is the slot's consistent point; an idle heartbeat's is
// the server's WAL end from a keepalive (every earlier commit was already delivered). A change
// inside a transaction carries the transaction's commit LSN: resuming from it replays that whole
// transaction (the state applies replays idempotently).
//
// Pure; any thread.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace weft::source::postgres {

using Lsn = uint64_t;

// "16/B374D848" (the server's pg_lsn text form).
std::string FormatLsn(Lsn lsn);
std::optional<Lsn> ParseLsn(std::string_view text);

std::string EncodeOffset(Lsn lsn);
// nullopt when `offset` is not one this source made.
std::optional<Lsn> DecodeOffset(std::string_view offset);

// Microseconds since 2000-01-01 (the protocol's timestamps) <-> milliseconds since 1970.
inline constexpr int64_t kPgEpochOffsetUs = 946684800LL * 1000000LL;
inline int64_t PgTimeToUnixMs(int64_t pg_us) { return (pg_us + kPgEpochOffsetUs) / 1000; }

}  // namespace weft::source::postgres
