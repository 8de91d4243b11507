#pragma once
// Change: one row change (or one schema change) in the shape of seed 004:
//   {"op":"u","ts":1732184400000,"type":"dml","offset":"...","source":{...},
//    "key":{...},"before":{...},"after":{...},"patch":{"$set":{...},"$unset":{}}}
// Produced by a source thread, moved to the loop thread, never shared between threads.

#include <cstdint>
#include <string>
#include <vector>

#include "change/table_schema.h"
#include "change/value.h"

namespace weft::change {

enum class Op : char { kRead = 'r', kCreate = 'c', kUpdate = 'u', kDelete = 'd' };
enum class ChangeType : uint8_t { kDml, kDdl };

// One row image. values[i] belongs to schema->columns[i]. A partial image (binlog_row_image=MINIMAL
// or NOBLOB) marks the columns it does not carry in `present`; an empty `present` means all present.
struct RowImage {
  std::vector<Value> values;
  std::vector<bool> present;

  bool empty() const { return values.empty(); }
  bool Has(size_t column) const { return present.empty() || (column < present.size() && present[column]); }
};

struct SourceInfo {
  std::string connector = "mysql";
  std::string name;   // the [sources.NAME] of the config
  std::string db;
  std::string table;
  bool snapshot = false;
  std::string gtid;   // the transaction's GTID ("0-1-42"); empty for snapshot reads
  std::string file;   // binlog file of the transaction
  uint64_t pos = 0;   // binlog position of the event
  // PostgreSQL (connector "postgresql"): the table's schema, the WAL position of the transaction's
  // commit ("0/16B3748"; the consistent point for snapshot reads) and its transaction id (0 for
  // snapshot reads).
  std::string schema;
  std::string lsn;
  uint64_t txid = 0;
};

struct Change {
  ChangeType type = ChangeType::kDml;
  Op op = Op::kRead;
  int64_t ts_ms = 0;       // source commit time, ms since the epoch
  std::string offset;      // opaque resume token: resuming from it continues right after this change
  SourceInfo source;
  TableSchemaPtr schema;   // dml: the columns of before/after
  RowImage before;         // on kUpdate/kDelete
  RowImage after;          // on kRead/kCreate/kUpdate
  std::string statement;   // ddl: the statement text
  bool last_in_transaction = true;  // batches end only where this is true

  // The row image that identifies the row: after for r/c/u, before for d.
  const RowImage& KeyImage() const { return op == Op::kDelete ? before : after; }
};

// The record as one line of JSON (no trailing newline), as `weft tail` prints it.
void AppendChangeJson(const Change& change, std::string* out);
std::string ChangeToJson(const Change& change);

// {"order_id":"ORD789654"}: the primary-key columns of `image` (all columns when the table has no
// primary key).
Value KeyObject(const TableSchema& schema, const RowImage& image);
// The present columns of `image` as an object, in column order.
Value RowObject(const TableSchema& schema, const RowImage& image);

}  // namespace weft::change
