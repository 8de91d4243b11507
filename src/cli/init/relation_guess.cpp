#include "cli/init/relation_guess.h"

#include <set>
#include <string>
#include <utility>
#include <vector>

#include "cli/init/names.h"

namespace weft::cli::init {
namespace {

// Does table `t` go by `base` ("customer" for ecom_customers, customers, customer)?
bool NamedAs(const std::string& table, const std::string& prefix, const std::string& base) {
  const std::string stripped = StripPrefix(table, prefix);
  if (table == base || stripped == base || Singular(table) == base || Singular(stripped) == base) return true;
  // A role in front of the name: "shipping_address" goes by addresses.
  const std::string role_suffix = "_" + Singular(stripped);
  return base.size() > role_suffix.size() &&
         base.compare(base.size() - role_suffix.size(), role_suffix.size(), role_suffix) == 0;
}

}  // namespace

int AddGuessedRelations(source::SchemaGraph* graph) {
  std::vector<std::string> names;
  for (const auto& t : graph->tables) names.push_back(t.name);
  const std::string prefix = CommonPrefix(names);
  std::set<std::pair<std::string, std::string>> declared;  // (table, column) in a declared key
  for (const auto& r : graph->relations) {
    for (const auto& c : r.child_columns) declared.insert({r.child, c});
  }
  std::vector<source::SchemaRelation> guesses;
  for (const auto& child : graph->tables) {
    for (const auto& column : child.columns) {
      if (declared.count({child.name, column})) continue;
      if (child.primary_key.size() == 1 && child.primary_key[0] == column) continue;
      const bool id_suffix = column.size() > 3 && column.compare(column.size() - 3, 3, "_id") == 0;
      const std::string base = id_suffix ? column.substr(0, column.size() - 3) : "";
      std::vector<const source::SchemaTable*> by_key, by_name;
      for (const auto& parent : graph->tables) {
        if (&parent == &child || parent.primary_key.size() != 1) continue;
        const std::string& key = parent.primary_key[0];
        const bool named = !base.empty() && NamedAs(parent.name, prefix, base);
        if (key == column && key != "id") {
          by_key.push_back(&parent);
          if (named) by_name.push_back(&parent);
        } else if (key == "id" && named) {
          by_key.push_back(&parent);
          by_name.push_back(&parent);
        }
      }
      const source::SchemaTable* parent = by_name.size() == 1 ? by_name[0] : by_key.size() == 1 ? by_key[0] : nullptr;
      if (!parent) continue;
      source::SchemaRelation r;
      r.child = child.name;
      r.child_columns = {column};
      r.parent = parent->name;
      r.parent_columns = {parent->primary_key[0]};
      r.guessed = true;
      guesses.push_back(std::move(r));
    }
  }
  for (auto& g : guesses) graph->relations.push_back(std::move(g));
  return static_cast<int>(guesses.size());
}

}  // namespace weft::cli::init
