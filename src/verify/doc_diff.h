#pragma once
// Field-level differences between an expected and an actual document, both given as a sink's
// canonical text (weft's JSON rendering, or MongoDB's canonical extended JSON), for `weft verify`
// to show the operator WHERE two documents differ instead of two walls of JSON.
// Both texts are read with change::ParseJsonValue, which keeps every number's exact text (a
// 65-digit DECIMAL never passes through a double; 210.0 stays distinct from 210).
// Pure; any thread.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace weft::verify {

struct PathDiff {
  std::string path;                  // "order_items[0].price"; "" for the whole document
  std::optional<std::string> expected;  // compact JSON, truncated; nullopt: the path is absent
  std::optional<std::string> actual;
  bool order_only = false;           // same fields and values, different field order (listed)
};

struct DiffOptions {
  size_t max_paths = 8;     // differences listed per document (the count is always complete)
  size_t max_value = 60;    // bytes of a value shown before "..."
};

// Walks both documents: objects by field name (fields only in one side are absent on the other),
// arrays element by element. A single-field object whose name starts with '$' ({"$date": ...},
// {"$numberDecimal": ...}) is compared as one value. `*total` (when given) receives the number of
// differing paths, of which the first max_paths are returned. Text that is not JSON is compared as
// a whole.
std::vector<PathDiff> DiffDocuments(std::string_view expected, std::string_view actual, const DiffOptions& options,
                                    size_t* total = nullptr);

// The lines `weft verify` prints for one differing document:
//   "  differs  ORD1\n      order_status: expected \"shipped\", actual \"pending\"\n ..."
std::string FormatDocumentDiff(std::string_view id_key, std::string_view expected, std::string_view actual,
                               const DiffOptions& options = {});

// `text` cut to at most `max` bytes on a UTF-8 boundary, with "..." appended when cut.
std::string Truncate(std::string_view text, size_t max);

}  // namespace weft::verify
