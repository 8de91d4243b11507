// [[views]] and their [[views.lookups]], with the cross-reference checks that need the whole
// config: sources and sinks named by views, duplicate names, and the lookup tree's shape.
#include <algorithm>
#include <cctype>
#include <map>

#include "config/sections.h"
#include "config/toml_reader.h"

namespace weft::config {
namespace {

std::string NameList(const std::vector<std::string>& names) {
  return names.empty() ? "none" : JoinNames(names);
}

// A view's `source = "x"` or `sink = "x"` must name a defined [sources.x] / [sinks.x].
void CheckDefined(TableReader& r, const char* key, const std::string& value, const char* section,
                  const std::vector<std::string>& defined) {
  for (const auto& name : defined) if (name == value) return;
  std::string message = r.scope() + "." + key + ": " + key + " \"" + value +
                        "\" is not defined (no [" + section + "." + value + "]; defined: " +
                        NameList(defined) + ")";
  if (std::string guess = ClosestMatch(value, defined); !guess.empty()) {
    message += "; did you mean \"" + guess + "\"?";
  }
  r.diag().Add(r.WhereValue(key), message);
}

// "fields" and "exclude" narrow the same columns in opposite ways: only one may be given.
void CheckFieldsOrExclude(TableReader& r) {
  if (r.Node("fields") != nullptr && r.Node("exclude") != nullptr) {
    r.diag().Add(r.WhereValue("exclude"),
                 r.scope() + ": give 'fields' (only these columns) or 'exclude' (all but these), "
                             "not both");
  }
}

bool ValidPath(const std::string& path) {
  if (path.empty() || path.front() == '.' || path.back() == '.') return false;
  if (path.find("..") != std::string::npos) return false;
  // MongoDB reserves '$'-prefixed field names; "_id" is the root's primary key.
  size_t start = 0;
  while (start <= path.size()) {
    size_t dot = path.find('.', start);
    std::string segment = path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (segment.empty() || segment[0] == '$') return false;
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return path != "_id";
}

std::string ParentPath(const std::string& path) {
  size_t dot = path.rfind('.');
  return dot == std::string::npos ? "" : path.substr(0, dot);
}

// Fills l->relation and, in step, *where with each pair's location.
void ParseRelation(TableReader& r, LookupConfig* l, std::vector<Location>* where) {
  const toml::node* node = r.Node("relation", Need::kRequired);
  if (node == nullptr) return;
  std::string what = r.scope() + ".relation";
  const char* shape = "an array of [parent field, column] pairs, e.g. [[\"order_id\", \"order_id\"]]";
  const toml::array* pairs = node->as_array();
  if (pairs == nullptr || pairs->empty()) {
    r.diag().Add(LocationOf(r.diag(), node->source()),
                 what + ": expected " + shape + ", got " +
                     (pairs ? std::string("an empty array") : TypeName(node->type())));
    return;
  }
  for (size_t i = 0; i < pairs->size(); ++i) {
    const toml::node& element = *pairs->get(i);
    std::string item = what + "[" + std::to_string(i) + "]";
    const toml::array* pair = element.as_array();
    if (pair == nullptr || pair->size() != 2 || !pair->get(0)->is_string() ||
        !pair->get(1)->is_string()) {
      r.diag().Add(LocationOf(r.diag(), element.source()),
                   item + ": expected a pair of strings [parent field, column of " +
                       (l->table.empty() ? "the lookup table" : l->table) + "]");
      continue;
    }
    std::string parent_field, column;
    bool ok = TableReader::ExpandString(*pair->get(0), item + "[0]", r.diag(), &parent_field);
    ok = TableReader::ExpandString(*pair->get(1), item + "[1]", r.diag(), &column) && ok;
    if (ok && (parent_field.empty() || column.empty())) {
      r.diag().Add(LocationOf(r.diag(), element.source()), item + ": names must not be empty");
      ok = false;
    }
    if (ok) {
      l->relation.emplace_back(parent_field, column);
      where->push_back(LocationOf(r.diag(), element.source()));
    }
  }
}

struct ParsedLookup {
  LookupConfig config;
  Location path_at;
  std::vector<Location> relation_at;  // parallel to config.relation
  bool path_ok = false;
};

// Where each relation's parent field points must agree with the lookup's parent.
void CheckRelationFields(Diagnostics& diag, const std::string& scope, const ParsedLookup& p,
                         const std::string& root_table) {
  const LookupConfig& l = p.config;
  const std::string parent = ParentPath(l.path);
  for (size_t i = 0; i < l.relation.size(); ++i) {
    const std::string& field = l.relation[i].first;
    std::string item = scope + ".relation[" + std::to_string(i) + "][0]";
    if (parent.empty()) {
      if (field.find('.') != std::string::npos) {
        diag.Add(p.relation_at[i],
                 item + ": \"" + field + "\": lookup \"" + l.path +
                     "\" hangs off the root, so its parent field is a column of the root table " +
                     (root_table.empty() ? std::string("") : "'" + root_table + "' ") +
                     "and holds no '.'");
      }
      continue;
    }
    std::string prefix = parent + ".";
    std::string rest = field.rfind(prefix, 0) == 0 ? field.substr(prefix.size()) : "";
    if (rest.empty() || rest.find('.') != std::string::npos) {
      size_t dot = field.rfind('.');
      std::string column = dot == std::string::npos ? field : field.substr(dot + 1);
      diag.Add(p.relation_at[i],
               item + ": \"" + field + "\" must name a column of the parent lookup \"" + parent +
                   "\", written \"" + prefix + "<column>\" (e.g. \"" + prefix + column + "\")");
    }
  }
}


ParsedLookup ParseLookup(const toml::table& table, const std::string& scope, ParseContext& ctx) {
  ParsedLookup out;
  LookupConfig& l = out.config;
  std::string label = table.get("path") && table.get("path")->is_string()
                          ? "\"" + table.get("path")->as_string()->get() + "\""
                          : scope;
  TableReader r(table, scope, "[[views.lookups]] " + label, ctx.diag);
  l.location = r.Where();
  r.String("table", &l.table, Need::kRequired);
  if (r.String("path", &l.path, Need::kRequired)) {
    out.path_at = r.WhereValue("path");
    out.path_ok = ValidPath(l.path);
    if (!out.path_ok) {
      ctx.diag.Add(out.path_at, scope + ".path: \"" + l.path +
                                    "\" is not a document path (dot-separated field names, none "
                                    "empty or starting with '$', and not \"_id\")");
    }
  }
  r.Enum("type", &l.type, {"object", "array"}, Need::kRequired);
  ParseRelation(r, &l, &out.relation_at);
  r.StringList("fields", &l.fields);
  r.StringList("exclude", &l.exclude);
  CheckFieldsOrExclude(r);
  r.Finish();
  return out;
}

// Parses [[views.lookups]] of one view, then checks the tree: unique paths, every parent defined
// by an earlier lookup, relation fields that point into the parent.
void ParseLookups(TableReader& view, const std::string& root_table, ParseContext& ctx,
                  std::vector<LookupConfig>* out) {
  const toml::node* node = view.Node("lookups");
  if (node == nullptr) return;
  const toml::array* array = node->as_array();
  if (array == nullptr) {
    ctx.diag.Add(LocationOf(ctx.diag, node->source()),
                 view.scope() + ".lookups: expected an array of tables ([[views.lookups]]), got " +
                     TypeName(node->type()));
    return;
  }
  std::vector<ParsedLookup> parsed;
  for (size_t i = 0; i < array->size(); ++i) {
    const toml::node& element = *array->get(i);
    std::string scope = view.scope() + ".lookups[" + std::to_string(i) + "]";
    if (const toml::table* table = element.as_table()) {
      parsed.push_back(ParseLookup(*table, scope, ctx));
    } else {
      ctx.diag.Add(LocationOf(ctx.diag, element.source()),
                   scope + ": expected a table ([[views.lookups]]), got " + TypeName(element.type()));
    }
  }
  std::map<std::string, size_t> seen;  // path -> index of its first lookup
  for (size_t i = 0; i < parsed.size(); ++i) {
    ParsedLookup& p = parsed[i];
    if (!p.path_ok) continue;
    std::string scope = view.scope() + ".lookups[" + std::to_string(i) + "]";
    if (auto it = seen.find(p.config.path); it != seen.end()) {
      ctx.diag.Add(p.path_at, scope + ".path: \"" + p.config.path +
                                  "\" is already the path of the lookup at " +
                                  parsed[it->second].path_at.ToString());
      continue;
    }
    seen.emplace(p.config.path, i);
    std::string parent = ParentPath(p.config.path);
    if (!parent.empty()) {
      auto it = seen.find(parent);
      if (it == seen.end()) {
        std::string message = scope + ".path: \"" + p.config.path + "\" needs its parent \"" +
                              parent + "\" defined by an earlier lookup of this view";
        for (size_t j = i + 1; j < parsed.size(); ++j) {
          if (parsed[j].config.path == parent) {
            message += " (it is defined later, at " + parsed[j].path_at.ToString() +
                       "; move that lookup before this one)";
            break;
          }
        }
        ctx.diag.Add(p.path_at, message);
        continue;
      }
      p.config.parent = static_cast<int>(it->second);
    }
    CheckRelationFields(ctx.diag, scope, p, root_table);
  }
  for (auto& p : parsed) out->push_back(std::move(p.config));
}

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

}  // namespace

void ParseViews(const toml::node* node, ParseContext& ctx, Config* config) {
  if (node == nullptr) return;
  const toml::array* array = node->as_array();
  if (array == nullptr) {
    ctx.diag.Add(LocationOf(ctx.diag, node->source()),
                 std::string("views: expected an array of tables ([[views]]), got ") +
                     TypeName(node->type()));
    return;
  }
  std::vector<std::string> sources, sinks;
  for (const auto& s : config->sources) sources.push_back(s.name);
  for (const auto& s : config->sinks) sinks.push_back(s.name);
  std::map<std::string, Location> names;                             // view name -> where
  std::map<std::pair<std::string, std::string>, Location> targets;  // (sink, collection) -> where

  for (size_t i = 0; i < array->size(); ++i) {
    const toml::node& element = *array->get(i);
    std::string scope = "views[" + std::to_string(i) + "]";
    const toml::table* table = element.as_table();
    if (table == nullptr) {
      ctx.diag.Add(LocationOf(ctx.diag, element.source()),
                   scope + ": expected a table ([[views]]), got " + TypeName(element.type()));
      continue;
    }
    std::string label = table->get("name") && table->get("name")->is_string()
                            ? "\"" + table->get("name")->as_string()->get() + "\""
                            : scope;
    TableReader r(*table, scope, "[[views]] " + label, ctx.diag);
    ViewConfig v;
    v.location = r.Where();
    if (r.String("name", &v.name, Need::kRequired)) {
      if (!ValidName(v.name)) {
        ctx.diag.Add(r.WhereValue("name"), scope + ".name: \"" + v.name +
                                               "\" may only hold letters, digits, '_' and '-'");
      } else if (auto it = names.find(v.name); it != names.end()) {
        ctx.diag.Add(r.WhereValue("name"), scope + ".name: the view name \"" + v.name +
                                               "\" is already used by the view at " +
                                               it->second.ToString());
      } else {
        names.emplace(v.name, r.WhereValue("name"));
      }
    }
    if (r.String("source", &v.source, Need::kRequired)) {
      CheckDefined(r, "source", v.source, "sources", sources);
    }
    r.String("root", &v.root, Need::kRequired);
    if (r.String("sink", &v.sink, Need::kRequired)) CheckDefined(r, "sink", v.sink, "sinks", sinks);
    if (r.Node("collection") == nullptr) {
      v.collection = v.name;
    } else if (r.String("collection", &v.collection) && v.collection.empty()) {
      ctx.diag.Add(r.WhereValue("collection"),
                   scope + ".collection: must not be empty (leave it out to use the view name)");
    }
    if (!v.sink.empty() && !v.collection.empty()) {
      // Two views in one collection would delete each other's documents on --oneshot.
      auto key = std::make_pair(v.sink, v.collection);
      Location at = r.Node("collection") ? r.WhereValue("collection") : r.WhereValue("name");
      if (auto it = targets.find(key); it != targets.end()) {
        ctx.diag.Add(at, scope + ": collection \"" + v.collection + "\" of sink \"" + v.sink +
                             "\" is already written by the view at " + it->second.ToString() +
                             "; give each view its own collection");
      } else {
        targets.emplace(key, at);
      }
    }
    r.StringList("fields", &v.fields);
    r.StringList("exclude", &v.exclude);
    CheckFieldsOrExclude(r);
    ParseLookups(r, v.root, ctx, &v.lookups);
    ParseAggregateView(r, ctx, &v);
    r.Finish();
    config->views.push_back(std::move(v));
  }
}

}  // namespace weft::config
