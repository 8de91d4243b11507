#pragma once
// ViewTree: one view's config resolved against the source tables' schemas into the tree `weft
// verify` joins along. Built independently of src/view (the engine's planner/assembler), from the
// contract in issue 3:
//   - a lookup's parent is the longest EARLIER lookup path that prefixes its own ("a.b" is under
//     "a"), otherwise the root; its place in the parent's document is the rest of its path;
//   - relation pairs are [parent field, child column]; a parent field carries the parent's path as a
//     prefix ("order_items.product_id") and names a column of the parent's table;
//   - `fields` keeps only the listed columns, `exclude` drops the listed ones; either way the kept
//     columns follow the table's column order. Relations join on the row's columns, narrowed or not.
// Pure; any thread.

#include <map>
#include <string>
#include <vector>

#include "change/table_schema.h"
#include "config/config.h"
#include "core/status.h"

namespace weft::verify {

struct ViewNode {
  enum class Kind { kRoot, kObject, kArray };
  Kind kind = Kind::kRoot;
  std::string table;
  std::string path;                   // full dotted path; "" for the root
  std::vector<std::string> place;     // path segments below the parent's document
  int parent = -1;                    // index into ViewTree::nodes; -1 for the root
  std::vector<int> children;          // lookups whose parent this is, in config order

  // The columns read from the source for this node (schema indexes, in table order). Every index
  // below is a position in this list (and so in a row of this node).
  std::vector<int> load;
  std::vector<std::string> load_names;
  std::vector<int> out;               // the document's columns, in table order
  std::vector<int> key;               // primary key (all loaded columns when the table has none)
  std::vector<int> parent_cols;       // relation: positions in the PARENT's rows ...
  std::vector<int> child_cols;        // ... equal to these positions in this node's rows
};

struct ViewTree {
  std::string view;
  std::vector<ViewNode> nodes;  // nodes[0] is the root; lookups follow in config order
};

// `schemas` maps table name to its schema (every table the view names must be there). Errors name
// the view, the lookup (with its config location) and the fix.
core::Result<ViewTree> ResolveView(const config::ViewConfig& view,
                                   const std::map<std::string, change::TableSchema>& schemas);

}  // namespace weft::verify
