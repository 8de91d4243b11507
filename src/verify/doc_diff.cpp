#include "verify/doc_diff.h"

#include <algorithm>
#include <set>

#include "change/value.h"
#include "change/json_parse.h"

namespace weft::verify {
namespace {

using change::Value;
using change::ValueKind;

bool IsWrappedScalar(const Value& v) {
  return v.kind() == ValueKind::kObject && v.object().size() == 1 && !v.object()[0].first.empty() &&
         v.object()[0].first[0] == '$';
}

std::string Join(const std::string& path, const std::string& name) { return path.empty() ? name : path + "." + name; }

class Differ {
 public:
  explicit Differ(const DiffOptions& options) : options_(options) {}

  void Walk(const std::string& path, const Value& e, const Value& a) {
    if (e.kind() == ValueKind::kObject && a.kind() == ValueKind::kObject && !IsWrappedScalar(e) && !IsWrappedScalar(a)) {
      WalkObject(path, e, a);
    } else if (e.kind() == ValueKind::kArray && a.kind() == ValueKind::kArray) {
      size_t n = std::max(e.array().size(), a.array().size());
      for (size_t i = 0; i < n; ++i) {
        std::string p = path + "[" + std::to_string(i) + "]";
        if (i >= a.array().size()) Add(p, &e.array()[i], nullptr);
        else if (i >= e.array().size()) Add(p, nullptr, &a.array()[i]);
        else Walk(p, e.array()[i], a.array()[i]);
      }
    } else if (e != a) {
      Add(path, &e, &a);
    }
  }

  void Add(const std::string& path, const Value* e, const Value* a) {
    ++total_;
    if (diffs_.size() >= options_.max_paths) return;
    PathDiff d;
    d.path = path;
    if (e) d.expected = Truncate(change::ToJson(*e), options_.max_value);
    if (a) d.actual = Truncate(change::ToJson(*a), options_.max_value);
    diffs_.push_back(std::move(d));
  }

  void AddText(std::string_view e, std::string_view a) {
    ++total_;
    PathDiff d;
    d.expected = Truncate(e, options_.max_value);
    d.actual = Truncate(a, options_.max_value);
    diffs_.push_back(std::move(d));
  }

  std::vector<PathDiff> Take() { return std::move(diffs_); }
  size_t total() const { return total_; }

 private:
  void WalkObject(const std::string& path, const Value& e, const Value& a) {
    size_t before = total_;
    std::set<std::string> seen;
    for (const auto& [name, ev] : e.object()) {
      if (!seen.insert(name).second) continue;  // duplicates: the first one counts, like Find
      const Value* av = a.Find(name);
      if (av) Walk(Join(path, name), ev, *av);
      else Add(Join(path, name), &ev, nullptr);
    }
    std::set<std::string> seen_actual;
    for (const auto& [name, av] : a.object()) {
      if (!seen_actual.insert(name).second) {
        Add(Join(path, name) + " (duplicate field)", nullptr, &av);
      } else if (!e.Find(name)) {
        Add(Join(path, name), nullptr, &av);
      }
    }
    if (total_ != before || e == a) return;
    // Same fields with the same values, in another order: documents must match byte for byte.
    std::string eo, ao;
    for (const auto& f : e.object()) eo += (eo.empty() ? "" : ",") + f.first;
    for (const auto& f : a.object()) ao += (ao.empty() ? "" : ",") + f.first;
    ++total_;
    if (diffs_.size() >= options_.max_paths) return;
    PathDiff d;
    d.path = path;
    d.expected = Truncate(eo, options_.max_value);
    d.actual = Truncate(ao, options_.max_value);
    d.order_only = true;
    diffs_.push_back(std::move(d));
  }

  const DiffOptions& options_;
  std::vector<PathDiff> diffs_;
  size_t total_ = 0;
};

}  // namespace

std::string Truncate(std::string_view text, size_t max) {
  if (text.size() <= max) return std::string(text);
  size_t cut = max;
  // Back up over UTF-8 continuation bytes so a character is never split.
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  return std::string(text.substr(0, cut)) + "...";
}

std::vector<PathDiff> DiffDocuments(std::string_view expected, std::string_view actual, const DiffOptions& options,
                                    size_t* total) {
  Differ differ(options);
  auto e = change::ParseJsonValue(expected);
  auto a = change::ParseJsonValue(actual);
  if (e.ok() && a.ok()) {
    differ.Walk("", *e, *a);
    // Parsed trees can be equal while the texts are not (escaping, spacing): still a difference,
    // because the stored text is what readers get.
    if (differ.total() == 0 && expected != actual) differ.AddText(expected, actual);
  } else if (expected != actual) {
    differ.AddText(expected, actual);
  }
  if (total) *total = differ.total();
  return differ.Take();
}

std::string FormatDocumentDiff(std::string_view id_key, std::string_view expected, std::string_view actual,
                               const DiffOptions& options) {
  size_t total = 0;
  std::vector<PathDiff> diffs = DiffDocuments(expected, actual, options, &total);
  std::string out = "  differs  " + std::string(id_key) + "\n";
  for (const auto& d : diffs) {
    out += "      " + (d.path.empty() ? std::string("(document)") : d.path);
    if (d.order_only) {
      out += ": field order: expected " + *d.expected + "; actual " + *d.actual + "\n";
      continue;
    }
    out += ": expected " + (d.expected ? *d.expected : std::string("(absent)"));
    out += ", actual " + (d.actual ? *d.actual : std::string("(absent)")) + "\n";
  }
  if (total > diffs.size()) out += "      ... and " + std::to_string(total - diffs.size()) + " more\n";
  return out;
}

}  // namespace weft::verify
