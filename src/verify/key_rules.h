#pragma once
// The two value rules a view's joins depend on, as `weft verify` applies them:
//   - join equality is EXACT value equality (not the server's collation), and NULL never matches;
//   - array elements (and the "smallest" row of an object lookup) follow the child's primary key,
//     compared column by column: numbers numerically, strings/bytes by bytes, temporals by text.
// Pure functions, any thread.

#include <optional>
#include <string>
#include <vector>

#include "change/value.h"

namespace weft::verify {

// A hashable text that is equal for two value tuples exactly when the join treats them as equal;
// nullopt when any value is NULL (such a row joins with nothing).
std::optional<std::string> JoinKeyText(const std::vector<const change::Value*>& values);

// <0, 0, >0 like strcmp; NULL sorts first. Values of one key column normally share a kind; across
// kinds, numbers compare numerically and otherwise the kind order decides.
int CompareKeyValues(const change::Value& a, const change::Value& b);

}  // namespace weft::verify
