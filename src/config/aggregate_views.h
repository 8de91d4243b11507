#pragma once
// The aggregate-view and filter keys of a [[views]] table (issue 11): filter, [views.group_by],
// [views.aggregates], having and [views.top], parsed into ViewConfig with every problem at its
// file:line:col. The expressions themselves (filter, having) are checked by the view module, which
// has SQLite. Single-threaded, like the rest of the loader.

#include <string>

#include "config/config.h"
#include "config/sections.h"
#include "config/toml_reader.h"

namespace weft::config {

// A dotted document path: no empty segment, none starting with '$', not "_id" (views.cpp).
bool ValidDocumentPath(const std::string& path);

// Reads the keys above from the view's table `r` into *v (after its lookups are parsed).
void ParseAggregateView(TableReader& r, ParseContext& ctx, ViewConfig* v);

}  // namespace weft::config
