#pragma once
// ExpectedBuilder: the in-memory join `weft verify` trusts. It holds every lookup table of one view
// (rows as read from the source, in ViewNode::load order), indexes each by its relation columns,
// and builds the document a root row must produce, following issue 3's semantics:
//   {"_id": <root key>, <root columns...>, <lookups in config order at their paths>}
//   - `_id` is the root's primary-key value, or an object of the key columns when composite;
//   - an object lookup embeds the matching row with the smallest primary key, absent when none;
//   - an array lookup embeds every matching row ordered by primary key, [] when none;
//   - embedded rows carry their (narrowed) columns, then their own lookups, to any depth;
//   - join equality is exact value equality and NULL never matches; arrays follow the primary key
//     compared column by column (the two value rules of view/key_order.h, reused as they are).
// Apart from those two pure rules it shares no code with src/view's planner/assembler or the
// state, so a bug there shows up as a difference here. Not thread-safe for AddRow; Build is const and may run on any thread.

#include <string>
#include <unordered_map>
#include <vector>

#include "change/value.h"
#include "verify/view_tree.h"

namespace weft::verify {

using Row = std::vector<change::Value>;

class ExpectedBuilder {
 public:
  explicit ExpectedBuilder(ViewTree tree);

  const ViewTree& tree() const { return tree_; }
  // Adds a row of lookup node `node` (1..nodes-1), values in the node's load order.
  void AddRow(int node, Row row);
  // Sorts the indexes by primary key; call once after the last AddRow and before Build.
  void Seal();
  // The document of one root row (values in the root's load order).
  change::Value Build(const Row& root_row) const;
  // The root row's _id.
  change::Value IdOf(const Row& root_row) const;
  size_t rows(int node) const { return tables_[node].rows.size(); }

 private:
  struct Table {
    std::vector<Row> rows;
    // join key text -> row indexes, sorted by primary key after Seal()
    std::unordered_map<std::string, std::vector<size_t>> index;
  };
  // The fields of an embedded (or root) row: narrowed columns, then the node's lookups.
  change::Value RowDocument(int node, const Row& row) const;
  void AttachLookups(int node, const Row& row, change::Value* doc) const;

  ViewTree tree_;
  std::vector<Table> tables_;
};

}  // namespace weft::verify
