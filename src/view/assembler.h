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

#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
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

  // While a MemoScope lives, what a lookup embeds for given relation keys is remembered and reused:
  // documents that share a product or a seller take its embedded object from memory instead of
  // probing and decoding the replica again. Only valid while the replicas do not change, so a scope
  // spans one build pass (ViewEngine's Flush or BuildAll) and nothing may write a replica inside it.
  // Memory is bounded (kMemoEntries per lookup; a full memo starts over), and a lookup whose keys
  // rarely repeat (an order's items) stops being remembered after a short trial.
  class MemoScope {
   public:
    explicit MemoScope(Assembler* assembler) : assembler_(assembler) { assembler_->memo_on_ = true; }
    ~MemoScope() {
      assembler_->memo_on_ = false;
      assembler_->memo_.clear();
    }
    MemoScope(const MemoScope&) = delete;
    MemoScope& operator=(const MemoScope&) = delete;

   private:
    Assembler* assembler_;
  };
  static constexpr size_t kMemoEntries = 8192;

 private:
  struct Memo {
    std::unordered_map<std::string, std::optional<change::Value>> embedded;  // keys -> what is placed
    uint64_t lookups = 0;
    uint64_t hits = 0;
    bool off = false;  // keys did not repeat enough in the trial
  };

  core::Status AttachLookups(int view, int node, const change::Value& row, change::Value* doc);
  // AttachLookups in two steps: what each child lookup of `node` embeds for `row` (in children
  // order), then placing those into `doc` (moved out of *embedded).
  core::Status CollectLookups(int view, int node, const change::Value& row,
                              std::vector<std::optional<change::Value>>* embedded);
  void PlaceLookups(int view, int node, std::vector<std::optional<change::Value>>* embedded, change::Value* doc);
  // What lookup `node` places into its parent for relation `keys`: nullopt for an object lookup
  // without a match.
  core::Result<std::optional<change::Value>> Embedded(int view, int node, const std::vector<std::string>& keys);
  core::Result<std::optional<change::Value>> Probe(int view, int node, const std::vector<std::string>& keys);
  // The embedded document of `row`, a row of lookup `node`'s table (its columns move into it).
  core::Result<change::Value> RowDocument(int view, int node, change::Value row);

  const ViewSet* set_;
  std::vector<state::ReplicaStore*> replicas_;
  bool memo_on_ = false;
  std::map<std::pair<int, int>, Memo> memo_;  // per (view, node)
};

// Appends the columns of `row` that `filter` keeps, in row order.
void AppendColumns(const change::Value& row, const ColumnFilter& filter, change::Object* out);

}  // namespace weft::view
