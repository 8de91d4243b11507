#include "view/aggregate/path_check.h"

#include <algorithm>

#include "view/aggregate/sql_expr.h"

namespace weft::view {
namespace {

std::string Where(const config::Location& at) { return at.file.empty() ? "" : at.ToString() + ": "; }

std::string List(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out.empty() ? "none" : out;
}

class PathChecker {
 public:
  PathChecker(const config::ViewConfig& view,
              const std::function<const std::vector<std::string>*(const std::string&)>& columns_of)
      : view_(view), columns_of_(columns_of) {}

  // `path` is "<lookup>.<column>" or a root column; `key` names the config key in messages.
  void Path(const std::string& path, const config::Location& at, const std::string& key) {
    std::string table = view_.root, column = path, lookup;
    for (const auto& l : view_.lookups) {
      if (path.size() > l.path.size() && path.compare(0, l.path.size(), l.path) == 0 && path[l.path.size()] == '.' &&
          l.path.size() > lookup.size()) {
        lookup = l.path;
        table = l.table;
        column = path.substr(l.path.size() + 1);
      }
    }
    Column(table, column, lookup, at, key + " reads \"" + path + "\"");
  }

  void Column(const std::string& table, const std::string& column, const std::string& lookup,
              const config::Location& at, const std::string& what) {
    const std::vector<std::string>* columns = columns_of_(table);
    if (!columns || std::find(columns->begin(), columns->end(), column) != columns->end()) return;
    std::string in = lookup.empty() ? "the root table `" + table + "`" : "table `" + table + "` of lookup '" + lookup + "'";
    if (column.find('.') != std::string::npos) {
      out_.push_back(Where(at) + "view '" + view_.name + "', " + what + ": '" + column +
                     "' is not a column of " + in + " and no lookup has that path; fix the path");
      return;
    }
    out_.push_back(Where(at) + "view '" + view_.name + "', " + what + ": " + in + " has no column '" + column +
                   "' (columns: " + List(*columns) + "); fix the path or restore the column");
  }

  std::vector<std::string> Run() {
    for (const auto& k : view_.group_by) Path(k.path, k.location, "group_by." + k.name);
    for (const auto& a : view_.aggregates) {
      if (a.path != "*") Path(a.path, a.location, "aggregates." + a.name);
    }
    if (!view_.filter.empty()) {
      std::vector<std::string> objects;
      for (const auto& l : view_.lookups) {
        if (l.parent < 0 && l.type == "object") objects.push_back(l.path);
      }
      auto expr = SqlExpression::Compile(view_.filter, {view_.root, objects}, view_.filter_location, "filter");
      if (!expr.ok()) {
        out_.push_back(expr.status().message());
      } else {
        for (const auto& [q, column] : (*expr)->columns()) {
          std::string table = view_.root;
          for (const auto& l : view_.lookups) {
            if (l.path == q) table = l.table;
          }
          Column(table, column, q, view_.filter_location, "filter");
        }
      }
    }
    return std::move(out_);
  }

 private:
  const config::ViewConfig& view_;
  const std::function<const std::vector<std::string>*(const std::string&)>& columns_of_;
  std::vector<std::string> out_;
};

}  // namespace

std::vector<std::string> CheckViewPaths(
    const config::ViewConfig& view,
    const std::function<const std::vector<std::string>*(const std::string& table)>& columns_of) {
  return PathChecker(view, columns_of).Run();
}

}  // namespace weft::view
