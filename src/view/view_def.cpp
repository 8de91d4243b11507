#include "view/view_def.h"

#include <algorithm>

#include "view/aggregate/sql_expr.h"

namespace weft::view {
namespace {

std::vector<std::string> SplitPath(const std::string& path) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    size_t dot = path.find('.', start);
    parts.push_back(path.substr(start, dot == std::string::npos ? std::string::npos : dot - start));
    if (dot == std::string::npos) return parts;
    start = dot + 1;
  }
}

// Segment-wise prefix: "a.b" prefixes "a.b.c", not "a.bc".
bool IsPathPrefix(const std::string& prefix, const std::string& path) {
  return path.size() > prefix.size() && path.compare(0, prefix.size(), prefix) == 0 && path[prefix.size()] == '.';
}

std::string Where(const config::Location& location) {
  if (location.file.empty()) return "";
  return location.file + ":" + std::to_string(location.line) + ":" + std::to_string(location.column) + ": ";
}

std::string Join(const std::set<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += std::to_string(n.size()) + ":" + n + ",";
  return out;
}

class Builder {
 public:
  core::Result<ViewSet> Build(const std::vector<config::ViewConfig>& views) {
    for (const auto& view : views) WEFT_RETURN_IF_ERROR(AddView(view));
    for (auto& table : set_.tables) {
      table.layout.contents = (table.keep_all ? "all-but:" + Join(table.excluded) : std::string("only")) +
                              "|with:" + Join(table.included);
    }
    return std::move(set_);
  }

 private:
  int TableFor(const std::string& source, const std::string& table) {
    int found = set_.FindTable(source, table);
    if (found >= 0) return found;
    TableDef def;
    def.layout.source = source;
    def.layout.table = table;
    set_.tables.push_back(std::move(def));
    return static_cast<int>(set_.tables.size()) - 1;
  }

  static int KeyColumnFor(TableDef& t, const std::string& column) {
    int k = t.KeyColumn(column);
    if (k >= 0) return k;
    t.layout.key_columns.push_back(column);
    return static_cast<int>(t.layout.key_columns.size()) - 1;
  }

  static int IndexFor(TableDef& t, const std::vector<int>& keys) {
    auto& indexes = t.layout.indexes;
    auto it = std::find(indexes.begin(), indexes.end(), keys);
    if (it != indexes.end()) return static_cast<int>(it - indexes.begin());
    indexes.push_back(keys);
    return static_cast<int>(indexes.size()) - 1;
  }

  static void AddUse(TableDef& t, int view, int node, const ColumnFilter& filter) {
    t.uses.push_back({view, node});
    if (!filter.fields.empty()) {
      for (const auto& f : filter.fields) {
        if (filter.Keeps(f)) t.included.insert(f);
      }
      return;
    }
    std::set<std::string> exclude(filter.exclude.begin(), filter.exclude.end());
    if (!t.keep_all) {
      t.keep_all = true;
      t.excluded = std::move(exclude);
      return;
    }
    std::set<std::string> both;
    std::set_intersection(t.excluded.begin(), t.excluded.end(), exclude.begin(), exclude.end(),
                          std::inserter(both, both.begin()));
    t.excluded = std::move(both);
  }

  core::Status AddView(const config::ViewConfig& view) {
    const std::string what = Where(view.location) + "view '" + view.name + "'";
    if (view.name.empty()) return core::InvalidArgument(Where(view.location) + "a view has no name; add name = \"...\"");
    for (const auto& other : set_.views) {
      if (other.name == view.name) return core::InvalidArgument(what + ": a view of this name already exists");
    }
    if (view.root.empty()) return core::InvalidArgument(what + ": root is empty; name the root table");
    int view_index = static_cast<int>(set_.views.size());
    ViewDef def;
    def.name = view.name;
    def.source = view.source;
    def.sink = view.sink;
    def.collection = view.collection.empty() ? view.name : view.collection;
    Node root;
    root.table = TableFor(view.source, view.root);
    root.filter = {view.fields, view.exclude};
    AddUse(set_.tables[root.table], view_index, 0, root.filter);
    def.nodes.push_back(std::move(root));

    for (const auto& lookup : view.lookups) {
      const std::string lwhat = Where(lookup.location) + "view '" + view.name + "', lookup '" + lookup.path + "'";
      if (lookup.table.empty()) return core::InvalidArgument(lwhat + ": table is empty; name the table to embed");
      if (lookup.type != "object" && lookup.type != "array") {
        return core::InvalidArgument(lwhat + ": type must be \"object\" or \"array\", not \"" + lookup.type + "\"");
      }
      std::vector<std::string> segments = SplitPath(lookup.path);
      if (lookup.path.empty() || std::find(segments.begin(), segments.end(), "") != segments.end()) {
        return core::InvalidArgument(lwhat + ": path must be dotted names like \"order_items.product\"");
      }
      int parent = 0;
      size_t best = 0;
      for (size_t i = 1; i < def.nodes.size(); ++i) {
        const std::string& p = def.nodes[i].path;
        if (p == lookup.path) return core::InvalidArgument(lwhat + ": an earlier lookup has the same path");
        if (p.size() > best && IsPathPrefix(p, lookup.path)) {
          parent = static_cast<int>(i);
          best = p.size();
        }
      }
      if (lookup.relation.empty()) {
        return core::InvalidArgument(lwhat + ": relation is empty; add [[\"parent field\", \"column\"]]");
      }
      Node node;
      node.parent = parent;
      node.table = TableFor(view.source, lookup.table);
      node.is_array = lookup.type == "array";
      node.path = lookup.path;
      node.place = SplitPath(best ? lookup.path.substr(best + 1) : lookup.path);
      node.filter = {lookup.fields, lookup.exclude};
      const std::string prefix = parent == 0 ? "" : def.nodes[parent].path + ".";
      for (const auto& [field, column] : lookup.relation) {
        if (field.size() <= prefix.size() || field.compare(0, prefix.size(), prefix) != 0) {
          return core::InvalidArgument(lwhat + ": relation field '" + field + "' must be " +
                                       (parent == 0 ? std::string("a column of the root table")
                                                    : "'" + prefix + "<column>' (a column of its parent lookup)"));
        }
        if (column.empty()) return core::InvalidArgument(lwhat + ": relation names an empty column");
        node.parent_columns.push_back(field.substr(prefix.size()));
        node.child_columns.push_back(column);
      }
      TableDef& parent_table = set_.tables[def.nodes[parent].table];
      for (const auto& c : node.parent_columns) node.parent_keys.push_back(KeyColumnFor(parent_table, c));
      node.parent_index = IndexFor(parent_table, node.parent_keys);
      TableDef& child_table = set_.tables[node.table];
      for (const auto& c : node.child_columns) node.child_keys.push_back(KeyColumnFor(child_table, c));
      node.child_index = IndexFor(child_table, node.child_keys);
      int node_index = static_cast<int>(def.nodes.size());
      AddUse(child_table, view_index, node_index, node.filter);
      def.nodes[parent].children.push_back(node_index);
      def.nodes.push_back(std::move(node));
    }
    WEFT_RETURN_IF_ERROR(AddAggregate(view, &def));
    set_.views.push_back(std::move(def));
    return core::Status::Ok();
  }

  // The filter, and for an aggregate view its definition: expressions are compiled once here so a
  // bad one is reported at load time, at its place in the file.
  static core::Status AddAggregate(const config::ViewConfig& view, ViewDef* def) {
    def->root_table = view.root;
    def->filter = view.filter;
    def->filter_at = view.filter_location;
    for (const auto& n : def->nodes) {
      if (n.parent == 0 && !n.is_array) def->object_lookups.push_back(n.path);
    }
    if (!view.filter.empty()) {
      SqlExpression::Scope scope{view.root, def->object_lookups};
      auto compiled = SqlExpression::Compile(view.filter, scope, view.filter_location, "view '" + view.name + "': filter");
      if (!compiled.ok()) return compiled.status();
    }
    if (!view.is_aggregate()) return core::Status::Ok();
    WEFT_ASSIGN_OR_RETURN(AggregateDef agg, BuildAggregateDef(view, *def));
    if (!agg.having.empty()) {
      auto compiled = SqlExpression::Compile(agg.having, SqlExpression::Scope{}, agg.having_at,
                                             "view '" + view.name + "': having");
      if (!compiled.ok()) return compiled.status();
      std::vector<std::string> names{"window_start", "window_end"};
      for (const auto& k : agg.keys) names.push_back(k.name);
      for (const auto& a : agg.aggs) names.push_back(a.name);
      for (const auto& [q, column] : (*compiled)->columns()) {
        if (std::find(names.begin(), names.end(), column) != names.end()) continue;
        std::string list;
        for (const auto& n : names) list += (list.empty() ? "" : ", ") + n;
        return core::InvalidArgument(Where(agg.having_at) + "view '" + view.name + "': having names \"" + column +
                                     "\", which is not a field of its documents (" + list + ")");
      }
    }
    def->aggregate = std::make_shared<const AggregateDef>(std::move(agg));
    return core::Status::Ok();
  }

  ViewSet set_;
};

}  // namespace

bool ColumnFilter::Keeps(const std::string& column) const {
  if (!fields.empty() && std::find(fields.begin(), fields.end(), column) == fields.end()) return false;
  return std::find(exclude.begin(), exclude.end(), column) == exclude.end();
}

bool TableDef::Stores(const std::string& column) const {
  if (included.count(column) || KeyColumn(column) >= 0) return true;
  return keep_all && !excluded.count(column);
}

int TableDef::KeyColumn(const std::string& column) const {
  const auto& keys = layout.key_columns;
  auto it = std::find(keys.begin(), keys.end(), column);
  return it == keys.end() ? -1 : static_cast<int>(it - keys.begin());
}

int ViewSet::FindTable(const std::string& source, const std::string& table) const {
  for (size_t i = 0; i < tables.size(); ++i) {
    if (tables[i].layout.source == source && tables[i].layout.table == table) return static_cast<int>(i);
  }
  return -1;
}

core::Result<ViewSet> BuildViewSet(const std::vector<config::ViewConfig>& views) { return Builder().Build(views); }

}  // namespace weft::view
