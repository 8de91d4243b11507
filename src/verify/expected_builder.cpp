#include "verify/expected_builder.h"

#include <algorithm>

#include "view/key_order.h"

namespace weft::verify {
namespace {

using change::Value;

// The join key of a tuple: each value's view::JoinKey, length-prefixed so that ("a ", "b") and
// ("a", " b") differ; nullopt when any value is NULL (such a row joins with nothing).
std::optional<std::string> KeyOf(const Row& row, const std::vector<int>& positions) {
  std::string key;
  for (int p : positions) {
    std::optional<std::string> part = view::JoinKey(row[p]);
    if (!part) return std::nullopt;
    key += std::to_string(part->size());
    key.push_back(':');
    key += *part;
  }
  return key;
}

// Where a lookup goes inside its parent's document: intermediate objects are created on demand.
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

ExpectedBuilder::ExpectedBuilder(ViewTree tree) : tree_(std::move(tree)), tables_(tree_.nodes.size()) {}

void ExpectedBuilder::AddRow(int node, Row row) {
  Table& t = tables_[node];
  if (auto key = KeyOf(row, tree_.nodes[node].child_cols)) {
    t.index[*key].push_back(t.rows.size());
    t.rows.push_back(std::move(row));
  }
  // A row whose relation columns hold a NULL joins with nothing, so it need not be kept.
}

void ExpectedBuilder::Seal() {
  for (size_t n = 1; n < tables_.size(); ++n) {
    const std::vector<int>& key = tree_.nodes[n].key;
    const std::vector<Row>& rows = tables_[n].rows;
    for (auto& [text, list] : tables_[n].index) {
      std::stable_sort(list.begin(), list.end(), [&](size_t a, size_t b) {
        for (int p : key) {
          if (int c = view::CompareKeyValues(rows[a][p], rows[b][p]); c != 0) return c < 0;
        }
        return false;
      });
    }
  }
}

Value ExpectedBuilder::IdOf(const Row& root_row) const {
  const ViewNode& root = tree_.nodes[0];
  if (root.key.size() == 1) return root_row[root.key[0]];
  Value id = Value::MakeObject();
  for (int p : root.key) id.object().emplace_back(root.load_names[p], root_row[p]);
  return id;
}

Value ExpectedBuilder::RowDocument(int node, const Row& row) const {
  const ViewNode& n = tree_.nodes[node];
  Value doc = Value::MakeObject();
  doc.object().reserve(n.out.size() + n.children.size());
  for (int p : n.out) doc.object().emplace_back(n.load_names[p], row[p]);
  AttachLookups(node, row, &doc);
  return doc;
}

void ExpectedBuilder::AttachLookups(int node, const Row& row, Value* doc) const {
  for (int child : tree_.nodes[node].children) {
    const ViewNode& c = tree_.nodes[child];
    const Table& t = tables_[child];
    const std::vector<size_t>* matches = nullptr;
    if (auto key = KeyOf(row, c.parent_cols)) {
      auto it = t.index.find(*key);
      if (it != t.index.end()) matches = &it->second;
    }
    Value* at = nullptr;
    if (c.kind == ViewNode::Kind::kArray) {
      Value items = Value::MakeArray();
      if (matches) {
        items.array().reserve(matches->size());
        for (size_t r : *matches) items.array().push_back(RowDocument(child, t.rows[r]));
      }
      at = PlaceFor(doc, c.place);
      at->Set(c.place.back(), std::move(items));
    } else if (matches && !matches->empty()) {
      at = PlaceFor(doc, c.place);
      at->Set(c.place.back(), RowDocument(child, t.rows[matches->front()]));
    }
  }
}

Value ExpectedBuilder::Build(const Row& root_row) const {
  Value doc = Value::MakeObject();
  doc.object().emplace_back("_id", IdOf(root_row));
  const ViewNode& root = tree_.nodes[0];
  for (int p : root.out) doc.object().emplace_back(root.load_names[p], root_row[p]);
  AttachLookups(0, root_row, &doc);
  return doc;
}

}  // namespace weft::verify
