#pragma once
// MySQL 5.7+/8 binary JSON (the storage and binlog format of MYSQL_TYPE_JSON columns, documented
// in MySQL's sql-common/json_binary.h) -> JSON text as MySQL's SELECT prints it:
// `{"a": 1, "b": [true, null]}` (", " and ": " separators, keys in stored order), strings with
// JSON escapes, DECIMAL with its exact digits, DATE/TIME/DATETIME/TIMESTAMP as quoted strings with
// six fraction digits, other opaque values as "base64:typeNN:...".
//
// MariaDB never produces this format (its JSON is LONGTEXT). No MySQL server is available to
// record fixtures, so the unit tests use bytes built by hand from the format description; the
// rendering of doubles follows MySQL's documented output for common values but is not verified
// against a server for every exponent form.
//
// Pure function; any thread. Hostile bytes give kCorruption (bounds are checked everywhere, nesting
// is capped at 150 levels).

#include <string>
#include <string_view>

#include "core/status.h"

namespace weft::source::mysql {

// Appends the JSON text of `binary` to `out`. An empty value (length 0, which MySQL writes for a
// JSON null stored by some paths) renders as `null`.
core::Status MysqlJsonToText(std::string_view binary, std::string* out);

}  // namespace weft::source::mysql
