#pragma once
// What `weft init` proposes from a SchemaGraph: the root tables worth a wide view and, for each,
// the tree of lookups the keys allow. Pure: graph in, proposal out (toml_writer.h prints it).
//
// Roots, first rule that finds any:
//  1. aggregate roots: tables that own children through an identifying relation (the child's
//     primary key holds the foreign key: ecom_order_items (order_id, order_item_id) belongs to
//     ecom_orders) and are owned by no table themselves;
//  2. tables referenced by children that are themselves a child of nothing, and the tables with
//     the most relations.
// Tables without a primary key are never roots (a keyless root collapses identical rows).
// Lookups from a node: its parents as objects (N:1), and, unless the node is itself an object
// lookup, its children as arrays (1:N), each nested the same way. A table already on the path
// from the root is not embedded again (cycles), and nesting stops at max_depth.

#include <string>
#include <utility>
#include <vector>

#include "source/schema_graph.h"

namespace weft::cli::init {

struct ProposalOptions {
  int max_depth = 3;               // lookups nest at most this deep (1: only the root's relations)
  std::vector<std::string> roots;  // non-empty: exactly these roots instead of the rules above
  // PostgreSQL streams a table's changes only with a replica identity, so a keyless table there is
  // left out of the lookups (with a note) instead of failing `weft check`.
  bool keyless_lookups = true;
};

struct ProposedLookup {
  std::string table;
  std::string path;  // dotted, unique in the view
  bool array = false;
  std::vector<std::pair<std::string, std::string>> relation;  // [parent field, column of table]
  int depth = 1;                                              // 1: hangs off the root
  source::SchemaRelation via;                                 // the relation it follows
  std::string parent_table;                                   // the table of the node it hangs off
  // array: estimated rows of `table` per row of parent_table; object: estimated rows of
  // parent_table per row of `table` (how many embeddings a change of one row rewrites).
  // Negative when either table has no statistics.
  double fan_out = -1;
};

struct ProposedView {
  std::string name;  // from the root's name, unique
  std::string root;
  std::string reason;                   // why this root: one of the rules above, in words
  std::vector<ProposedLookup> lookups;  // parents before their children (the config's order)
  std::vector<std::string> notes;       // cycles skipped, depth cap reached
};

struct Proposal {
  std::vector<ProposedView> views;
  std::vector<std::string> notes;  // about the whole schema (keyless tables, no relations)
};

Proposal Propose(const source::SchemaGraph& graph, const ProposalOptions& options = {});

// Child rows per parent row from the estimates; negative when unknown.
double EstimateFanOut(const source::SchemaTable* many, const source::SchemaTable* one);

}  // namespace weft::cli::init
