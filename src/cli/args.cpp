#include "cli/args.h"

namespace weft::cli {

Args::Args(int argc, char** argv, int first, const std::vector<OptionSpec>& specs) {
  for (int i = first; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg.size() < 2 || arg[0] != '-') {
      positional_.push_back(arg);
      continue;
    }
    const OptionSpec* spec = nullptr;
    std::string inline_value;
    bool has_inline = false;
    if (arg.rfind("--", 0) == 0) {
      std::string name = arg.substr(2);
      if (auto eq = name.find('='); eq != std::string::npos) {
        inline_value = name.substr(eq + 1);
        name = name.substr(0, eq);
        has_inline = true;
      }
      for (const auto& s : specs) if (s.long_name == name) spec = &s;
    } else if (arg.size() == 2) {
      for (const auto& s : specs) if (s.short_name == arg[1]) spec = &s;
    }
    if (!spec) {
      error_ = "unknown option '" + arg + "' (see --help)";
      return;
    }
    if (!spec->takes_value) {
      if (has_inline) {
        error_ = "option '--" + spec->long_name + "' takes no value";
        return;
      }
      values_[spec->long_name] = "";
      continue;
    }
    if (has_inline) {
      values_[spec->long_name] = inline_value;
    } else if (i + 1 < argc) {
      values_[spec->long_name] = argv[++i];
    } else {
      error_ = "option '" + arg + "' needs a value";
      return;
    }
  }
}

std::string Args::Get(const std::string& long_name, const std::string& fallback) const {
  auto it = values_.find(long_name);
  return it == values_.end() ? fallback : it->second;
}

}  // namespace weft::cli
