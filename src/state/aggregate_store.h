#pragma once
// AggregateStore: the retractable state of the aggregate views (view/aggregate/aggregator.h), in
// the StateDb's file and so in the same transaction as the replicas, the outbox and the offset.
// Blobs are opaque here (the view module encodes them); the SQL is in state/state_sql.h.
//   contributions  view, root pk -> what that root row last added to its group
//   groups         view, gkey    -> the group's state (count, sums, ...), ordered by gkey
//   values         view, agg, gkey, v -> n   (v: order-preserving key of a value; val its encoding)
//   ranks          view, part, gkey -> s     (top-N order within a partition: s, then gkey)
// Loop thread only (like the StateDb); writes belong inside StateDb::Begin/Commit.

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "state/state_db.h"

namespace weft::state {

class AggregateStore {
 public:
  // Creates the tables when missing.
  static core::Result<AggregateStore> Open(StateDb* db);

  core::Result<std::optional<std::string>> GetContribution(const std::string& view, const std::string& pk);
  core::Status PutContribution(const std::string& view, const std::string& pk, const std::string& c);
  core::Status EraseContribution(const std::string& view, const std::string& pk);

  core::Result<std::optional<std::string>> GetGroup(const std::string& view, const std::string& gkey);
  core::Status PutGroup(const std::string& view, const std::string& gkey, const std::string& state);
  core::Status EraseGroup(const std::string& view, const std::string& gkey);
  // Every group of `view` in gkey order; `each` must not write the groups table.
  core::Status ScanGroups(const std::string& view,
                          const std::function<core::Status(const std::string& gkey, const std::string& state)>& each);

  // Adds `delta` to the count of value `v` (encoded as `val`) and returns the count before; a
  // count reaching 0 removes the entry.
  core::Result<int64_t> AddValue(const std::string& view, int agg, const std::string& gkey, const std::string& v,
                                 const std::string& val, int64_t delta);
  // The encoded smallest / largest value present, nullopt when none.
  core::Result<std::optional<std::string>> MinMax(const std::string& view, int agg, const std::string& gkey,
                                                  bool largest);

  core::Result<std::optional<std::string>> GetRank(const std::string& view, const std::string& part,
                                                   const std::string& gkey);
  core::Status PutRank(const std::string& view, const std::string& part, const std::string& gkey,
                       const std::string& s);
  core::Status EraseRank(const std::string& view, const std::string& part, const std::string& gkey);
  // The first `n` gkeys of a partition in (s, gkey) order.
  core::Result<std::vector<std::string>> TopRanks(const std::string& view, const std::string& part, int64_t n);
  core::Result<std::vector<std::string>> Partitions(const std::string& view);

  // Everything of `view` (resnapshot, changed definition).
  core::Status ClearView(const std::string& view);

 private:
  explicit AggregateStore(StateDb* db) : db_(db) {}
  core::Result<std::optional<std::string>> GetBlob(const char* sql, const std::vector<std::string>& keys);
  core::Status Run(const char* sql, const std::vector<std::string>& args);
  StateDb* db_;
};

}  // namespace weft::state
