#pragma once
// The columns an aggregate view's group keys and aggregates read, and a view's filter, checked
// against the source's tables (for `weft check`, and for `weft run`'s start and schema changes via
// pipeline/view_validation.cpp): a path "<lookup path>.<column>" (or a bare root column) must name a
// column of that lookup's (the root's) table; a filter's names likewise. One message per problem,
// "FILE:LINE:COL: view 'v', <key>: ..." with the columns that do exist and the fix. Pure.

#include <functional>
#include <string>
#include <vector>

#include "config/config.h"

namespace weft::view {

// `columns_of(table)`: the table's columns, nullptr when it does not exist (reported elsewhere).
std::vector<std::string> CheckViewPaths(
    const config::ViewConfig& view,
    const std::function<const std::vector<std::string>*(const std::string& table)>& columns_of);

}  // namespace weft::view
