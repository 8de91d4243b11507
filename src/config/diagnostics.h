#pragma once
// Diagnostics: the problems found in one config file, collected so that LoadConfig() can report
// every one of them at once instead of stopping at the first. Single-threaded; owned by one load.

#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"

namespace weft::config {

class Diagnostics {
 public:
  explicit Diagnostics(std::string file) : file_(std::move(file)) {}

  const std::string& file() const { return file_; }
  Location At(int line, int column) const { return Location{file_, line, column}; }

  void Add(const Location& where, std::string message);
  bool empty() const { return problems_.empty(); }
  size_t size() const { return problems_.size(); }
  // One "file:line:col: message" line per problem, in file order (line, then column), joined by '\n'.
  std::string Format() const;

 private:
  struct Problem {
    Location where;
    std::string message;
    size_t order;  // insertion order breaks ties so messages at one spot keep their logical order
  };
  std::string file_;
  std::vector<Problem> problems_;
};

// Edit distance (insert, delete, substitute, swap neighbours), for "did you mean" suggestions.
size_t EditDistance(std::string_view a, std::string_view b);
// The closest candidate when it is a plausible typo of `word` (distance <= max(1, (len+2)/3)) or
// `word` abbreviates exactly one candidate (3+ characters); "" otherwise.
std::string ClosestMatch(std::string_view word, const std::vector<std::string>& candidates);
// "a, b, c"
std::string JoinNames(const std::vector<std::string>& names);

}  // namespace weft::config
