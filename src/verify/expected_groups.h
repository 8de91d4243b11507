#pragma once
// ExpectedGroups: `weft verify`'s from-scratch GROUP BY for an aggregate view. It is fed every wide
// document the independent join (expected_builder.h) computes, applies the view's filter, and
// groups them in memory with plain accumulators (totals added once, MIN/MAX by comparison, COUNT
// DISTINCT by a set): nothing of the engine's retraction state, multisets or ranks is shared, so a
// bug in those shows up as a difference. It shares the definition (view/aggregate/aggregate_def.h:
// which path a key or an aggregate reads) and SQLite's evaluation of filter/having.
// Memory: one accumulator per group (plus the distinct values of COUNT DISTINCT).
// One thread.

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "change/value.h"
#include "config/config.h"
#include "core/status.h"
#include "view/aggregate/aggregate_def.h"
#include "view/aggregate/exact_decimal.h"
#include "view/aggregate/sql_expr.h"

namespace weft::verify {

class RowFilter {
 public:
  // The view's filter (none when it has no filter). Errors: a bad expression.
  static core::Result<RowFilter> Make(const config::ViewConfig& view);
  core::Result<bool> Keeps(const change::Value& doc);

 private:
  std::shared_ptr<view::SqlExpression> expr_;
};

class ExpectedGroups {
 public:
  static core::Result<std::unique_ptr<ExpectedGroups>> Make(const config::ViewConfig& view);
  // One wide document of the view (before its filter).
  core::Status Add(const change::Value& doc);
  // The documents the sink must hold, in group (or partition) key order.
  core::Result<std::vector<change::Value>> Documents();

 private:
  struct Acc {
    int64_t n = 0;
    view::ExactDecimal exact;
    int64_t n_exact = 0;
    double approx = 0;
    int64_t n_approx = 0;
    std::optional<change::Value> best;
    std::set<std::string> distinct;
  };
  struct Group {
    std::vector<change::Value> keys;
    int64_t rows = 0;
    std::vector<Acc> accs;
  };
  core::Result<std::optional<change::Value>> GroupDocument(const Group& g);

  view::AggregateDef def_;
  RowFilter filter_;
  std::unique_ptr<view::SqlExpression> having_;
  std::map<std::string, Group> groups_;  // by view::OrderedKey of the key values
};

}  // namespace weft::verify
