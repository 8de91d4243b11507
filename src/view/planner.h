#pragma once
// Planner: which root documents a changed row can appear in. For every place the row's table is
// used (a view's root, or a lookup at any depth), it walks up the lookup tree through the replicas:
// the row's relation columns -> the parent rows whose relation columns equal them (an index probe
// on the parent's replica) -> their parents ... -> root primary keys. The caller runs it on the OLD
// row before writing the change to the replica and on the NEW row after, so both the documents the
// row leaves and the ones it joins are found (an item moving to another order marks both orders; a
// key change of a root marks the old and the new _id).
//
// Loop thread only (it reads the replicas).

#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "change/value.h"
#include "core/status.h"
#include "state/replica_store.h"
#include "view/view_def.h"

namespace weft::view {

struct RootKey {
  int view = 0;
  std::string pk;  // root primary key, key_order encoding
  friend bool operator<(const RootKey& a, const RootKey& b) {
    return a.view != b.view ? a.view < b.view : a.pk < b.pk;
  }
};

// The roots of one batch to rebuild. The value is the root's _id when a change of the root row
// itself told it (needed to delete a root that is gone by the time it is rebuilt).
using AffectedRoots = std::map<RootKey, std::optional<change::Value>>;

class Planner {
 public:
  // `replicas[i]` is the store of set.tables[i]; both outlive the planner.
  Planner(const ViewSet* set, std::vector<state::ReplicaStore*> replicas)
      : set_(set), replicas_(std::move(replicas)) {}

  // The relation-key tuples walked up already: a walk from a tuple in *walked is skipped.
  using Walked = std::set<std::pair<int, std::string>>;

  // Adds to *out every root whose document can contain `row`, a stored row (view/rows.h) of table
  // `table` with primary key `pk`, given the replicas as they are now.
  // `walked` (optional) may span every MarkRow of one batch, as long as *out accumulates the same
  // batch and both are cleared together: a tuple walked earlier in the batch already put its roots
  // into *out, and a root reachable from it now but not then is reached through a row that changed
  // in between, whose own MarkRow (after image) walked from that row up. So repeated walks (a hot
  // product updated many times, many items of one order) are done once per batch.
  core::Status MarkRow(int table, const change::Value& row, const std::string& pk, AffectedRoots* out,
                       Walked* walked = nullptr);

 private:
  core::Status WalkUp(int view, int node, const std::vector<std::string>& keys, AffectedRoots* out,
                      Walked* seen);

  const ViewSet* set_;
  std::vector<state::ReplicaStore*> replicas_;
};

}  // namespace weft::view
