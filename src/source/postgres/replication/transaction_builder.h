#pragma once
// TransactionBuilder: pgoutput messages -> SourceBatch values on transaction boundaries.
//
//   Begin .. Commit         one kTransaction batch (offset = the Commit's end LSN), or parts of at
//                           most max_batch_changes changes (transaction_end false, no offset) and
//                           the last part with the offset
//   Insert / Update / Delete of a captured table: a change (op c / u / d). Columns pgoutput marks
//                           unchanged TOAST ('u': a large value the update did not touch, sent
//                           without data) are left out of the image (RowImage::present): the state
//                           keeps the value it holds (view/rows.cpp StoredRow merges partial images
//                           over the stored row). An update without an old tuple (the key did not
//                           change, replica identity default) gets a before image of the key columns
//                           from the new tuple; a 'K' old tuple carries only the key columns.
//   Relation                compared with the shape weft knows (the catalog read at start, or the
//                           last Relation message): a column added, dropped, renamed or retyped
//                           becomes a kDdl change "ALTER TABLE schema.table -- ..." in the
//                           transaction, whose EffectOfStatement names that table.
//   Truncate                a kDdl change "TRUNCATE schema.a, schema.b" (the views re-read those
//                           tables: the rows are gone and no row changes say so).
//
// One thread (the reader's).

#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "core/status.h"
#include "source/postgres/decode/pg_types.h"
#include "source/postgres/replication/pgoutput.h"
#include "source/postgres/sql/catalog.h"
#include "source/source.h"

namespace weft::source::postgres {

struct BuilderOptions {
  std::string source_name;
  std::string database;
  std::string schema;
  std::set<std::string> tables;  // captured tables of `schema`; empty: all of them
  size_t max_batch_changes = 4096;
};

class TransactionBuilder {
 public:
  using Emit = std::function<bool(SourceBatch&&)>;  // false: the consumer is gone

  TransactionBuilder(BuilderOptions options, TypeRegistryPtr types, PgTables known);

  // Feeds one message. `wal_end` is the XLogData frame's WAL position (unused by v1 decoding).
  // Errors: Corruption for a message that does not fit its relation; Aborted when `emit` said stop.
  core::Status Feed(const PgOutputMessage& message, Lsn wal_end, const Emit& emit);

  bool in_transaction() const { return in_transaction_; }
  // The end LSN of the last transaction delivered whole (0 before the first).
  Lsn last_end() const { return last_end_; }

  // The tables a kDdl statement this builder made names, as a SchemaEffect (tables of `schema`).
  static SchemaEffect EffectOfStatement(const std::string& statement, const std::string& schema);

 private:
  struct Relation {
    bool captured = false;
    std::string nspname, relname;
    PgTable table;
  };
  core::Status OnRelation(const RelationMessage& rel);
  core::Status OnRow(const PgOutputMessage& m, const Emit& emit);
  core::Status Push(change::Change&& c, const Emit& emit);
  change::Change NewChange(const Relation& rel) const;
  core::Status Image(const Relation& rel, const std::vector<TupleColumn>& tuple, bool key_only,
                     change::RowImage* out) const;

  BuilderOptions options_;
  TypeRegistryPtr types_;
  PgTables known_;
  std::map<uint32_t, Relation> relations_;
  bool in_transaction_ = false;
  Lsn final_lsn_ = 0;
  Lsn last_end_ = 0;
  int64_t commit_ms_ = 0;
  uint32_t xid_ = 0;
  std::vector<change::Change> pending_;
};

}  // namespace weft::source::postgres
