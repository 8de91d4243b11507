#include "config/diagnostics.h"

#include <algorithm>

namespace weft::config {

namespace {

// Messages quote what the file holds (a key, toml++'s "saw 'x'"); a control character in it would
// break the one-line-per-problem format or reach the terminal raw (found by tests/fuzz/config_fuzz).
std::string EscapeControls(std::string message) {
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  for (char ch : message) {
    unsigned char c = static_cast<unsigned char>(ch);
    if (c == '\n') out += "\\n";
    else if (c == '\t') out += "\\t";
    else if (c == '\r') out += "\\r";
    else if (c < 0x20 || c == 0x7F) out += std::string("\\x") + kHex[c >> 4] + kHex[c & 15];
    else out.push_back(ch);
  }
  return out;
}

}  // namespace

void Diagnostics::Add(const Location& where, std::string message) {
  problems_.push_back(Problem{where, EscapeControls(std::move(message)), problems_.size()});
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
  // Optimal string alignment: like Levenshtein, but a swap of two neighbours ("hots" for "host")
  // costs one edit, since that is the most common typo in hand-written keys.
  std::vector<std::vector<size_t>> d(a.size() + 1, std::vector<size_t>(b.size() + 1));
  for (size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.size()][b.size()];
}

std::string ClosestMatch(std::string_view word, const std::vector<std::string>& candidates) {
  size_t limit = std::max<size_t>(1, (word.size() + 2) / 3);
  std::string best;
  size_t best_distance = limit + 1;
  for (const auto& candidate : candidates) {
    size_t d = EditDistance(word, candidate);
    if (d < best_distance) {
      best_distance = d;
      best = candidate;
    }
  }
  if (!best.empty() || word.size() < 3) return best;
  // An abbreviation ("resnap", "obj") is a near miss too, when it abbreviates exactly one candidate.
  for (const auto& candidate : candidates) {
    if (candidate.compare(0, word.size(), word) == 0) {
      if (!best.empty()) return "";
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
