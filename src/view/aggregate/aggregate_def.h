#pragma once
// AggregateDef: an aggregate view's group keys, aggregates, `having` and top-N, resolved against
// the view's lookup tree (view/view_def.h), and the pure functions that read a wide document
// through them. Semantics (issue 11):
//   - the view's wide documents (root + lookups) are its rows; a path names a field of that
//     document; a path through an array lookup yields each element's value (sum(orders.total)
//     over a customer adds every order), so an aggregate input is a list of values;
//   - a group key reads one value and must not pass an array lookup; `tumble(path, 'N unit')`
//     maps a DATE/DATETIME/TIMESTAMP to the start of its N-second bucket (UTC, aligned to the
//     epoch), rendered "YYYY-MM-DD HH:MM:SS"; anything else gives NULL;
//   - NULL values are skipped by every function but count(*), like SQL.
// Pure; any thread.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "change/value.h"
#include "config/config.h"
#include "core/status.h"

namespace weft::view {

struct ViewDef;

enum class AggFn { kCountAll, kCount, kSum, kAvg, kMin, kMax, kCountDistinct };

struct GroupKeyDef {
  std::string name;
  std::vector<std::string> path;
  int64_t tumble_seconds = 0;
};

struct AggDef {
  std::string name;
  AggFn fn = AggFn::kCountAll;
  std::vector<std::string> path;  // empty for count(*)
};

struct AggregateDef {
  std::vector<GroupKeyDef> keys;
  std::vector<AggDef> aggs;
  std::string having;
  config::Location having_at;
  int tumble_key = -1;     // index into keys of the tumble() key, -1 when none
  int64_t top_n = 0;       // 0: one document per group; else one per partition
  int top_by = -1;         // index into aggs
  bool top_descending = true;
  std::vector<int> partition;  // indexes into keys
  std::string signature;   // changes whenever the definition does (state must be rebuilt)
};

// Errors (kInvalidArgument) give the config location of the offending key and the fix.
core::Result<AggregateDef> BuildAggregateDef(const config::ViewConfig& view, const ViewDef& def);

// The values at `path` inside `doc`, arrays flattened at every level; absent fields give none.
void CollectValues(const change::Value& doc, const std::vector<std::string>& path,
                   std::vector<const change::Value*>* out);

// The key's value in `doc` (tumble applied; NULL when absent).
change::Value KeyValue(const GroupKeyDef& key, const change::Value& doc);

// Seconds since 1970-01-01 00:00:00 of a kDate/kDateTime value (fractions dropped); nullopt else.
std::optional<int64_t> EpochSeconds(const change::Value& v);
// "YYYY-MM-DD HH:MM:SS" of epoch seconds, as a kDateTime.
change::Value DateTimeOf(int64_t seconds);

}  // namespace weft::view
