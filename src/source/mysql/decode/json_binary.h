#pragma once
// MySQL 5.7+/8 binary JSON (the storage and binlog format of MYSQL_TYPE_JSON columns, documented
// in MySQL's sql-common/json_binary.h) -> JSON text as MySQL's SELECT prints it:
// `{"a": 1, "b": [true, null]}` (", " and ": " separators, keys in stored order), strings with
// JSON escapes, DECIMAL with its exact digits, DATE/TIME/DATETIME/TIMESTAMP as quoted strings with
// six fraction digits, other opaque values as "base64:typeNN:...".
//
// MariaDB never produces this format (its JSON is LONGTEXT). Verified against values recorded from
// MySQL 8.0-9.0 servers (tests/unit/source_mysql: the fixtures' JSON columns, 44 binary vectors
// including the sparse documents an in-place JSON_REMOVE leaves, 90 double renderings). Offsets are
// followed strictly, never assuming dense packing.
//
// Pure function; any thread. Hostile bytes give kCorruption (bounds are checked everywhere, nesting
// is capped at 150 levels).

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"

namespace weft::source::mysql {

// Appends the JSON text of `binary` to `out`. An empty value (length 0, which MySQL writes for a
// JSON null stored by some paths) renders as `null`.
core::Status MysqlJsonToText(std::string_view binary, std::string* out);

// A JSON document as a tree whose scalars are already rendered (MySQL's text for each), so a
// partial update (json_diff.h) can change it and AppendJsonNode print it as MySQL would. Object
// members keep MySQL's order: keys sorted by length, then bytes.
struct JsonMember;
struct JsonNode {
  enum class Kind : uint8_t { kScalar, kObject, kArray };
  Kind kind = Kind::kScalar;
  std::string scalar;               // kScalar: "1", "\"text\"", "null", "1.5e16", ...
  std::vector<JsonMember> members;  // kObject
  std::vector<JsonNode> elements;   // kArray
};
struct JsonMember {
  std::string key;  // raw (unescaped)
  JsonNode value;
};
core::Status MysqlJsonToNode(std::string_view binary, JsonNode* out);
void AppendJsonNode(const JsonNode& node, std::string* out);

// A JSON double as MySQL prints it inside JSON: "1.0", "0.000015", "1e16", "9.007199254740992e15".
void AppendMysqlJsonDouble(double d, std::string* out);

}  // namespace weft::source::mysql
