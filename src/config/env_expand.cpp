#include "config/env_expand.h"

#include <cctype>
#include <cstdlib>

namespace weft::config {
namespace {

std::optional<std::string> FromEnvironment(const std::string& name) {
  const char* value = std::getenv(name.c_str());
  if (value == nullptr) return std::nullopt;
  return std::string(value);
}

bool ValidName(std::string_view name) {
  if (name.empty()) return false;
  if (!(std::isalpha(static_cast<unsigned char>(name[0])) || name[0] == '_')) return false;
  for (char c : name) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) return false;
  }
  return true;
}

}  // namespace

Expansion ExpandEnv(std::string_view text, const EnvLookup& lookup) {
  Expansion out;
  const EnvLookup& get = lookup ? lookup : EnvLookup(FromEnvironment);
  size_t i = 0;
  while (i < text.size()) {
    if (text.compare(i, 3, "$${") == 0) {
      out.value += "${";
      i += 3;
      continue;
    }
    if (text.compare(i, 2, "${") != 0) {
      out.value += text[i++];
      continue;
    }
    size_t close = text.find('}', i + 2);
    if (close == std::string_view::npos) {
      out.syntax_error = "unterminated \"${\" (close it with '}', or write \"$${\" for a literal \"${\")";
      return out;
    }
    std::string name(text.substr(i + 2, close - i - 2));
    if (!ValidName(name)) {
      out.syntax_error = "\"${" + name + "}\" is not a valid variable reference (names are letters, "
                         "digits and '_'; write \"$${\" for a literal \"${\")";
      return out;
    }
    ++out.references;
    if (auto value = get(name)) {
      out.value += *value;
    } else {
      out.missing.push_back(name);
    }
    i = close + 1;
  }
  return out;
}

}  // namespace weft::config
