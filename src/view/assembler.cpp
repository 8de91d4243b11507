#include "view/assembler.h"

#include "view/key_order.h"
#include "view/rows.h"

namespace weft::view {
namespace {

using change::Value;

// Where a lookup goes inside its parent row: intermediate objects are created on demand (and
// replace a non-object value of the same name).
Value* PlaceFor(Value* doc, const std::vector<std::string>& place) {
  Value* at = doc;
  for (size_t i = 0; i + 1 < place.size(); ++i) {
    Value* next = at->Find(place[i]);
    if (!next || next->kind() != change::ValueKind::kObject) {
      at->Set(place[i], Value::MakeObject());
      next = at->Find(place[i]);
    }
    at = next;
  }
  return at;
}

}  // namespace

void AppendColumns(const Value& row, const ColumnFilter& filter, change::Object* out) {
  if (row.kind() != change::ValueKind::kObject) return;
  bool all = filter.fields.empty() && filter.exclude.empty();
  for (const auto& field : row.object()) {
    if (all || filter.Keeps(field.first)) out->push_back(field);
  }
}

core::Result<Value> Assembler::Document(int view, const Value& root_row) {
  const Node& root = set_->views[view].nodes[0];
  Value doc = Value::MakeObject();
  change::Object& fields = doc.object();
  fields.reserve(root_row.object().size() + 1 + root.children.size());
  fields.emplace_back("_id", IdOf(root_row, replicas_[root.table]->pk_columns()));
  AppendColumns(root_row, root.filter, &fields);
  WEFT_RETURN_IF_ERROR(AttachLookups(view, 0, root_row, &doc));
  return doc;
}

core::Result<std::optional<Value>> Assembler::DocumentByKey(int view, const std::string& pk) {
  int table = set_->views[view].nodes[0].table;
  Value row;
  WEFT_ASSIGN_OR_RETURN(bool found, replicas_[table]->Get(pk, &row));
  if (!found) return std::optional<Value>();
  WEFT_ASSIGN_OR_RETURN(Value doc, Document(view, row));
  return std::optional<Value>(std::move(doc));
}

core::Result<Value> Assembler::RowDocument(int view, int node_index, Value row) {
  const Node& node = set_->views[view].nodes[node_index];
  // The lookups first, while the row is whole (they read its relation columns): then its columns
  // move into the document instead of being copied, a string or two per column of every embedded
  // row of every document.
  std::vector<std::optional<Value>> embedded;
  WEFT_RETURN_IF_ERROR(CollectLookups(view, node_index, row, &embedded));
  Value doc = Value::MakeObject();
  change::Object& fields = doc.object();
  if (node.filter.fields.empty() && node.filter.exclude.empty()) {
    fields = std::move(row.object());
  } else {
    fields.reserve(row.object().size() + node.children.size());
    for (auto& field : row.object()) {
      if (node.filter.Keeps(field.first)) fields.push_back(std::move(field));
    }
  }
  PlaceLookups(view, node_index, &embedded, &doc);
  return doc;
}

core::Status Assembler::AttachLookups(int view, int node_index, const Value& row, Value* doc) {
  std::vector<std::optional<Value>> embedded;
  WEFT_RETURN_IF_ERROR(CollectLookups(view, node_index, row, &embedded));
  PlaceLookups(view, node_index, &embedded, doc);
  return core::Status::Ok();
}

core::Status Assembler::CollectLookups(int view, int node_index, const Value& row,
                                       std::vector<std::optional<Value>>* embedded) {
  const ViewDef& def = set_->views[view];
  embedded->clear();
  embedded->reserve(def.nodes[node_index].children.size());
  std::vector<std::string> keys;
  for (int child_index : def.nodes[node_index].children) {
    const Node& child = def.nodes[child_index];
    keys.clear();
    bool joinable = true;
    for (const auto& column : child.parent_columns) {
      const Value* v = row.Find(column);
      std::optional<std::string> key = v ? JoinKey(*v) : std::nullopt;
      if (!key) {
        joinable = false;
        break;
      }
      keys.push_back(std::move(*key));
    }
    embedded->emplace_back();
    if (joinable) {
      WEFT_ASSIGN_OR_RETURN(embedded->back(), Embedded(view, child_index, keys));
    } else if (child.is_array) {
      embedded->back() = Value::MakeArray();
    }
  }
  return core::Status::Ok();
}

void Assembler::PlaceLookups(int view, int node_index, std::vector<std::optional<Value>>* embedded, Value* doc) {
  const ViewDef& def = set_->views[view];
  const std::vector<int>& children = def.nodes[node_index].children;
  for (size_t i = 0; i < children.size() && i < embedded->size(); ++i) {
    const Node& child = def.nodes[children[i]];
    if ((*embedded)[i]) PlaceFor(doc, child.place)->Set(child.place.back(), std::move(*(*embedded)[i]));
  }
}

core::Result<std::optional<Value>> Assembler::Embedded(int view, int node_index, const std::vector<std::string>& keys) {
  if (!memo_on_) return Probe(view, node_index, keys);
  Memo& memo = memo_[{view, node_index}];
  if (memo.off) return Probe(view, node_index, keys);
  // Length-prefixed, so distinct key tuples never collide.
  std::string id;
  for (const auto& k : keys) id.append(std::to_string(k.size())).append(1, ':').append(k);
  ++memo.lookups;
  if (auto it = memo.embedded.find(id); it != memo.embedded.end()) {
    ++memo.hits;
    return it->second;
  }
  constexpr uint64_t kTrial = 1024;  // lookups before judging whether keys repeat
  if (memo.lookups >= kTrial && memo.hits * 8 < memo.lookups) {
    memo.off = true;
    memo.embedded.clear();
    return Probe(view, node_index, keys);
  }
  WEFT_ASSIGN_OR_RETURN(auto embedded, Probe(view, node_index, keys));
  if (memo.embedded.size() >= kMemoEntries) memo.embedded.clear();
  memo.embedded.emplace(std::move(id), embedded);
  return embedded;
}

core::Result<std::optional<Value>> Assembler::Probe(int view, int node_index, const std::vector<std::string>& keys) {
  const Node& child = set_->views[view].nodes[node_index];
  // Collected before recursing: the Find statement is free again when a nested lookup of the same
  // table (a self-join) needs it.
  std::vector<Value> matches;
  WEFT_RETURN_IF_ERROR(replicas_[child.table]->FindRows(child.child_index, keys, child.is_array ? 0 : 1, &matches));
  if (child.is_array) {
    Value items = Value::MakeArray();
    items.array().reserve(matches.size());
    for (auto& m : matches) {
      WEFT_ASSIGN_OR_RETURN(Value item, RowDocument(view, node_index, std::move(m)));
      items.array().push_back(std::move(item));
    }
    return std::optional<Value>(std::move(items));
  }
  if (matches.empty()) return std::optional<Value>();
  WEFT_ASSIGN_OR_RETURN(Value item, RowDocument(view, node_index, std::move(matches.front())));
  return std::optional<Value>(std::move(item));
}

}  // namespace weft::view
