#include "config/diagnostics.h"

#include <algorithm>

namespace weft::config {

void Diagnostics::Add(const Location& where, std::string message) {
  problems_.push_back(Problem{where, std::move(message), problems_.size()});
}

std::string Diagnostics::Format() const {
  std::vector<const Problem*> sorted;
  sorted.reserve(problems_.size());
  for (const auto& p : problems_) sorted.push_back(&p);
  // File order reads like a compiler's output; problems found by later passes (cross references)
  // still land next to the lines they are about.
  std::stable_sort(sorted.begin(), sorted.end(), [](const Problem* a, const Problem* b) {
    if (a->where.line != b->where.line) return a->where.line < b->where.line;
    if (a->where.column != b->where.column) return a->where.column < b->where.column;
    return a->order < b->order;
  });
  std::string out;
  for (const Problem* p : sorted) {
    if (!out.empty()) out += '\n';
    out += p->where.ToString();
    out += ": ";
    out += p->message;
  }
  return out;
}

size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t above = row[j];
      size_t substitute = diagonal + (a[i - 1] == b[j - 1] ? 0 : 1);
      row[j] = std::min({above + 1, row[j - 1] + 1, substitute});
      diagonal = above;
    }
  }
  return row[b.size()];
}

std::string ClosestMatch(std::string_view word, const std::vector<std::string>& candidates) {
  size_t limit = std::max<size_t>(1, word.size() / 3);
  std::string best;
  size_t best_distance = limit + 1;
  for (const auto& candidate : candidates) {
    size_t d = EditDistance(word, candidate);
    if (d < best_distance) {
      best_distance = d;
      best = candidate;
    }
  }
  return best;
}

std::string JoinNames(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) {
    if (!out.empty()) out += ", ";
    out += n;
  }
  return out;
}

}  // namespace weft::config
