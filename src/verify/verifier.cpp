#include "verify/verifier.h"

#include <algorithm>
#include <chrono>
#include <string_view>
#include <unordered_map>

#include "verify/expected_builder.h"
#include "verify/expected_groups.h"
#include "verify/view_tree.h"

namespace weft::verify {
namespace {

using Clock = std::chrono::steady_clock;

// Throttled progress: silent for quick views, one line every few seconds for big ones.
class Progress {
 public:
  Progress(const VerifyOptions& options, std::string view) : options_(options), view_(std::move(view)) {}

  void Maybe(const std::function<std::string()>& line, bool force = false) {
    if (!options_.progress) return;
    auto now = Clock::now();
    if (Ms(now - start_) < options_.progress_after_ms) return;
    if (!force && printed_ && Ms(now - last_) < options_.progress_every_ms) return;
    printed_ = true;
    last_ = now;
    options_.progress("verify " + view_ + ": " + line());
  }

 private:
  static int64_t Ms(Clock::duration d) { return std::chrono::duration_cast<std::chrono::milliseconds>(d).count(); }
  const VerifyOptions& options_;
  std::string view_;
  Clock::time_point start_ = Clock::now();
  Clock::time_point last_;
  bool printed_ = false;
};

// What is kept per sink document between the scan and the root pass: enough to tell equal from
// different (a 64-bit hash plus the length; a false "equal" needs a hash collision between two
// texts of the same id and length), not the text itself.
struct Stored {
  uint64_t hash = 0;
  size_t size = 0;
};

Stored Fingerprint(std::string_view text) { return {std::hash<std::string_view>{}(text), text.size()}; }

}  // namespace

core::Result<ViewReport> VerifyView(const config::ViewConfig& view, SourceTables* source, sink::DocumentSink* sink,
                                    const VerifyOptions& options, bool* view_error) {
  if (view_error) *view_error = false;
  ViewReport report;
  report.view = view.name;
  report.collection = view.collection.empty() ? view.name : view.collection;
  report.sink = view.sink;
  Progress progress(options, view.name);
  auto in_view = [&](const core::Status& s) { return s.WithContext("view '" + view.name + "'"); };

  std::vector<std::string> tables{view.root};
  for (const auto& lookup : view.lookups) tables.push_back(lookup.table);
  auto schemas = source->Schemas(tables);
  if (!schemas.ok()) return in_view(schemas.status());
  auto resolved = ResolveView(view, *schemas);
  if (!resolved.ok()) {
    if (view_error) *view_error = true;
    return resolved.status();
  }
  const ViewTree& tree = *resolved;

  // Lookup tables first, whole, into the builder's indexes.
  ExpectedBuilder builder(tree);
  for (size_t n = 1; n < tree.nodes.size(); ++n) {
    const ViewNode& node = tree.nodes[n];
    const change::TableSchema& schema = schemas->at(node.table);
    uint64_t count = 0;
    core::Status s = source->ReadRows(schema, node.load, [&](std::vector<change::Value>&& row) {
      builder.AddRow(static_cast<int>(n), std::move(row));
      if (++count % 4096 == 0) {
        progress.Maybe([&] { return "reading " + node.table + " for '" + node.path + "': " + std::to_string(count) + " rows"; });
      }
      return core::Status::Ok();
    });
    if (!s.ok()) return in_view(s);
    progress.Maybe([&] { return "read " + node.table + " for '" + node.path + "': " + std::to_string(count) + " rows"; }, true);
  }
  builder.Seal();

  // The sink's documents, as fingerprints by id_key.
  std::unordered_map<std::string, Stored> stored;
  core::Status scanned = sink->Scan(report.collection, [&](const change::Value&, const std::string& id_key,
                                                             const std::string& canonical) {
    stored[id_key] = Fingerprint(canonical);
    ++report.stored;
    if (report.stored % 4096 == 0) {
      progress.Maybe([&] { return "scanned " + std::to_string(report.stored) + " sink documents"; });
    }
  });
  if (!scanned.ok()) return in_view(scanned.WithContext("scanning sink '" + view.sink + "'"));
  progress.Maybe([&] { return "scanned " + std::to_string(report.stored) + " sink documents"; }, true);

  // A filter drops rows; an aggregate view's documents are groups of the rows (expected_groups.h),
  // compared once the root pass has fed them all.
  auto filter = RowFilter::Make(view);
  if (!filter.ok()) {
    if (view_error) *view_error = true;
    return filter.status();
  }
  std::unique_ptr<ExpectedGroups> groups;
  if (view.is_aggregate()) {
    auto made = ExpectedGroups::Make(view);
    if (!made.ok()) {
      if (view_error) *view_error = true;
      return made.status();
    }
    groups = std::move(*made);
  }

  // The root table, streamed: each row's document is built, compared and dropped.
  std::vector<std::pair<std::string, std::string>> differing;  // id_key, expected canonical
  auto compare = [&](const change::Value& doc) {
    // ScanIdKey, not IdKeyOf: some sinks cannot keep an _id's kind, and Scan reports what they keep.
    std::string key = sink->ScanIdKey(doc.object().front().second);
    std::string canonical = sink->Canonical(doc);
    ++report.expected;
    auto it = stored.find(key);
    if (it == stored.end()) {
      if (++report.missing <= options.max_examples) report.missing_ids.push_back(key);
    } else {
      Stored want = Fingerprint(canonical);
      if (want.hash != it->second.hash || want.size != it->second.size) {
        if (++report.different <= options.max_examples) differing.emplace_back(key, std::move(canonical));
      }
      stored.erase(it);
    }
    if (report.expected % 4096 == 0) {
      progress.Maybe([&] { return std::to_string(report.expected) + " documents compared"; });
    }
  };
  const change::TableSchema& root_schema = schemas->at(view.root);
  core::Status s = source->ReadRows(root_schema, tree.nodes[0].load, [&](std::vector<change::Value>&& row) {
    change::Value doc = builder.Build(row);
    if (groups) return groups->Add(doc);
    WEFT_ASSIGN_OR_RETURN(bool keep, filter->Keeps(doc));
    if (keep) compare(doc);
    return core::Status::Ok();
  });
  if (!s.ok()) return in_view(s);
  if (groups) {
    auto docs = groups->Documents();
    if (!docs.ok()) return in_view(docs.status());
    for (const auto& doc : *docs) compare(doc);
  }
  progress.Maybe([&] { return std::to_string(report.expected) + " documents compared"; }, true);

  // Whatever the root pass did not claim is extra.
  report.extra = stored.size();
  std::vector<std::string> extra;
  extra.reserve(stored.size());
  for (auto& [key, value] : stored) extra.push_back(key);
  std::sort(extra.begin(), extra.end());
  if (extra.size() > options.max_examples) extra.resize(options.max_examples);
  report.extra_ids = std::move(extra);

  if (!differing.empty()) {
    // Second scan, only for the few documents whose diff is shown.
    std::unordered_map<std::string, std::string> actual;
    for (const auto& [key, text] : differing) actual[key];
    core::Status again = sink->Scan(report.collection, [&](const change::Value&, const std::string& id_key,
                                                           const std::string& canonical) {
      if (auto it = actual.find(id_key); it != actual.end()) it->second = canonical;
    });
    if (!again.ok()) return in_view(again.WithContext("scanning sink '" + view.sink + "'"));
    for (const auto& [key, text] : differing) {
      report.diff_texts.push_back(FormatDocumentDiff(key, text, actual[key], options.diff));
    }
  }
  return report;
}

std::string FormatReport(const ViewReport& r) {
  std::string out = "view " + r.view + " -> " + r.sink + "/" + r.collection + ": " + std::to_string(r.expected) +
                    " expected, " + std::to_string(r.stored) + " stored: ";
  if (r.equal()) return out + "equal\n";
  out += std::to_string(r.missing) + " missing, " + std::to_string(r.extra) + " extra, " +
         std::to_string(r.different) + " different\n";
  auto list = [&](const char* label, const std::vector<std::string>& ids, uint64_t count) {
    for (const auto& id : ids) out += std::string("  ") + label + "  " + id + "\n";
    if (count > ids.size()) out += std::string("  ") + label + "  ... and " + std::to_string(count - ids.size()) + " more\n";
  };
  list("missing", r.missing_ids, r.missing);
  list("extra  ", r.extra_ids, r.extra);
  for (const auto& text : r.diff_texts) out += text;
  if (r.different > r.diff_texts.size()) {
    out += "  differs  ... and " + std::to_string(r.different - r.diff_texts.size()) + " more\n";
  }
  return out;
}

}  // namespace weft::verify
