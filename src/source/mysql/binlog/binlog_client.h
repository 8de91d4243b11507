#pragma once
// The binlog reader loop of one source: BinlogStream + TransactionAssembler, reconnecting on
// connection loss with capped exponential back-off (0.5 s doubling to 30 s, each attempt logged as
// source.mysql:NAME) and resuming from the last delivered transaction, so nothing is lost or
// repeated across reconnects.
//
// For the status figures it emits an otherwise empty batch with Signal::kConnected after each
// (re)connect and with Signal::kReconnecting before each back-off.
//
// Reader thread; returns Aborted when the Interrupter is cancelled or `emit` returns false.

#include <chrono>
#include <functional>

#include "config/config.h"
#include "core/status.h"
#include "source/mysql/binlog/binlog_stream.h"
#include "source/mysql/sql/connection.h"
#include "source/mysql/mysql_source.h"
#include "source/mysql/binlog/position.h"
#include "source/mysql/sql/schema.h"

namespace weft::source::mysql {

struct BinlogClientOptions {
  StreamOptions stream;
  std::chrono::milliseconds min_backoff{500};
  std::chrono::milliseconds max_backoff{30000};
  size_t max_batch_changes = 4096;  // a bigger transaction is delivered in parts (source.h)
};

// Streams from `start` until stopped (Aborted), a fatal error (DataLoss: position purged;
// FailedPrecondition: a setting or grant; Corruption: undecodable event), or, with
// stream.non_blocking, the end of the binlog (Ok).
core::Status RunBinlog(const config::SourceConfig& config, const TableFilter& filter, const Position& start,
                       const BinlogClientOptions& options, Interrupter* interrupter,
                       const std::function<bool(SourceBatch&&)>& emit);

}  // namespace weft::source::mysql
