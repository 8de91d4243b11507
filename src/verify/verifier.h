#pragma once
// VerifyView: `weft verify` for one view. Computes every expected document straight from the source
// tables (verify/expected_builder.h: lookup tables held in memory, the root table streamed in
// primary-key order) and compares each with the sink's document of the same _id, through the
// sink's own canonical text (DocumentSink::Canonical / Scan), so it works for every sink kind.
//
// Memory: the lookup tables' needed columns, plus one 64-bit hash per sink document; the root
// table and the sink's documents are never held whole. A second sink scan fetches the texts of the
// first few differing documents to show their field-level diffs.
//
// One thread; blocks on the source and the sink.

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "config/config.h"
#include "core/status.h"
#include "sink/document_sink.h"
#include "verify/doc_diff.h"
#include "verify/source_tables.h"

namespace weft::verify {

struct VerifyOptions {
  size_t max_examples = 5;  // ids listed per kind of difference (counts are always complete)
  DiffOptions diff;
  // Progress lines for the operator (stderr in the CLI); only called once a view has run for
  // `progress_after_ms`, then at most once per `progress_every_ms`, so small views stay quiet.
  std::function<void(const std::string& line)> progress;
  int64_t progress_after_ms = 2000;
  int64_t progress_every_ms = 2000;
};

struct ViewReport {
  std::string view, collection, sink;
  uint64_t expected = 0;  // documents the source produces
  uint64_t stored = 0;    // documents in the sink's collection
  uint64_t missing = 0, extra = 0, different = 0;
  std::vector<std::string> missing_ids;   // first max_examples, in root primary-key order
  std::vector<std::string> extra_ids;     // first max_examples, sorted
  std::vector<std::string> diff_texts;    // FormatDocumentDiff of the first max_examples
  bool equal() const { return missing == 0 && extra == 0 && different == 0; }
};

// Errors: the source or sink unreachable or failing, or the view not matching the source's tables
// (a missing table or column, a root without primary key); for the latter, a config problem rather
// than a runtime one, *view_error (when given) is set to true.
core::Result<ViewReport> VerifyView(const config::ViewConfig& view, SourceTables* source, sink::DocumentSink* sink,
                                    const VerifyOptions& options = {}, bool* view_error = nullptr);

// The report as printed:
//   view order_single_view -> local/orderSingleView: 3 expected, 3 stored: 1 missing, 1 extra, 1 different
//     missing  ORD2
//     extra    ORD9
//     differs  ORD1
//         order_status: expected "shipped", actual "pending"
std::string FormatReport(const ViewReport& report);

}  // namespace weft::verify
