#pragma once
// The views of the config checked against what a source database holds: every root and lookup
// table exists (as a base table), and every column named by a relation, `fields` or `exclude`
// exists in its table. `weft check` prints the problems, `weft run` refuses to start on any, and
// after a schema change the pipeline stops the views that no longer match (pipeline.h).
//
// Each problem is one line: "FILE:LINE:COL: view 'v'[, lookup 'p']: ..." naming the missing table
// or column, a "did you mean" for a near miss, what does exist (the database's tables or the
// table's columns), and the fix. All problems are reported, not only the first.
//
// ValidateViews is pure (any thread); ValidateSourceViews blocks while the catalog is read.

#include <map>
#include <string>
#include <vector>

#include "config/config.h"
#include "core/status.h"
#include "source/source.h"

namespace weft::pipeline {

using source::SourceCatalog;

struct ViewProblem {
  enum class Kind {
    kTable,     // a root or lookup table is missing
    kRelation,  // a relation column is missing (on either side)
    kExclude,   // an `exclude` column is missing (renamed, it would be shown)
    kFields,    // a `fields` column is missing
  };
  std::string view;
  Kind kind;
  std::string message;
};

// Problems of the views of `source` (views of other sources are skipped).
std::vector<ViewProblem> ValidateViews(const std::vector<config::ViewConfig>& views, const std::string& source,
                                       const SourceCatalog& catalog);

// Reads the catalog of `config` with `load_catalog` (source::LoadCatalog in weft; it blocks) and
// validates its views. Errors: the loader's (Unavailable, FailedPrecondition, a failed query).
core::Result<std::vector<ViewProblem>> ValidateSourceViews(const config::SourceConfig& config,
                                                           const std::vector<config::ViewConfig>& views,
                                                           const source::CatalogLoader& load_catalog);

}  // namespace weft::pipeline
