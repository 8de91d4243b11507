#include "config/toml_reader.h"

#include <algorithm>

#include "config/env_expand.h"

namespace weft::config {

const char* TypeName(toml::node_type type) {
  switch (type) {
    case toml::node_type::table: return "a table";
    case toml::node_type::array: return "an array";
    case toml::node_type::string: return "a string";
    case toml::node_type::integer: return "an integer";
    case toml::node_type::floating_point: return "a float";
    case toml::node_type::boolean: return "a boolean";
    case toml::node_type::date: return "a date";
    case toml::node_type::time: return "a time";
    case toml::node_type::date_time: return "a date-time";
    case toml::node_type::none: break;
  }
  return "nothing";
}

Location LocationOf(const Diagnostics& diag, const toml::source_region& region) {
  return diag.At(static_cast<int>(region.begin.line), static_cast<int>(region.begin.column));
}

TableReader::TableReader(const toml::table& table, std::string scope, std::string header,
                         Diagnostics& diag)
    : table_(table), scope_(std::move(scope)), header_(std::move(header)), diag_(diag) {}

Location TableReader::WhereValue(std::string_view key) const {
  const toml::node* node = table_.get(key);
  return node ? LocationOf(diag_, node->source()) : Where();
}

void TableReader::Remember(std::string_view key) {
  if (std::find(allowed_.begin(), allowed_.end(), key) == allowed_.end()) {
    allowed_.emplace_back(key);
  }
}

void TableReader::ReportMissing(std::string_view key) {
  diag_.Add(Where(), header_ + " is missing the required key '" + std::string(key) + "'");
}

void TableReader::ReportType(std::string_view key, const toml::node& node, const char* expected) {
  diag_.Add(LocationOf(diag_, node.source()),
            Path(key) + ": expected " + expected + ", got " + TypeName(node.type()));
}

const toml::node* TableReader::Node(std::string_view key, Need need) {
  Remember(key);
  const toml::node* node = table_.get(key);
  if (node == nullptr && need == Need::kRequired) ReportMissing(key);
  return node;
}

bool TableReader::ExpandString(const toml::node& node, const std::string& what, Diagnostics& diag,
                               std::string* out, bool* literal) {
  Expansion e = ExpandEnv(node.as_string()->get());
  Location at = LocationOf(diag, node.source());
  if (!e.syntax_error.empty()) {
    diag.Add(at, what + ": " + e.syntax_error);
    return false;
  }
  for (const auto& name : e.missing) {
    diag.Add(at, what + ": environment variable " + name + " is not set (referenced as ${" + name +
                     "}; export it, or write \"$${\" for a literal \"${\")");
  }
  if (!e.ok()) return false;
  *out = std::move(e.value);
  if (literal) *literal = e.references == 0;
  return true;
}

bool TableReader::String(std::string_view key, std::string* out, Need need, bool* literal) {
  const toml::node* node = Node(key, need);
  if (node == nullptr) return false;
  if (!node->is_string()) {
    ReportType(key, *node, "a string");
    return false;
  }
  std::string value;
  if (!ExpandString(*node, Path(key), diag_, &value, literal)) return false;
  if (need == Need::kRequired && value.empty()) {
    diag_.Add(LocationOf(diag_, node->source()), Path(key) + ": must not be empty");
    return false;
  }
  *out = std::move(value);
  return true;
}

bool TableReader::Int(std::string_view key, int64_t* out, int64_t min, int64_t max, Need need) {
  const toml::node* node = Node(key, need);
  if (node == nullptr) return false;
  if (!node->is_integer()) {
    ReportType(key, *node, "an integer");
    return false;
  }
  int64_t value = node->as_integer()->get();
  if (value < min || value > max) {
    diag_.Add(LocationOf(diag_, node->source()), Path(key) + ": " + std::to_string(value) +
                                                     " is out of range (" + std::to_string(min) +
                                                     ".." + std::to_string(max) + ")");
    return false;
  }
  *out = value;
  return true;
}

bool TableReader::Enum(std::string_view key, std::string* out, const std::vector<std::string>& allowed,
                       Need need) {
  std::string value;
  if (!String(key, &value, need)) return false;
  if (std::find(allowed.begin(), allowed.end(), value) != allowed.end()) {
    *out = value;
    return true;
  }
  std::string message = Path(key) + ": \"" + value + "\" is not one of " + JoinNames(allowed);
  if (std::string guess = ClosestMatch(value, allowed); !guess.empty()) {
    message += " (did you mean \"" + guess + "\"?)";
  }
  diag_.Add(WhereValue(key), message);
  return false;
}

bool TableReader::StringList(std::string_view key, std::vector<std::string>* out, Need need) {
  const toml::node* node = Node(key, need);
  if (node == nullptr) return false;
  const toml::array* array = node->as_array();
  if (array == nullptr) {
    ReportType(key, *node, "an array of strings");
    return false;
  }
  std::vector<std::string> values;
  bool ok = true;
  for (size_t i = 0; i < array->size(); ++i) {
    const toml::node& element = *array->get(i);
    std::string what = Path(key) + "[" + std::to_string(i) + "]";
    std::string value;
    if (!element.is_string()) {
      diag_.Add(LocationOf(diag_, element.source()),
                what + ": expected a string, got " + TypeName(element.type()));
      ok = false;
    } else if (!ExpandString(element, what, diag_, &value)) {
      ok = false;
    } else if (value.empty()) {
      diag_.Add(LocationOf(diag_, element.source()), what + ": must not be empty");
      ok = false;
    } else {
      values.push_back(std::move(value));
    }
  }
  if (!ok) return false;
  *out = std::move(values);
  return true;
}

void TableReader::Finish(const std::string& note) {
  for (auto&& [key, node] : table_) {
    std::string_view name = key.str();
    if (std::find(allowed_.begin(), allowed_.end(), name) != allowed_.end()) continue;
    std::string message = "unknown key '" + std::string(name) + "' in " + header_;
    if (!note.empty()) message += " " + note;
    if (std::string guess = ClosestMatch(name, allowed_); !guess.empty()) {
      message += "; did you mean '" + guess + "'?";
    }
    message += " (allowed keys: " + JoinNames(allowed_) + ")";
    diag_.Add(LocationOf(diag_, key.source()), message);
  }
}

}  // namespace weft::config
