#pragma once
// Aggregator: one aggregate view's incremental GROUP BY over its wide documents, exact under every
// change. For each root row it keeps, in the state, the contribution the row last made (its group
// key and the values each aggregate read from its document); a change of the row, or of any lookup
// row its document embeds, retracts that stored contribution and adds the newly assembled one.
// Contributions come from the committed state, never from a change's before image, so replaying a
// transaction after a crash converges: the second pass finds its own contribution and retracts it.
//
// Per group the state holds the row count, exact sums (view/aggregate/exact_decimal.h; FLOAT and
// DOUBLE inputs in a double beside them), MIN/MAX as a multiset of (value, count) so deleting the
// current maximum finds the next, COUNT DISTINCT as reference counts; AVG is sum / count. Nothing
// ever reads a whole group. Group documents:
//   {"_id": <key value | {key: value...} | "all">, <keys>, [window_start, window_end], <aggregates>}
// A group whose last row leaves, or that fails `having`, is deleted. With top-N the view writes one
// document per partition instead: {"_id": <partition key | "all">, <partition keys>, "top": [<group
// documents without _id and partition keys>, in order]}, ties broken by group key.
//
// Loop thread only; every call that writes runs inside the pipeline's transaction.

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>

#include "change/value.h"
#include "core/status.h"
#include "state/aggregate_store.h"
#include "view/aggregate/aggregate_def.h"
#include "view/aggregate/sql_expr.h"

namespace weft::view {

class Aggregator {
 public:
  // All pointers outlive the aggregator; `having` may be null.
  Aggregator(std::string view, const AggregateDef* def, state::AggregateStore* store, SqlExpression* having)
      : view_(std::move(view)), def_(def), store_(store), having_(having) {}

  // Root row `pk` now has document `doc`; nullptr when the row is gone or the view's filter drops it.
  core::Status Update(const std::string& pk, const change::Value* doc);

  using Each = std::function<core::Status(change::Value id, std::optional<change::Value> doc)>;
  // The output writes (upsert, or delete when doc is nullopt) of everything touched since the last
  // Emit. Every state write happens before the first call of `each`, so `each` may commit.
  core::Status Emit(const Each& each);
  // Every output document of the view (a build after a snapshot); touched groups are written first.
  core::Status EmitAll(const Each& each);
  // Forgets what was touched and not emitted (the caller rolls back or discards the batch).
  void Discard();
  // Drops the whole state of the view.
  core::Status Clear();

 private:
  struct Group {
    change::Value state;  // [keys, rows, per-aggregate state...]
  };
  static constexpr size_t kCachedGroups = 65536;  // then written back early (a big build)
  core::Status Apply(int sign, const change::Value& contribution);
  core::Result<Group*> LoadGroup(const std::string& gkey, const change::Value& keys);
  core::Status WriteBack();
  core::Result<std::optional<change::Value>> GroupDocument(const std::string& gkey, const change::Value& state);
  change::Value GroupId(const change::Array& keys) const;
  core::Result<change::Value> PartitionId(const change::Value& keys, change::Object* fields) const;
  core::Status EmitPartition(const std::string& part, const change::Value& id, const change::Object& fields,
                             const Each& each);

  std::string view_;
  const AggregateDef* def_;
  state::AggregateStore* store_;
  SqlExpression* having_;
  std::map<std::string, Group> groups_;  // decoded states not yet written back, by gkey
  std::map<std::string, change::Value> touched_;  // gkey -> key values, touched since the last Emit
  // Top-N: partitions touched since the last Emit, with their _id and key fields.
  std::map<std::string, std::pair<change::Value, change::Object>> partitions_;
};

// What one wide document contributes: [keys array, per aggregate the array of its non-null
// inputs]. Exposed for tests and for `weft verify`'s from-scratch grouping.
change::Value Contribution(const AggregateDef& def, const change::Value& doc);

}  // namespace weft::view
