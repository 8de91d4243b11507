#pragma once
// ViewSet: the views of the config as lookup trees, plus the replicas they need, built without
// touching any database. Semantics (issue 3):
//   - a lookup's parent is the longest EARLIER lookup path that prefixes its own path segment-wise
//     ("order_items.product" is under "order_items"), otherwise the root; it is placed at the rest
//     of its path inside each parent row;
//   - relation pairs are [parent field, child column]; a parent field is "<parent path>.<column>"
//     for a lookup parent and a plain column for the root; several pairs make a composite relation;
//   - one replica per (source, table), shared by every view and lookup that reads the table. It
//     keeps the union of the columns they show, plus every relation column (key columns, each
//     indexed per relation on both sides: children are probed by their relation columns during
//     assembly, parents by theirs while planning), plus the primary key.
// Pure; any thread.

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "config/config.h"
#include "core/status.h"
#include "state/replica_store.h"
#include "view/aggregate/aggregate_def.h"

namespace weft::view {

// fields/exclude of one view or lookup: kept columns follow the table's column order.
struct ColumnFilter {
  std::vector<std::string> fields;   // only these (empty: all)
  std::vector<std::string> exclude;  // never these
  bool Keeps(const std::string& column) const;
};

struct Node {
  int parent = -1;                // index into ViewDef::nodes; -1 for the root
  int table = -1;                 // index into ViewSet::tables
  bool is_array = false;
  std::string path;               // full dotted path; "" for the root
  std::vector<std::string> place; // path segments inside the parent row
  ColumnFilter filter;
  std::vector<int> children;      // in config order
  // The relation, as columns of the parent's and this node's table (same length, pairwise equal).
  std::vector<std::string> parent_columns;
  std::vector<std::string> child_columns;
  // The same as positions in the replicas' key columns, and the replica indexes over them.
  std::vector<int> parent_keys;   // in the parent's table
  std::vector<int> child_keys;    // in this node's table
  int parent_index = -1;          // index of the parent's replica over parent_keys (planning)
  int child_index = -1;           // index of this replica over child_keys (assembly)
};

struct ViewDef {
  std::string name;
  std::string source;
  std::string sink;
  std::string collection;
  std::vector<Node> nodes;  // nodes[0] is the root; then the lookups in config order
  // `filter` (any view): a SQL expression over the root row and its top-level object lookups
  // (view/aggregate/sql_expr.h); empty for none. Checked by BuildViewSet.
  std::string filter;
  config::Location filter_at;
  std::string root_table;
  std::vector<std::string> object_lookups;  // top-level object lookup paths (filter qualifiers)
  // Set for an aggregate view (view/aggregate/aggregator.h): its documents are groups of the wide
  // documents the nodes describe.
  std::shared_ptr<const AggregateDef> aggregate;
};

// One replica: a source table and what the views need of it.
struct TableDef {
  state::ReplicaLayout layout;  // source, table, key columns, indexes, contents signature
  bool keep_all = false;        // some user shows every column but `excluded`
  std::set<std::string> excluded;
  std::set<std::string> included;
  struct Use {
    int view;
    int node;
  };
  std::vector<Use> uses;

  // Whether the replica stores `column` (primary-key columns are always stored besides).
  bool Stores(const std::string& column) const;
  int KeyColumn(const std::string& column) const;  // position in layout.key_columns, or -1
};

struct ViewSet {
  std::vector<ViewDef> views;
  std::vector<TableDef> tables;

  int FindTable(const std::string& source, const std::string& table) const;  // -1 when unused
};

// Errors (kInvalidArgument) name the view, the lookup and its config location, and the fix; a bad
// filter or having expression is reported at its file:line:col with SQLite's message.
core::Result<ViewSet> BuildViewSet(const std::vector<config::ViewConfig>& views);

}  // namespace weft::view
