// Aggregate views and filters through the real ViewEngine over a real StateDb: a snapshot build, a
// lookup row moving contributions between groups, a replayed transaction (the pipeline replays
// whole source transactions after a crash) changing nothing, a rolled-back Flush leaving no trace,
// a filter moving rows in and out of a wide view, and a changed definition making the source
// snapshot again.
#include <doctest/doctest.h>

#include "test_support.h"

namespace weft::test {
namespace {

config::ViewConfig RevenueView() {
  config::ViewConfig v;
  v.name = "revenue";
  v.source = "shop";
  v.root = "orders";
  v.sink = "local";
  v.collection = "revenue";
  v.lookups = {Lookup("customers", "customer", "object", {{"customer_id", "id"}})};
  v.filter = "status <> 'canceled'";
  v.group_by = {{"country", "customer.country", 0, {}}};
  v.aggregates = {{"revenue", "sum", "total", {}}, {"orders", "count", "*", {}}, {"high", "max", "total", {}}};
  return v;
}

config::ViewConfig PaidView() {
  config::ViewConfig v;
  v.name = "paid";
  v.source = "shop";
  v.root = "orders";
  v.sink = "local";
  v.collection = "paid";
  v.filter = "status = 'paid'";
  return v;
}

const auto kOrders = Schema("orders", {"id", "customer_id", "total", "status"}, {0});
const auto kCustomers = Schema("customers", {"id", "country"}, {0});

std::vector<Value> O(int id, int customer, const char* total, const char* status) {
  return {Value::Int(id), Value::Int(customer), Value::Decimal(total), Value::String(status)};
}
std::vector<Value> C(int id, const char* country) { return {Value::Int(id), Value::String(country)}; }

}  // namespace

TEST_CASE("aggregate views through the engine: snapshot, lookup moves, replays, rollbacks, filters") {
  TempDir dir;
  Harness h(dir.File("state.db"), {RevenueView(), PaidView()});
  h.Batch({Read(kCustomers, C(7, "France")), Read(kCustomers, C(8, "China")), Read(kOrders, O(1, 7, "20.20", "paid")),
           Read(kOrders, O(2, 7, "0.05", "paid")), Read(kOrders, O(3, 8, "9.99", "canceled"))});
  h.BuildAll();
  auto& revenue = h.Collection("local", "revenue");
  auto& paid = h.Collection("local", "paid");
  CHECK(revenue["France"] == R"({"_id":"France","country":"France","revenue":20.25,"orders":2,"high":20.20})");
  CHECK(revenue.count("China") == 0);  // its only order is canceled
  CHECK(paid.size() == 2);

  // Customer 7 moves to China: exactly its orders move.
  std::vector<change::Change> move = {Update(kCustomers, C(7, "France"), C(7, "China"))};
  h.Batch(move);
  CHECK(revenue.count("France") == 0);
  CHECK(revenue["China"] == R"({"_id":"China","country":"China","revenue":20.25,"orders":2,"high":20.20})");

  // The same transaction again (a replay after a crash): nothing changes.
  CHECK(h.Batch(move).empty());
  std::vector<change::Change> txn = {Insert(kOrders, O(4, 8, "100.00", "paid")), Delete(kOrders, O(1, 7, "20.20", "paid")),
                                     Update(kOrders, O(3, 8, "9.99", "canceled"), O(3, 8, "9.99", "paid"))};
  h.Batch(txn);
  std::string china = R"({"_id":"China","country":"China","revenue":110.04,"orders":3,"high":100.00})";
  CHECK(revenue["China"] == china);
  // (A wide view re-sends the delete of a root a replayed delete names: deletes are idempotent.)
  for (const auto& w : h.Batch(txn)) CHECK_MESSAGE((w.view == "paid" && !w.write.doc), w.view);
  CHECK(revenue["China"] == china);
  CHECK(paid.count("1") == 0);
  CHECK(paid.count("3") == 1);  // entered the filtered wide view

  // A Flush rolled back (the pipeline's error path) leaves no trace in the aggregate state.
  REQUIRE(h.db()->Begin().ok());
  REQUIRE(h.engine()->ApplyChange("shop", Delete(kOrders, O(4, 8, "100.00", "paid"))).ok());
  std::vector<view::PendingWrite> dropped;
  REQUIRE(h.engine()->Flush(&dropped).ok());
  CHECK(!dropped.empty());
  h.db()->Rollback();
  REQUIRE(h.db()->Begin().ok());
  REQUIRE(h.engine()->ApplyChange("shop", Update(kOrders, O(2, 7, "0.05", "paid"), O(2, 7, "0.05", "canceled"))).ok());
  std::vector<view::PendingWrite> writes;
  REQUIRE(h.engine()->Flush(&writes).ok());
  REQUIRE(h.db()->Commit().ok());
  h.Apply(writes);
  CHECK(revenue["China"] == R"({"_id":"China","country":"China","revenue":109.99,"orders":2,"high":100.00})");
  CHECK(paid.count("2") == 0);  // left the filtered wide view: deleted
}

TEST_CASE("changing an aggregate view's definition makes its source snapshot again") {
  TempDir dir;
  {
    Harness h(dir.File("state.db"), {RevenueView()});
    h.Batch({Read(kCustomers, C(7, "France")), Read(kOrders, O(1, 7, "20.20", "paid"))});
    h.BuildAll();
    REQUIRE(h.db()->SetOffset("shop", "offset-1").ok());
  }
  {
    Harness same(dir.File("state.db"), {RevenueView()});
    CHECK(same.db()->GetOffset("shop")->has_value());  // unchanged: resumes
  }
  config::ViewConfig changed = RevenueView();
  changed.aggregates.push_back({"low", "min", "total", {}});
  Harness h(dir.File("state.db"), {changed});
  CHECK(!h.db()->GetOffset("shop")->has_value());  // forgotten: the next start snapshots
}

}  // namespace weft::test
