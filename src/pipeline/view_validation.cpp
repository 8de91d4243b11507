#include "pipeline/view_validation.h"

#include <algorithm>

#include "config/diagnostics.h"
#include "view/aggregate/path_check.h"

namespace weft::pipeline {
namespace {

constexpr size_t kMaxListed = 40;  // names listed after "Tables of ..." / "Columns of ..."

std::string Where(const config::Location& location) {
  return location.file.empty() ? "" : location.ToString() + ": ";
}

std::string Listed(const std::vector<std::string>& names) {
  if (names.empty()) return "none";
  if (names.size() <= kMaxListed) return config::JoinNames(names);
  std::vector<std::string> first(names.begin(), names.begin() + kMaxListed);
  return config::JoinNames(first) + " and " + std::to_string(names.size() - kMaxListed) + " more";
}

// A near miss only: a typo of a few characters. (Names in one schema share prefixes, so the config
// loader's looser rule would suggest 'ecom_orders' for a dropped 'ecom_sellers'.)
std::string DidYouMean(const std::string& word, const std::vector<std::string>& candidates) {
  const size_t limit = std::max<size_t>(1, word.size() / 5);
  std::string best;
  size_t best_distance = limit + 1;
  for (const auto& c : candidates) {
    size_t d = config::EditDistance(word, c);
    if (d < best_distance) {
      best = c;
      best_distance = d;
    }
  }
  return best.empty() ? "" : "; did you mean '" + best + "'?";
}

class Checker {
 public:
  Checker(const SourceCatalog& catalog, std::vector<ViewProblem>* out) : catalog_(catalog), out_(out) {
    for (const auto& [name, columns] : catalog.tables) table_names_.push_back(name);
  }

  void View(const config::ViewConfig& view) {
    view_ = &view;
    const std::string what = Where(view.location) + "view '" + view.name + "'";
    const std::vector<std::string>* root = Table(view.root, what, "root table", "`root`");
    std::vector<const std::vector<std::string>*> node_columns;  // per lookup, its table's columns
    if (root) {
      Shown(*root, view.root, view.fields, "fields", what);
      Shown(*root, view.root, view.exclude, "exclude", what);
    }
    for (const auto& lookup : view.lookups) {
      const std::string lwhat = Where(lookup.location) + "view '" + view.name + "', lookup '" + lookup.path + "'";
      const std::vector<std::string>* columns = Table(lookup.table, lwhat, "table", "`table`");
      node_columns.push_back(columns);
      const bool under_root = lookup.parent < 0 || lookup.parent >= static_cast<int>(node_columns.size()) - 1;
      const std::vector<std::string>* parent = under_root ? root : node_columns[lookup.parent];
      const std::string& parent_table = under_root ? view.root : view.lookups[lookup.parent].table;
      const std::string prefix = under_root ? "" : view.lookups[lookup.parent].path + ".";
      for (const auto& [field, column] : lookup.relation) {
        if (parent) {
          std::string parent_column = field.compare(0, prefix.size(), prefix) == 0 ? field.substr(prefix.size()) : field;
          if (!Has(*parent, parent_column)) {
            Add(ViewProblem::Kind::kRelation,
                lwhat + ": relation field '" + field + "' names column '" + parent_column + "', which table `" +
                    parent_table + "` does not have" + DidYouMean(parent_column, *parent) + " (columns of " +
                    parent_table + ": " + Listed(*parent) + "); fix `relation` or restore the column");
          }
        }
        if (columns && !Has(*columns, column)) {
          Add(ViewProblem::Kind::kRelation,
              lwhat + ": relation column '" + column + "' does not exist in table `" + lookup.table + "`" +
                  DidYouMean(column, *columns) + " (columns of " + lookup.table + ": " + Listed(*columns) +
                  "); fix `relation` or restore the column");
        }
      }
      if (columns) {
        Shown(*columns, lookup.table, lookup.fields, "fields", lwhat);
        Shown(*columns, lookup.table, lookup.exclude, "exclude", lwhat);
      }
    }
    // The columns its filter, group keys and aggregates read (issue 11).
    auto columns_of = [&](const std::string& table) -> const std::vector<std::string>* {
      auto it = catalog_.tables.find(table);
      return it == catalog_.tables.end() ? nullptr : &it->second;
    };
    for (auto& message : view::CheckViewPaths(view, columns_of)) Add(ViewProblem::Kind::kFields, std::move(message));
  }

 private:
  static bool Has(const std::vector<std::string>& columns, const std::string& column) {
    return std::find(columns.begin(), columns.end(), column) != columns.end();
  }

  void Add(ViewProblem::Kind kind, std::string message) { out_->push_back({view_->name, kind, std::move(message)}); }

  const std::vector<std::string>* Table(const std::string& table, const std::string& what, const char* role,
                                        const char* key) {
    auto it = catalog_.tables.find(table);
    if (it != catalog_.tables.end()) return &it->second;
    Add(ViewProblem::Kind::kTable, what + ": " + role + " '" + table + "' does not exist in database `" +
                                       catalog_.database + "`" + DidYouMean(table, table_names_) + " (tables of " +
                                       catalog_.database + ": " + Listed(table_names_) +
                                       "); restore the table or fix " + key + " in the config");
    return nullptr;
  }

  void Shown(const std::vector<std::string>& columns, const std::string& table, const std::vector<std::string>& names,
             const char* key, const std::string& what) {
    for (const auto& name : names) {
      if (Has(columns, name)) continue;
      Add(std::string(key) == "fields" ? ViewProblem::Kind::kFields : ViewProblem::Kind::kExclude,
          what + ": `" + key + "` names column '" + name + "', which table `" + table + "` does not have" +
              DidYouMean(name, columns) + " (columns of " + table + ": " + Listed(columns) + "); fix `" + key +
              "` or restore the column");
    }
  }

  const SourceCatalog& catalog_;
  std::vector<ViewProblem>* out_;
  std::vector<std::string> table_names_;
  const config::ViewConfig* view_ = nullptr;
};

}  // namespace

std::vector<ViewProblem> ValidateViews(const std::vector<config::ViewConfig>& views, const std::string& source,
                                       const SourceCatalog& catalog) {
  std::vector<ViewProblem> problems;
  Checker checker(catalog, &problems);
  for (const auto& view : views) {
    if (view.source == source) checker.View(view);
  }
  return problems;
}

core::Result<std::vector<ViewProblem>> ValidateSourceViews(const config::SourceConfig& config,
                                                           const std::vector<config::ViewConfig>& views,
                                                           const source::CatalogLoader& load_catalog) {
  WEFT_ASSIGN_OR_RETURN(auto catalog, load_catalog(config));
  return ValidateViews(views, config.name, catalog);
}

}  // namespace weft::pipeline
