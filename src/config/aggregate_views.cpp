// [[views]] keys of aggregate views and filters; see aggregate_views.h.
#include "config/aggregate_views.h"

#include <algorithm>
#include <cctype>

namespace weft::config {
namespace {

bool ValidPath(const std::string& path) { return ValidDocumentPath(path); }

std::string NameList(const std::vector<std::string>& names) { return names.empty() ? "none" : JoinNames(names); }

// A TOML table's entries in file order (toml++ keeps them sorted by key).
std::vector<std::pair<std::string, const toml::node*>> InFileOrder(const toml::table& table) {
  std::vector<std::pair<std::string, const toml::node*>> entries;
  for (const auto& [key, node] : table) entries.emplace_back(std::string(key.str()), &node);
  std::sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) {
    const auto& x = a.second->source().begin;
    const auto& y = b.second->source().begin;
    return x.line != y.line ? x.line < y.line : x.column < y.column;
  });
  return entries;
}

std::string Trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t");
  if (b == std::string::npos) return "";
  size_t e = s.find_last_not_of(" \t");
  return s.substr(b, e - b + 1);
}

// "fn(args)" -> fn (lowercased) and the text between the parentheses; false when not a call.
bool SplitCall(const std::string& text, std::string* fn, std::string* args) {
  std::string t = Trim(text);
  size_t open = t.find('(');
  if (open == std::string::npos || t.back() != ')') return false;
  *fn = Trim(t.substr(0, open));
  for (auto& c : *fn) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  *args = Trim(t.substr(open + 1, t.size() - open - 2));
  return !fn->empty();
}

// "1 minute", "30 seconds", "2 HOURS", "1 day" -> seconds; 0 when not an interval.
int64_t IntervalSeconds(std::string text) {
  text = Trim(text);
  size_t i = 0;
  while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) ++i;
  if (i == 0 || i > 9) return 0;
  int64_t n = std::stoll(text.substr(0, i));
  std::string unit = Trim(text.substr(i));
  for (auto& c : unit) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (unit.size() > 1 && unit.back() == 's') unit.pop_back();
  int64_t scale = unit == "second" ? 1 : unit == "minute" ? 60 : unit == "hour" ? 3600 : unit == "day" ? 86400 : 0;
  return n * scale;
}

// A field name of an aggregate document: one segment, not "_id", no '$'.
bool ValidFieldName(const std::string& name) {
  return ValidPath(name) && name.find('.') == std::string::npos;
}

void ParseGroupBy(TableReader& r, ViewConfig* v) {
  const toml::node* node = r.Node("group_by");
  if (node == nullptr) return;
  const toml::table* table = node->as_table();
  const std::string what = r.scope() + ".group_by";
  if (table == nullptr) {
    r.diag().Add(LocationOf(r.diag(), node->source()),
                 what + ": expected a table of name = \"path\" ([views.group_by]), got " + TypeName(node->type()));
    return;
  }
  int tumbles = 0;
  for (const auto& [name, value] : InFileOrder(*table)) {
    Location at = LocationOf(r.diag(), value->source());
    std::string item = what + "." + name;
    std::string text;
    if (!value->is_string()) {
      r.diag().Add(at, item + ": expected a document path or \"tumble(path, '1 minute')\", got " + TypeName(value->type()));
      continue;
    }
    if (!TableReader::ExpandString(*value, item, r.diag(), &text)) continue;
    if (!ValidFieldName(name)) {
      r.diag().Add(at, item + ": \"" + name + "\" is not a field name (no '.', no leading '$', not \"_id\")");
      continue;
    }
    GroupKeyConfig key;
    key.name = name;
    key.location = at;
    std::string fn, args;
    if (SplitCall(text, &fn, &args)) {
      size_t comma = args.find(',');
      std::string interval = comma == std::string::npos ? "" : Trim(args.substr(comma + 1));
      if (fn != "tumble" || comma == std::string::npos || interval.size() < 3 || interval.front() != '\'' ||
          interval.back() != '\'') {
        r.diag().Add(at, item + ": \"" + text + "\": a computed key is tumble(path, 'N unit'), e.g. "
                                                "tumble(sale_ts, '1 minute')");
        continue;
      }
      key.path = Trim(args.substr(0, comma));
      key.tumble_seconds = IntervalSeconds(interval.substr(1, interval.size() - 2));
      if (key.tumble_seconds <= 0) {
        r.diag().Add(at, item + ": " + interval + " is not an interval; write 'N second(s)|minute(s)|hour(s)|day(s)'");
        continue;
      }
      if (++tumbles > 1) {
        r.diag().Add(at, item + ": a view has at most one tumble() key (its window_start/window_end fields)");
        continue;
      }
    } else {
      key.path = Trim(text);
    }
    if (!ValidPath(key.path)) {
      r.diag().Add(at, item + ": \"" + key.path + "\" is not a document path (dot-separated field names)");
      continue;
    }
    v->group_by.push_back(std::move(key));
  }
}

void ParseAggregates(TableReader& r, ViewConfig* v) {
  const toml::node* node = r.Node("aggregates");
  if (node == nullptr) return;
  const toml::table* table = node->as_table();
  const std::string what = r.scope() + ".aggregates";
  if (table == nullptr || table->empty()) {
    r.diag().Add(LocationOf(r.diag(), node->source()),
                 what + ": expected a table of name = \"fn(path)\" ([views.aggregates]), got " +
                     (table ? std::string("an empty table") : TypeName(node->type())));
    return;
  }
  static const std::vector<std::string> kFunctions = {"count", "sum", "avg", "min", "max", "count_distinct"};
  for (const auto& [name, value] : InFileOrder(*table)) {
    Location at = LocationOf(r.diag(), value->source());
    std::string item = what + "." + name;
    std::string text, fn, arg;
    if (!value->is_string()) {
      r.diag().Add(at, item + ": expected \"fn(path)\", got " + TypeName(value->type()));
      continue;
    }
    if (!TableReader::ExpandString(*value, item, r.diag(), &text)) continue;
    if (!ValidFieldName(name)) {
      r.diag().Add(at, item + ": \"" + name + "\" is not a field name (no '.', no leading '$', not \"_id\")");
      continue;
    }
    if (!SplitCall(text, &fn, &arg)) {
      r.diag().Add(at, item + ": \"" + text + "\" is not a function call; write e.g. \"sum(total)\" (functions: " +
                           JoinNames(kFunctions) + ")");
      continue;
    }
    if (std::find(kFunctions.begin(), kFunctions.end(), fn) == kFunctions.end()) {
      std::string message = item + ": unknown function \"" + fn + "\" (functions: " + JoinNames(kFunctions) + ")";
      if (std::string guess = ClosestMatch(fn, kFunctions); !guess.empty()) message += "; did you mean \"" + guess + "\"?";
      r.diag().Add(at, message);
      continue;
    }
    if (arg == "*" ? fn != "count" : !ValidPath(arg)) {
      r.diag().Add(at, item + ": \"" + text + "\": the argument must be a document path" +
                           (fn == "count" ? std::string(" or *") : std::string(" (only count takes *)")));
      continue;
    }
    for (const auto& key : v->group_by) {
      if (key.name == name) r.diag().Add(at, item + ": \"" + name + "\" is already a group_by key; rename one");
    }
    v->aggregates.push_back({name, fn, arg, at});
  }
}

void ParseTop(TableReader& view, ParseContext& ctx, ViewConfig* v) {
  const toml::node* node = view.Node("top");
  if (node == nullptr) return;
  const toml::table* table = node->as_table();
  std::string scope = view.scope() + ".top";
  if (table == nullptr) {
    ctx.diag.Add(LocationOf(ctx.diag, node->source()), scope + ": expected a table ([views.top]), got " +
                                                           TypeName(node->type()));
    return;
  }
  TableReader r(*table, scope, "[views.top]", ctx.diag);
  TopConfig& top = v->top;
  top.location = r.Where();
  r.Int("n", &top.n, 1, 100000, Need::kRequired);
  std::string order = "desc";
  r.Enum("order", &order, {"desc", "asc"});
  top.descending = order == "desc";
  if (r.String("by", &top.by, Need::kRequired)) {
    bool found = false;
    std::vector<std::string> names;
    for (const auto& a : v->aggregates) {
      names.push_back(a.name);
      found = found || a.name == top.by;
    }
    if (!found) {
      ctx.diag.Add(r.WhereValue("by"), scope + ".by: \"" + top.by + "\" is not an aggregate of this view (aggregates: " +
                                           NameList(names) + ")");
    }
  }
  if (r.StringList("partition_by", &top.partition_by)) {
    std::vector<std::string> names;
    for (const auto& k : v->group_by) names.push_back(k.name);
    for (const auto& p : top.partition_by) {
      if (std::find(names.begin(), names.end(), p) == names.end()) {
        ctx.diag.Add(r.WhereValue("partition_by"), scope + ".partition_by: \"" + p +
                                                       "\" is not a group_by key of this view (keys: " +
                                                       NameList(names) + ")");
      }
    }
  }
  r.Finish();
}

}  // namespace

// filter (any view), and group_by / aggregates / having / top (aggregate views).
void ParseAggregateView(TableReader& r, ParseContext& ctx, ViewConfig* v) {
  if (r.String("filter", &v->filter)) v->filter_location = r.WhereValue("filter");
  ParseGroupBy(r, v);
  ParseAggregates(r, v);
  if (r.String("having", &v->having)) v->having_location = r.WhereValue("having");
  ParseTop(r, ctx, v);
  if (v->aggregates.empty()) {
    for (const char* key : {"group_by", "having", "top"}) {
      if (r.Node(key) != nullptr) {
        ctx.diag.Add(r.WhereValue(key), r.scope() + "." + key + ": only an aggregate view has " + key +
                                            "; add [views.aggregates] (e.g. orders = \"count(*)\")");
      }
    }
  }
  if (v->is_aggregate() && (!v->fields.empty() || !v->exclude.empty())) {
    ctx.diag.Add(r.WhereValue(v->fields.empty() ? "exclude" : "fields"),
                 r.scope() + ": an aggregate view's documents hold its keys and aggregates; drop fields/exclude");
  }
}

}  // namespace weft::config
