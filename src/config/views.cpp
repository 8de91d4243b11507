// [[views]] and their [[views.lookups]], with the cross-reference checks that need the whole
// config: sources and sinks named by views, duplicate names, and the lookup tree's shape.
#include <map>

#include "config/aggregate_views.h"
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

}  // namespace

bool ValidDocumentPath(const std::string& path) {
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

namespace {

bool ValidPath(const std::string& path) { return ValidDocumentPath(path); }

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
