#include "cli/init/names.h"

#include <cctype>

namespace weft::cli::init {
namespace {

bool EndsWith(const std::string& s, const std::string& suffix) {
  return s.size() > suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

std::string Singular(const std::string& word) {
  if (EndsWith(word, "ies")) return word.substr(0, word.size() - 3) + "y";
  for (const char* suffix : {"sses", "xes", "ches", "shes", "uses"}) {
    if (EndsWith(word, suffix)) return word.substr(0, word.size() - 2);
  }
  if (EndsWith(word, "s") && !EndsWith(word, "ss") && !EndsWith(word, "us") && !EndsWith(word, "is")) {
    return word.substr(0, word.size() - 1);
  }
  return word;
}

std::string CommonPrefix(const std::vector<std::string>& names) {
  if (names.size() < 2) return "";
  std::string prefix = names[0];
  for (const auto& n : names) {
    size_t i = 0;
    while (i < prefix.size() && i < n.size() && prefix[i] == n[i]) ++i;
    prefix.resize(i);
  }
  size_t underscore = prefix.rfind('_');
  return underscore == std::string::npos ? "" : prefix.substr(0, underscore + 1);
}

std::string StripPrefix(const std::string& name, const std::string& prefix) {
  if (prefix.empty() || name.size() <= prefix.size() || name.compare(0, prefix.size(), prefix) != 0) return name;
  return name.substr(prefix.size());
}

std::string SafeName(const std::string& name) {
  std::string out;
  for (char c : name) {
    out.push_back(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' ? c : '_');
  }
  return out.empty() ? "x" : out;
}

std::string SlotSafeName(const std::string& name) {
  std::string out;
  for (char c : name) {
    unsigned char u = static_cast<unsigned char>(c);
    out.push_back(std::isalnum(u) ? static_cast<char>(std::tolower(u)) : '_');
  }
  return out.empty() ? "x" : out;
}

}  // namespace weft::cli::init
