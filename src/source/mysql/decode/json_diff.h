#pragma once
// MySQL 8 partial JSON updates (binlog_row_value_options=PARTIAL_JSON): in a PARTIAL_UPDATE_ROWS
// after-image, a JSON column may hold a diff vector instead of the whole document:
//   repeated { operation (1 byte: 0 REPLACE, 1 INSERT, 2 REMOVE), path length (packed int), path,
//              [not REMOVE: value length (packed int), value (binary JSON: type byte + data)] }
// Paths are MySQL JSON paths without wildcards: $, .key, ."quoted key", [index]. The diffs apply in
// order to the before-image's document; the result is the after-image's document.
//
// Pure functions; any thread. Hostile input gives Corruption.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "source/mysql/decode/json_binary.h"

namespace weft::source::mysql {

enum class JsonDiffOp : uint8_t { kReplace = 0, kInsert = 1, kRemove = 2 };

struct JsonDiff {
  JsonDiffOp op = JsonDiffOp::kReplace;
  std::string path;   // "$.age", "$.a[2]", "$.\"key with space\""
  std::string value;  // binary JSON of the new value (empty for kRemove)
};

// Parses a whole diff vector (the column's bytes after its length prefix). Empty is no diff.
core::Result<std::vector<JsonDiff>> ParseJsonDiffs(std::string_view bytes);

// Applies `diffs` in order to `doc`. Corruption when a path does not parse or names what the
// document lacks (REPLACE/REMOVE of a missing value, INSERT under a missing parent).
core::Status ApplyJsonDiffs(const std::vector<JsonDiff>& diffs, JsonNode* doc);

}  // namespace weft::source::mysql
