#pragma once
// An in-memory model of source tables, a random workload generator over it, and a NAIVE view
// evaluator (nested loops over the model's rows) that shares no code with src/view: it is what the
// engine's documents are compared with in the differential tests.

#include <functional>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "test_support.h"

namespace weft::test {

using Rng = std::mt19937_64;

// Test-local key order: the tests' keys are ints and strings only.
struct PkLess {
  static int Cmp(const Value& a, const Value& b) {
    if (a.kind() != b.kind()) return a.kind() < b.kind() ? -1 : 1;
    if (a.kind() == change::ValueKind::kInt) return a.as_int() < b.as_int() ? -1 : (a.as_int() > b.as_int() ? 1 : 0);
    if (a.is_null()) return 0;
    return a.text().compare(b.text());
  }
  bool operator()(const std::vector<Value>& a, const std::vector<Value>& b) const {
    for (size_t i = 0; i < a.size() && i < b.size(); ++i) {
      if (int c = Cmp(a[i], b[i]); c != 0) return c < 0;
    }
    return a.size() < b.size();
  }
};

struct ModelTable {
  change::TableSchemaPtr schema;
  std::vector<std::function<Value(Rng&)>> gen;  // one per column
  std::map<std::vector<Value>, std::vector<Value>, PkLess> rows;

  std::vector<Value> Pk(const std::vector<Value>& row) const {
    std::vector<Value> pk;
    for (int i : schema->primary_key) pk.push_back(row[i]);
    return pk;
  }
  int Col(const std::string& name) const { return schema->ColumnIndex(name); }
};

class Model {
 public:
  std::map<std::string, ModelTable> tables;

  void Add(change::TableSchemaPtr schema, std::vector<std::function<Value(Rng&)>> gen) {
    tables[schema->table] = ModelTable{schema, std::move(gen), {}};
  }

  // One random insert, update (any columns, primary key included) or delete, applied to the model
  // and returned as the change record the source would produce. Rows may reference missing parents.
  change::Change RandomChange(Rng& rng) {
    std::uniform_int_distribution<size_t> pick_table(0, tables.size() - 1);
    while (true) {
      auto it = tables.begin();
      std::advance(it, pick_table(rng));
      ModelTable& t = it->second;
      int op = std::uniform_int_distribution<int>(0, 99)(rng);
      if (op < 45 || t.rows.empty()) {
        std::vector<Value> row;
        for (auto& g : t.gen) row.push_back(g(rng));
        auto pk = t.Pk(row);
        if (t.rows.count(pk)) continue;
        t.rows[pk] = row;
        return Insert(t.schema, row);
      }
      auto row_it = t.rows.begin();
      std::advance(row_it, std::uniform_int_distribution<size_t>(0, t.rows.size() - 1)(rng));
      std::vector<Value> before = row_it->second;
      if (op < 85) {
        std::vector<Value> after = before;
        int n = std::uniform_int_distribution<int>(1, 2)(rng);
        for (int k = 0; k < n; ++k) {
          size_t c = std::uniform_int_distribution<size_t>(0, after.size() - 1)(rng);
          after[c] = t.gen[c](rng);
        }
        auto new_pk = t.Pk(after);
        if (new_pk != row_it->first && t.rows.count(new_pk)) continue;  // would violate the key
        t.rows.erase(row_it);
        t.rows[new_pk] = after;
        return Update(t.schema, before, after);
      }
      t.rows.erase(row_it);
      return Delete(t.schema, before);
    }
  }

  // Every row of every table as a snapshot read.
  std::vector<change::Change> SnapshotChanges() const {
    std::vector<change::Change> out;
    for (const auto& [name, t] : tables) {
      for (const auto& [pk, row] : t.rows) out.push_back(Read(t.schema, row));
    }
    return out;
  }
};

// The naive view: a hand-written tree, evaluated by nested loops.
struct NaiveNode {
  std::string table;
  std::vector<std::string> place;  // segments inside the parent row
  bool array = false;
  std::vector<std::pair<std::string, std::string>> relation;  // [parent column, child column]
  std::vector<std::string> fields, exclude;
  std::vector<NaiveNode> children;
};

struct NaiveView {
  std::string sink, collection, root;
  std::vector<std::string> fields, exclude;
  std::vector<NaiveNode> children;
};

inline bool NaiveKeeps(const std::vector<std::string>& fields, const std::vector<std::string>& exclude,
                       const std::string& c) {
  auto in = [&](const std::vector<std::string>& list) {
    for (const auto& x : list)
      if (x == c) return true;
    return false;
  };
  return (fields.empty() || in(fields)) && !in(exclude);
}

inline void NaiveAttach(const Model& m, const ModelTable& parent_table, const std::vector<Value>& parent_row,
                        const std::vector<NaiveNode>& children, Value* doc) {
  for (const auto& child : children) {
    const ModelTable& ct = m.tables.at(child.table);
    Value items = Value::MakeArray();
    for (const auto& [pk, row] : ct.rows) {  // pk order
      bool match = true;
      for (const auto& [pc, cc] : child.relation) {
        const Value& a = parent_row[parent_table.Col(pc)];
        const Value& b = row[ct.Col(cc)];
        if (a.is_null() || b.is_null() || !(a == b)) match = false;
      }
      if (!match) continue;
      Value element = Value::MakeObject();
      for (size_t i = 0; i < row.size(); ++i) {
        const std::string& name = ct.schema->columns[i].name;
        if (NaiveKeeps(child.fields, child.exclude, name)) element.object().emplace_back(name, row[i]);
      }
      NaiveAttach(m, ct, row, child.children, &element);
      items.array().push_back(std::move(element));
    }
    if (!child.array && items.array().empty()) continue;
    Value* at = doc;
    for (size_t i = 0; i + 1 < child.place.size(); ++i) {
      if (!at->Find(child.place[i])) at->Set(child.place[i], Value::MakeObject());
      at = at->Find(child.place[i]);
    }
    at->Set(child.place.back(), child.array ? std::move(items) : items.array().front());
  }
}

inline Value NaiveDocument(const Model& m, const NaiveView& v, const std::vector<Value>& root_row) {
  const ModelTable& rt = m.tables.at(v.root);
  Value doc = Value::MakeObject();
  if (rt.schema->primary_key.size() == 1) {
    doc.object().emplace_back("_id", root_row[rt.schema->primary_key[0]]);
  } else {
    Value id = Value::MakeObject();
    for (int i : rt.schema->primary_key) id.object().emplace_back(rt.schema->columns[i].name, root_row[i]);
    doc.object().emplace_back("_id", id);
  }
  for (size_t i = 0; i < root_row.size(); ++i) {
    const std::string& name = rt.schema->columns[i].name;
    if (NaiveKeeps(v.fields, v.exclude, name)) doc.object().emplace_back(name, root_row[i]);
  }
  NaiveAttach(m, rt, root_row, v.children, &doc);
  return doc;
}

// id_key -> document JSON for every root row of the model.
inline std::map<std::string, std::string> NaiveCollection(const Model& m, const NaiveView& v) {
  std::map<std::string, std::string> out;
  for (const auto& [pk, row] : m.tables.at(v.root).rows) {
    Value doc = NaiveDocument(m, v, row);
    const Value& id = doc.object().front().second;
    std::string key = id.kind() == change::ValueKind::kString ? id.text() : change::ToJson(id);
    out[key] = change::ToJson(doc);
  }
  return out;
}

// Reports the first difference (missing, extra, different) and the counts.
inline std::string DiffCollections(const std::map<std::string, std::string>& expected,
                                   const std::map<std::string, std::string>& actual) {
  std::string first;
  int missing = 0, extra = 0, different = 0;
  for (const auto& [k, doc] : expected) {
    auto it = actual.find(k);
    if (it == actual.end()) {
      ++missing;
      if (first.empty()) first = "missing " + k + ": " + doc;
    } else if (it->second != doc) {
      ++different;
      if (first.empty()) first = "different " + k + ":\n  expected " + doc + "\n  actual   " + it->second;
    }
  }
  for (const auto& [k, doc] : actual) {
    if (!expected.count(k)) {
      ++extra;
      if (first.empty()) first = "extra " + k + ": " + doc;
    }
  }
  if (!missing && !extra && !different) return "";
  return std::to_string(missing) + " missing, " + std::to_string(extra) + " extra, " + std::to_string(different) +
         " different; first: " + first;
}

}  // namespace weft::test
