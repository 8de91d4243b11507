#pragma once
// TransactionAssembler: binlog events in, whole source transactions out (one SourceBatch each),
// with the offset bookkeeping of position.h.
//
// A transaction starts at a GTID event (MariaDB 162, MySQL 33/34/42) or a QUERY "BEGIN" and ends at
// XID, QUERY "COMMIT"/"ROLLBACK", or, for a MariaDB standalone GTID (FL_STANDALONE: DDL and other
// non-transactional statements), after its one statement. TABLE_MAP + rows events in between become
// Change records of the captured tables; a QUERY that is not BEGIN/COMMIT and concerns the
// captured database becomes a kDdl Change (and refreshes the JSON-column cache). A transaction is
// held in memory and delivered at its commit, its changes carrying the commit event's timestamp;
// one with more than max_part_changes changes is delivered in parts as it is read (so memory is
// bounded by that, not by the transaction): each part but the last has transaction_end = false,
// no batch offset, and its changes carry their rows event's timestamp.
//
// Offsets: change k (1-based) of a transaction of n changes gets
//   {file, pos of the transaction's start, skip = k, gtid = state before the transaction}
// except the last, which (like the batch) gets "after the transaction": {file, pos after the commit,
// skip = 0, gtid = state including it}. Starting from a Position with skip = s drops the first s
// changes of the first transaction, so a record's offset resumes right after that record.
// The changes of a part get inside offsets like the others (their last one's included), and
// resume_position() moves past each part, so a reconnect mid-transaction resumes right after it.
// Transactions with no captured change move the offset too: they produce an empty batch, at most
// one per second, so idle offsets stay fresh without flooding the consumer. Each heartbeat between
// transactions produces an empty batch with Signal::kCaughtUp (and the pending offset, if any).
//
// MySQL 8: a TRANSACTION_PAYLOAD's inner events are decoded as if top-level, with the payload's
// position (a restart never lands inside it); PARTIAL_UPDATE_ROWS decode to full after-images;
// GTID / GTID_TAGGED events name the record's gtid ("uuid:gno", "uuid:tag:gno") and, once the
// executed set is known (the start position's `gtids`, or the file's PREVIOUS_GTIDS), offsets carry
// it.
//
// One thread (the source's reader thread).

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <unordered_map>
#include <vector>

#include "change/change.h"
#include "core/status.h"
#include "source/mysql/binlog/binlog_event.h"
#include "source/mysql/binlog/mysql_gtid.h"
#include "source/mysql/mysql_source.h"
#include "source/mysql/binlog/position.h"
#include "source/mysql/sql/schema.h"
#include "source/mysql/decode/row_decoder.h"
#include "source/mysql/decode/table_map.h"

namespace weft::source::mysql {

class TransactionAssembler {
 public:
  // Returns false when the consumer is gone (stop).
  using Emit = std::function<bool(SourceBatch&& batch)>;
  // The JSON columns of a table of the captured database (JsonColumnCache::Get).
  using JsonColumns = std::function<core::Result<std::vector<std::string>>(const std::string& table)>;
  // Called after a DDL statement, so the JSON-column source can reload.
  using OnDdl = std::function<void()>;

  TransactionAssembler(std::string source_name, TableFilter filter, const Position& start, JsonColumns json_columns,
                       OnDdl on_ddl, Emit emit);

  // Feeds one event. Errors: Corruption (undecodable event), FailedPrecondition (an event type
  // weft cannot read, naming the server setting), Aborted (the consumer is gone), or the JSON
  // column lookup's error.
  core::Status OnEvent(const Event& event);

  // The most changes held before a part of the transaction is delivered; 0: no limit (whole
  // transactions only).
  void SetMaxPartChanges(size_t n) { max_part_changes_ = n; }

  // Emits the pending offset-only batch, if any (end of a non-blocking stream).
  core::Status FlushIdle();

  // Where to reconnect so that nothing already emitted repeats and nothing is lost: after the last
  // emitted transaction (or the start position, with its skip, until the first one completes).
  const Position& resume_position() const { return committed_; }

  uint64_t events() const { return events_; }
  uint64_t row_changes() const { return row_changes_; }

 private:
  struct CachedMap {
    std::string body;  // the TABLE_MAP body it was decoded from: identical bodies reuse the decode
    TableMap map;
    change::TableSchemaPtr schema;  // null when the table is not captured
    std::vector<ColumnCodec> codecs;  // made once per map, not per rows event (they point into map)
  };

  void BeginTransaction(const Event& event, bool has_gtid, const Gtid& gtid, const std::string& gtid_text,
                        bool standalone);
  core::Status Commit(const Event& event);
  // Delivers the changes held so far as a part of the open transaction (transaction_end false).
  core::Status EmitPart(const Event& event);
  // Gives tx_changes_ their timestamps, inside offsets and last_in_transaction (none is last
  // when `last` is false); the last one of a whole transaction gets `end_offset`.
  void StampChanges(int64_t ts_ms, bool last, const std::string& end_offset);
  // A heartbeat between transactions: a kCaughtUp batch (with the pending offset, if any).
  core::Status OnHeartbeat();
  core::Status OnQuery(const Event& event);
  core::Status OnTableMap(const Event& event);
  core::Status OnRows(const Event& event, RowsKind kind);
  // TRANSACTION_PAYLOAD_EVENT: inflates it and feeds its inner events to OnEvent.
  core::Status OnPayload(const Event& event);
  // Sets the MySQL GTID-set fields of `p` from the executed set (when known).
  void WithMysqlGtids(Position* p) const;
  // The next change of the transaction, appended empty for the caller to fill; nullptr when the
  // resume skips it.
  change::Change* NextChange();
  uint64_t EventStart(const Event& event) const;
  bool EmitBatch(SourceBatch&& batch);

  std::string source_name_;
  TableFilter filter_;
  JsonColumns json_columns_;
  OnDdl on_ddl_;
  Emit emit_;

  std::string file_;   // current binlog file
  uint64_t pos_ = 0;   // end of the last event seen
  bool gtid_mode_ = false;
  GtidState state_;    // after the last committed transaction
  Position committed_;
  uint64_t pending_skip_ = 0;

  bool in_tx_ = false;
  bool tx_standalone_ = false;
  bool tx_has_gtid_ = false;
  Gtid tx_gtid_;
  std::string tx_gtid_text_;
  Position tx_start_;
  uint64_t tx_index_ = 0;  // changes seen in the transaction, skipped ones included
  uint64_t tx_skip_ = 0;
  // The transaction's changes, moved into the batch whole at commit (no per-change copy), and
  // each one's 1-based position among the transaction's changes (skipped ones counted).
  std::vector<change::Change> tx_changes_;
  std::vector<uint64_t> tx_indexes_;
  size_t max_part_changes_ = 0;
  bool tx_parted_ = false;  // a part of the open transaction was delivered

  // MySQL GTIDs: the executed set (from the start position or the file's PREVIOUS_GTIDS) and the
  // open transaction's GTID.
  bool mysql_set_known_ = false;
  MysqlGtidSet mysql_set_;
  bool tx_has_mysql_gtid_ = false;
  MysqlGtid tx_mysql_gtid_;
  // Inside a TRANSACTION_PAYLOAD: the payload event's start and end stand for its inner events'.
  bool in_payload_ = false;
  uint64_t payload_start_ = 0;
  uint64_t payload_end_ = 0;
  std::string payload_scratch_;
  ServerFlavor flavor_ = ServerFlavor::kMariaDB;  // from the FORMAT_DESCRIPTION

  std::unordered_map<uint64_t, CachedMap> maps_;
  std::vector<DecodedRow> rows_scratch_;

  bool idle_dirty_ = false;
  std::chrono::steady_clock::time_point last_emit_;
  uint64_t events_ = 0;
  uint64_t row_changes_ = 0;
};

// The table a DDL statement names, best effort ("" when it is not a table statement):
// ALTER/CREATE/DROP/TRUNCATE/RENAME TABLE [IF [NOT] EXISTS] [db.]name -> name.
std::string DdlTableName(std::string_view statement);

}  // namespace weft::source::mysql
