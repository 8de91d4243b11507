#pragma once
// ${VAR} expansion for config strings. "${NAME}" is replaced by the environment variable NAME
// (NAME: a letter or '_', then letters, digits, '_'); "$${" is a literal "${"; any other '$' is kept.
// A variable that is set but empty expands to "". Thread-safe as long as nobody calls setenv().

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace weft::config {

struct Expansion {
  std::string value;                  // the expanded text (meaningful only when ok())
  int references = 0;                 // how many ${VAR} the text held: 0 means a literal value
  std::vector<std::string> missing;   // variables that are not set, in order of appearance
  std::string syntax_error;           // e.g. an unterminated "${", with the fix
  bool ok() const { return missing.empty() && syntax_error.empty(); }
};

// `lookup` returns the variable's value or nullopt when unset; the default reads the environment.
using EnvLookup = std::function<std::optional<std::string>(const std::string&)>;
Expansion ExpandEnv(std::string_view text, const EnvLookup& lookup = {});

}  // namespace weft::config
