#pragma once
// A small, strict argv parser shared by the commands: "-c FILE", "--config FILE", "--from=X",
// boolean flags. Unknown options are errors (a typo must not silently change behaviour).

#include <map>
#include <set>
#include <string>
#include <vector>

namespace weft::cli {

struct OptionSpec {
  std::string long_name;   // "config"
  char short_name = 0;     // 'c'
  bool takes_value = false;
};

class Args {
 public:
  // Parses argv[first..argc). On error, error() is non-empty and names the bad option.
  Args(int argc, char** argv, int first, const std::vector<OptionSpec>& specs);

  const std::string& error() const { return error_; }
  bool Has(const std::string& long_name) const { return values_.count(long_name) > 0; }
  std::string Get(const std::string& long_name, const std::string& fallback = "") const;
  const std::vector<std::string>& positional() const { return positional_; }

 private:
  std::map<std::string, std::string> values_;
  std::vector<std::string> positional_;
  std::string error_;
};

}  // namespace weft::cli
