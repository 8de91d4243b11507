#pragma once
// TableReader: typed, located access to one TOML table, feeding every problem into Diagnostics.
// Each getter records the key as allowed; Finish() then reports every key nobody asked for as
// unknown (with the allowed keys and a "did you mean"), so the parser code is also the key list.
// Every string value goes through ${VAR} expansion. Single-threaded.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <toml++/toml.h>

#include "config/diagnostics.h"

namespace weft::config {

enum class Need { kOptional, kRequired };

// "string", "integer", "table", ... for "expected X, got Y" messages.
const char* TypeName(toml::node_type type);
Location LocationOf(const Diagnostics& diag, const toml::source_region& region);

class TableReader {
 public:
  // `scope` prefixes messages ("sources.shop"); `header` names the table for humans ("[sources.shop]").
  TableReader(const toml::table& table, std::string scope, std::string header, Diagnostics& diag);

  Location Where() const { return LocationOf(diag_, table_.source()); }
  // Location of the key's value, or of the table when the key is absent.
  Location WhereValue(std::string_view key) const;
  const std::string& scope() const { return scope_; }
  Diagnostics& diag() const { return diag_; }

  // Each getter returns true when the key is present and valid (and then writes *out); false when it
  // is absent (a problem only with Need::kRequired) or invalid (the problem is already reported).
  // A required string must also be non-empty after expansion.
  bool String(std::string_view key, std::string* out, Need need = Need::kOptional,
              bool* literal = nullptr);
  bool Int(std::string_view key, int64_t* out, int64_t min, int64_t max, Need need = Need::kOptional);
  bool Enum(std::string_view key, std::string* out, const std::vector<std::string>& allowed,
            Need need = Need::kOptional);
  bool StringList(std::string_view key, std::vector<std::string>* out, Need need = Need::kOptional);
  // The raw node (nullptr when absent); marks the key allowed. Missing + kRequired is reported.
  const toml::node* Node(std::string_view key, Need need = Need::kOptional);
  // Allows a key without reading it (e.g. a sub-table parsed elsewhere).
  void Allow(std::string_view key) { Remember(key); }

  // Reports keys that no getter asked for. `note` is appended to the table name, e.g. "(kind sqlite)".
  void Finish(const std::string& note = "");

  // Expands ${VAR} in a string node's text, reporting problems at the node. `what` names the value.
  static bool ExpandString(const toml::node& node, const std::string& what, Diagnostics& diag,
                           std::string* out, bool* literal = nullptr);

 private:
  void Remember(std::string_view key);
  std::string Path(std::string_view key) const { return scope_ + "." + std::string(key); }
  void ReportMissing(std::string_view key);
  void ReportType(std::string_view key, const toml::node& node, const char* expected);

  const toml::table& table_;
  std::string scope_;
  std::string header_;
  Diagnostics& diag_;
  std::vector<std::string> allowed_;
};

}  // namespace weft::config
