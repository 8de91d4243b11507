#include "view/planner.h"

#include "view/rows.h"

namespace weft::view {
namespace {

// The key tuple as one set entry, length-prefixed so distinct tuples never collide.
std::string TupleId(int node, const std::vector<std::string>& keys) {
  std::string id = std::to_string(node) + "|";
  for (const auto& k : keys) id += std::to_string(k.size()) + ":" + k;
  return id;
}

// Picks `positions` out of a row's key texts; false when one is NULL (such a row joins nothing).
bool Pick(const std::vector<std::optional<std::string>>& texts, const std::vector<int>& positions,
          std::vector<std::string>* keys) {
  keys->clear();
  for (int p : positions) {
    if (p < 0 || static_cast<size_t>(p) >= texts.size() || !texts[p]) return false;
    keys->push_back(*texts[p]);
  }
  return true;
}

}  // namespace

core::Status Planner::MarkRow(int table, const change::Value& row, const std::string& pk, AffectedRoots* out,
                             Walked* walked) {
  const TableDef& def = set_->tables[table];
  std::vector<std::optional<std::string>> texts;
  bool have_texts = false;
  std::vector<std::string> keys;
  Walked local;
  Walked* seen = walked ? walked : &local;
  for (const auto& use : def.uses) {
    if (use.node == 0) {
      // The row is a root: its own document. Record the _id so a vanished root can be deleted.
      (*out)[RootKey{use.view, pk}] = IdOf(row, replicas_[table]->pk_columns());
      continue;
    }
    if (!have_texts) {
      texts = KeyTexts(def, row);
      have_texts = true;
    }
    const Node& node = set_->views[use.view].nodes[use.node];
    if (!Pick(texts, node.child_keys, &keys)) continue;
    WEFT_RETURN_IF_ERROR(WalkUp(use.view, use.node, keys, out, seen));
  }
  return core::Status::Ok();
}

core::Status Planner::WalkUp(int view, int node_index, const std::vector<std::string>& keys, AffectedRoots* out,
                             Walked* seen) {
  // Rows of one node with equal relation keys lead to the same parents: walk each tuple once.
  if (!seen->insert({view, TupleId(node_index, keys)}).second) return core::Status::Ok();
  const Node& node = set_->views[view].nodes[node_index];
  const Node& parent = set_->views[view].nodes[node.parent];
  std::vector<state::ReplicaRow> parents;
  WEFT_RETURN_IF_ERROR(replicas_[parent.table]->Find(node.parent_index, keys, 0, &parents, /*with_row=*/false));
  std::vector<std::string> up;
  for (const auto& p : parents) {
    if (node.parent == 0) {
      out->try_emplace(RootKey{view, p.pk});
      continue;
    }
    if (!Pick(p.keys, parent.child_keys, &up)) continue;
    WEFT_RETURN_IF_ERROR(WalkUp(view, node.parent, up, out, seen));
  }
  return core::Status::Ok();
}

}  // namespace weft::view
