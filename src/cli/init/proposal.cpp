#include "cli/init/proposal.h"

#include <algorithm>
#include <map>
#include <set>

#include "cli/init/names.h"

namespace weft::cli::init {
namespace {

using source::SchemaGraph;
using source::SchemaRelation;
using source::SchemaTable;

// The child's primary key holds every column of the relation: the child row belongs to its parent.
bool Identifying(const SchemaGraph& graph, const SchemaRelation& r) {
  const SchemaTable* child = graph.Find(r.child);
  if (!child || child->primary_key.empty() || r.parent == r.child) return false;
  for (const auto& c : r.child_columns) {
    if (std::find(child->primary_key.begin(), child->primary_key.end(), c) == child->primary_key.end()) return false;
  }
  return true;
}

bool Keyed(const SchemaGraph& graph, const std::string& table) {
  const SchemaTable* t = graph.Find(table);
  return t && !t->primary_key.empty();
}

std::vector<std::pair<std::string, std::string>> PickRoots(const SchemaGraph& graph) {
  std::set<std::string> owners, owned, parents, children;
  std::map<std::string, int> degree;
  for (const auto& r : graph.relations) {
    if (r.parent == r.child) continue;
    if (Identifying(graph, r)) {
      owners.insert(r.parent);
      owned.insert(r.child);
    }
    parents.insert(r.parent);
    children.insert(r.child);
    ++degree[r.parent];
    ++degree[r.child];
  }
  std::vector<std::pair<std::string, std::string>> roots;  // (table, reason)
  for (const auto& t : owners) {
    if (!owned.count(t) && Keyed(graph, t)) {
      roots.push_back({t, "an aggregate root: other tables' rows belong to it (their primary key holds its key)"});
    }
  }
  if (!roots.empty()) return roots;
  for (const auto& t : parents) {
    if (!children.count(t) && Keyed(graph, t)) {
      roots.push_back({t, "referenced by other tables and a child of none"});
    }
  }
  // The hub of a schema with surrogate keys (orders between customers and order_items) is neither
  // owned nor top-level; the most related tables catch it.
  int best = 0;
  for (const auto& [t, d] : degree) {
    if (Keyed(graph, t)) best = std::max(best, d);
  }
  for (const auto& [t, d] : degree) {
    if (d != best || best == 0 || !Keyed(graph, t)) continue;
    bool listed = false;
    for (const auto& r : roots) listed = listed || r.first == t;
    if (!listed) roots.push_back({t, "one of the tables with the most relations (" + std::to_string(d) + ")"});
  }
  return roots;
}

class TreeBuilder {
 public:
  TreeBuilder(const SchemaGraph& graph, const ProposalOptions& options, ProposedView* view)
      : graph_(graph), options_(options), view_(view) {
    std::vector<std::string> names;
    for (const auto& t : graph.tables) names.push_back(t.name);
    prefix_ = CommonPrefix(names);
  }

  // Adds the lookups of node `table` at `path` ("" for the root). `via` is the relation that led
  // here (nullptr at the root); `object` says the node is an object lookup (no children below it).
  void Expand(const std::string& table, const std::string& path, const SchemaRelation* via, bool object, int depth,
              std::vector<std::string>* on_path) {
    std::set<std::string> used;  // segments taken under this node
    const SchemaTable* node = graph_.Find(table);
    for (const auto& r : graph_.relations) {
      if (&r == via || r.parent == r.child) continue;
      const bool up = r.child == table;
      const bool down = r.parent == table && !object;
      if (!up && !down) continue;
      const std::string& next = up ? r.parent : r.child;
      const std::string where = path.empty() ? "the root" : "\"" + path + "\"";
      if (std::find(on_path->begin(), on_path->end(), next) != on_path->end()) {
        view_->notes.push_back("not embedded under " + where + ": " + next + " (" + Describe(r) +
                               ") is already on the path from the root (a cycle)");
        continue;
      }
      if (!options_.keyless_lookups && !Keyed(graph_, next)) {
        view_->notes.push_back("not embedded under " + where + ": " + next + " (" + Describe(r) +
                               "), it has no primary key (give it one, or ALTER TABLE " + next +
                               " REPLICA IDENTITY FULL and add the lookup by hand)");
        continue;
      }
      if (depth > options_.max_depth) {
        view_->notes.push_back("not embedded under " + where + ": " + next + " (" + Describe(r) + "), deeper than " +
                               std::to_string(options_.max_depth) + " levels (weft init --max-depth N)");
        continue;
      }
      ProposedLookup l;
      l.table = next;
      l.array = !up;
      l.depth = depth;
      l.via = r;
      l.parent_table = table;
      const std::string segment = Segment(r, up, node, &used);
      l.path = path.empty() ? segment : path + "." + segment;
      const std::string field_prefix = path.empty() ? "" : path + ".";
      for (size_t i = 0; i < r.child_columns.size(); ++i) {
        if (up) {
          l.relation.push_back({field_prefix + r.child_columns[i], r.parent_columns[i]});
        } else {
          l.relation.push_back({field_prefix + r.parent_columns[i], r.child_columns[i]});
        }
      }
      l.fan_out = up ? EstimateFanOut(graph_.Find(table), graph_.Find(next))
                     : EstimateFanOut(graph_.Find(next), graph_.Find(table));
      const std::string child_path = l.path;
      view_->lookups.push_back(std::move(l));
      on_path->push_back(next);
      Expand(next, child_path, &r, up, depth + 1, on_path);
      on_path->pop_back();
    }
  }

 private:
  static std::string Describe(const SchemaRelation& r) {
    std::string s = r.child + "(";
    for (size_t i = 0; i < r.child_columns.size(); ++i) s += (i ? ", " : "") + r.child_columns[i];
    s += ") -> " + r.parent + "(";
    for (size_t i = 0; i < r.parent_columns.size(); ++i) s += (i ? ", " : "") + r.parent_columns[i];
    return s + ")";
  }

  // An object is named after its key column ("customer_id" -> "customer"), which keeps two
  // relations to one table apart (billing_address_id, shipping_address_id); an array after the
  // child table without the common prefix ("ecom_order_items" -> "order_items"). A name that a
  // column of the node or a sibling already has gets "_info" (then a number).
  std::string Segment(const SchemaRelation& r, bool up, const SchemaTable* node, std::set<std::string>* used) const {
    std::string base;
    if (up && r.child_columns.size() == 1) {
      const std::string& c = r.child_columns[0];
      if (c.size() > 3 && c.compare(c.size() - 3, 3, "_id") == 0) base = c.substr(0, c.size() - 3);
    }
    if (base.empty()) base = up ? Singular(StripPrefix(r.parent, prefix_)) : StripPrefix(r.child, prefix_);
    base = SafeName(base);
    if (base[0] == '$') base[0] = '_';
    auto taken = [&](const std::string& s) { return used->count(s) || (node && node->HasColumn(s)) || s == "_id"; };
    std::string segment = base;
    if (taken(segment)) segment = base + "_info";
    for (int n = 2; taken(segment); ++n) segment = base + "_" + std::to_string(n);
    used->insert(segment);
    return segment;
  }

  const SchemaGraph& graph_;
  const ProposalOptions& options_;
  ProposedView* view_;
  std::string prefix_;
};

}  // namespace

double EstimateFanOut(const SchemaTable* many, const SchemaTable* one) {
  if (!many || !one || many->estimated_rows < 0 || one->estimated_rows <= 0) return -1;
  return many->estimated_rows / one->estimated_rows;
}

Proposal Propose(const SchemaGraph& graph, const ProposalOptions& options) {
  Proposal proposal;
  std::vector<std::pair<std::string, std::string>> roots;
  if (!options.roots.empty()) {
    for (const auto& r : options.roots) roots.push_back({r, "chosen with --root"});
  } else {
    roots = PickRoots(graph);
  }
  std::vector<std::string> names;
  for (const auto& t : graph.tables) names.push_back(t.name);
  const std::string prefix = CommonPrefix(names);
  std::set<std::string> view_names;
  for (const auto& [root, reason] : roots) {
    ProposedView view;
    view.root = root;
    view.reason = reason;
    std::string name = SafeName(StripPrefix(root, prefix));
    for (int n = 2; view_names.count(name); ++n) name = SafeName(StripPrefix(root, prefix)) + "_" + std::to_string(n);
    view_names.insert(name);
    view.name = name;
    TreeBuilder builder(graph, options, &view);
    std::vector<std::string> on_path = {root};
    builder.Expand(root, "", nullptr, false, 1, &on_path);
    proposal.views.push_back(std::move(view));
  }
  if (graph.relations.empty()) {
    proposal.notes.push_back(
        "no foreign keys are declared and no column names match another table's key, so no "
        "view is proposed: name a root with --root TABLE and add its [[views.lookups]] by hand");
  }
  for (const auto& t : graph.tables) {
    if (t.primary_key.empty()) {
      proposal.notes.push_back("table " + t.name +
                               " has no primary key: it is never proposed as a root, and as a "
                               "lookup its identical rows are one row to weft");
    }
  }
  return proposal;
}

}  // namespace weft::cli::init
