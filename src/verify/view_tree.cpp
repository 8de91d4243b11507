#include "verify/view_tree.h"

#include <algorithm>
#include <set>

namespace weft::verify {
namespace {

using change::TableSchema;

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

std::string Where(const config::Location& location) {
  return location.file.empty() ? "" : location.ToString() + ": ";
}

// The columns of `schema` the document shows, honouring fields/exclude.
core::Result<std::vector<int>> OutputColumns(const TableSchema& schema, const std::vector<std::string>& fields,
                                             const std::vector<std::string>& exclude, const std::string& what) {
  for (const auto* list : {&fields, &exclude}) {
    for (const auto& name : *list) {
      if (schema.ColumnIndex(name) < 0) {
        return core::NotFound(what + ": column '" + name + "' is not a column of table '" + schema.table +
                              "'; fix the fields/exclude list");
      }
    }
  }
  std::set<std::string> keep(fields.begin(), fields.end()), drop(exclude.begin(), exclude.end());
  std::vector<int> out;
  for (size_t i = 0; i < schema.columns.size(); ++i) {
    const std::string& name = schema.columns[i].name;
    if (!keep.empty() && !keep.count(name)) continue;
    if (drop.count(name)) continue;
    out.push_back(static_cast<int>(i));
  }
  return out;
}

struct Draft {
  const TableSchema* schema = nullptr;
  std::set<int> need;          // schema indexes to load
  std::vector<int> out, key;   // schema indexes
  std::vector<int> parent_cols, child_cols;
};

int Position(const std::vector<int>& load, int schema_index) {
  return static_cast<int>(std::lower_bound(load.begin(), load.end(), schema_index) - load.begin());
}

}  // namespace

core::Result<ViewTree> ResolveView(const config::ViewConfig& view,
                                   const std::map<std::string, TableSchema>& schemas) {
  ViewTree tree;
  tree.view = view.name;
  std::vector<Draft> drafts;
  const std::string view_what = Where(view.location) + "view '" + view.name + "'";

  auto schema_of = [&](const std::string& table, const std::string& what) -> core::Result<const TableSchema*> {
    auto it = schemas.find(table);
    if (it == schemas.end()) {
      return core::NotFound(what + ": table '" + table + "' does not exist in the source database");
    }
    return &it->second;
  };

  {
    WEFT_ASSIGN_OR_RETURN(const TableSchema* schema, schema_of(view.root, view_what));
    if (schema->primary_key.empty()) {
      return core::FailedPrecondition(view_what + ": root table '" + view.root +
                                      "' has no primary key, so its documents have no _id; add one");
    }
    ViewNode root;
    root.kind = ViewNode::Kind::kRoot;
    root.table = view.root;
    tree.nodes.push_back(root);
    Draft d;
    d.schema = schema;
    WEFT_ASSIGN_OR_RETURN(d.out, OutputColumns(*schema, view.fields, view.exclude, view_what));
    d.key = schema->primary_key;
    drafts.push_back(std::move(d));
  }

  for (const auto& lookup : view.lookups) {
    const std::string what = Where(lookup.location) + "view '" + view.name + "', lookup '" + lookup.path + "'";
    WEFT_ASSIGN_OR_RETURN(const TableSchema* schema, schema_of(lookup.table, what));
    if (lookup.type != "array" && lookup.type != "object") {
      return core::InvalidArgument(what + ": type must be \"object\" or \"array\", not \"" + lookup.type + "\"");
    }
    ViewNode node;
    node.kind = lookup.type == "array" ? ViewNode::Kind::kArray : ViewNode::Kind::kObject;
    node.table = lookup.table;
    node.path = lookup.path;
    if (lookup.path.empty()) return core::InvalidArgument(what + ": path is empty");

    // Longest earlier lookup path that prefixes this one; the root otherwise.
    int parent = 0;
    size_t best = 0;
    for (size_t i = 1; i < tree.nodes.size(); ++i) {
      const std::string& p = tree.nodes[i].path;
      if (p.size() > best && lookup.path.size() > p.size() && lookup.path.compare(0, p.size(), p) == 0 &&
          lookup.path[p.size()] == '.') {
        parent = static_cast<int>(i);
        best = p.size();
      }
    }
    node.parent = parent;
    node.place = SplitPath(best ? lookup.path.substr(best + 1) : lookup.path);
    for (const auto& seg : node.place) {
      if (seg.empty()) return core::InvalidArgument(what + ": path has an empty segment");
    }

    Draft d;
    d.schema = schema;
    WEFT_ASSIGN_OR_RETURN(d.out, OutputColumns(*schema, lookup.fields, lookup.exclude, what));
    d.key = schema->primary_key;
    if (d.key.empty()) {  // no primary key: order by every column, the only stable order there is
      for (size_t i = 0; i < schema->columns.size(); ++i) d.key.push_back(static_cast<int>(i));
    }
    if (lookup.relation.empty()) return core::InvalidArgument(what + ": relation is empty");
    const std::string prefix = parent == 0 ? "" : tree.nodes[parent].path + ".";
    Draft& pd = drafts[parent];
    for (const auto& [parent_field, child_column] : lookup.relation) {
      if (parent_field.compare(0, prefix.size(), prefix) != 0) {
        return core::InvalidArgument(what + ": relation field '" + parent_field + "' must start with '" + prefix +
                                     "' (the parent lookup's path)");
      }
      std::string column = parent_field.substr(prefix.size());
      int pi = pd.schema->ColumnIndex(column);
      if (pi < 0) {
        return core::NotFound(what + ": relation field '" + parent_field + "': '" + column +
                              "' is not a column of table '" + pd.schema->table + "'");
      }
      int ci = schema->ColumnIndex(child_column);
      if (ci < 0) {
        return core::NotFound(what + ": relation column '" + child_column + "' is not a column of table '" +
                              lookup.table + "'");
      }
      pd.need.insert(pi);
      d.parent_cols.push_back(pi);
      d.child_cols.push_back(ci);
    }
    tree.nodes[parent].children.push_back(static_cast<int>(tree.nodes.size()));
    tree.nodes.push_back(std::move(node));
    drafts.push_back(std::move(d));
  }

  // Now that every node knows which of its columns its children need, fix the loaded column lists
  // and translate schema indexes to positions in them.
  for (size_t i = 0; i < drafts.size(); ++i) {
    Draft& d = drafts[i];
    d.need.insert(d.out.begin(), d.out.end());
    d.need.insert(d.key.begin(), d.key.end());
    d.need.insert(d.child_cols.begin(), d.child_cols.end());
    ViewNode& node = tree.nodes[i];
    node.load.assign(d.need.begin(), d.need.end());
    for (int c : node.load) node.load_names.push_back(d.schema->columns[c].name);
    for (int c : d.out) node.out.push_back(Position(node.load, c));
    for (int c : d.key) node.key.push_back(Position(node.load, c));
    for (int c : d.child_cols) node.child_cols.push_back(Position(node.load, c));
  }
  // Parent positions need the parent's final load list, complete only after the loop above.
  for (size_t i = 1; i < drafts.size(); ++i) {
    const ViewNode& parent = tree.nodes[tree.nodes[i].parent];
    for (int c : drafts[i].parent_cols) tree.nodes[i].parent_cols.push_back(Position(parent.load, c));
  }
  return tree;
}

}  // namespace weft::verify
