#pragma once
// Assembler: a root row's document from the replicas, the one function snapshot builds and
// streaming rebuilds both use:
//   {"_id": <pk value, or {col: value} when composite>, <root columns (fields/exclude) in column
//    order>, <lookups in config order, each at its place>}
// An object lookup embeds the matching row with the smallest primary key (absent when none); an
// array lookup embeds every matching row in primary-key order ([] when none). Embedded rows carry
// their narrowed columns, then their own lookups, to any depth. Intermediate objects of a
// multi-segment place are created as needed. A NULL relation value matches nothing.
//
// Loop thread only (reads the replicas).

#include <optional>
#include <string>
#include <vector>

#include "change/value.h"
#include "core/status.h"
#include "state/replica_store.h"
#include "view/view_def.h"

namespace weft::view {

class Assembler {
 public:
  // `replicas[i]` is the store of set.tables[i]; both outlive the assembler.
  Assembler(const ViewSet* set, std::vector<state::ReplicaStore*> replicas)
      : set_(set), replicas_(std::move(replicas)) {}

  // The document of view `view` for `root_row`, a decoded stored row of the view's root table.
  core::Result<change::Value> Document(int view, const change::Value& root_row);
  // The same by root primary key; nullopt when the root row is not in the replica.
  core::Result<std::optional<change::Value>> DocumentByKey(int view, const std::string& pk);

 private:
  core::Status AttachLookups(int view, int node, const change::Value& row, change::Value* doc);
  core::Result<change::Value> RowDocument(int view, int node, const std::string& row_bytes);
  core::Status Decode(int table, const std::string& bytes, change::Value* row) const;

  const ViewSet* set_;
  std::vector<state::ReplicaStore*> replicas_;
};

// Appends the columns of `row` that `filter` keeps, in row order.
void AppendColumns(const change::Value& row, const ColumnFilter& filter, change::Object* out);

}  // namespace weft::view
