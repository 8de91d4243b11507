// The pipeline on a real libuv loop and a real state file, with a fake source and sink behind the
// real interfaces (fakes.h): group commit of random workloads (transactions delivered in parts),
// the offset committed only at transaction ends, a restart mid-transaction replaying it whole,
// back-pressure, a schema change re-reading the source, and the reconciliation after a snapshot.
// Every test ends comparing the whole sink with the naive recomputation of tests/unit/view/model.h.

#include <doctest/doctest.h>

#include <chrono>
#include <functional>

#include "../view/seeds_schema.h"
#include "fakes.h"

using namespace weft;
using namespace weft::test;
using change::Value;

namespace {

std::function<Value(Rng&)> OneOf(std::vector<Value> values) {
  return [values](Rng& rng) { return values[std::uniform_int_distribution<size_t>(0, values.size() - 1)(rng)]; };
}
std::vector<Value> Names(const std::string& prefix, int n) {
  std::vector<Value> out;
  for (int i = 0; i < n; ++i) out.push_back(Value::String(prefix + std::to_string(i)));
  return out;
}

// Orders with their customer (object) and items (array): keys and join keys change at random.
struct Shop {
  FakeDatabase db;
  config::ViewConfig view;
  NaiveView naive;
  Shop() {
    SeedsSchema t;
    db.model.Add(t.customers, {OneOf(Names("C", 6)), OneOf(Names("U", 3)), OneOf(Names("z", 2)),
                               OneOf(Names("city", 3)), OneOf(Names("st", 2))});
    auto stamp = OneOf({Value::DateTime("2024-11-02 10:20:00"), Value::Null()});
    db.model.Add(t.orders, {OneOf(Names("O", 20)), OneOf(Names("C", 7)), OneOf(Names("status", 3)), stamp, stamp,
                            stamp, stamp, stamp});
    db.model.Add(t.items, {OneOf(Names("O", 22)), OneOf({Value::Int(1), Value::Int(2)}), OneOf(Names("P", 4)),
                           OneOf(Names("S", 3)), stamp, OneOf({Value::Decimal("9.90"), Value::Decimal("120.00")}),
                           OneOf({Value::Decimal("1.50")})});
    view.name = "orders_view";
    view.source = "shop";
    view.root = "ecom_orders";
    view.sink = "docs";
    view.collection = "orders";
    view.lookups.push_back(Lookup("ecom_customers", "customer", "object", {{"customer_id", "customer_id"}}));
    view.lookups.push_back(Lookup("ecom_order_items", "items", "array", {{"order_id", "order_id"}}));
    naive.sink = "docs";
    naive.collection = "orders";
    naive.root = "ecom_orders";
    naive.children = {NaiveNode{"ecom_customers", {"customer"}, false, {{"customer_id", "customer_id"}}, {}, {}, {}},
                      NaiveNode{"ecom_order_items", {"items"}, true, {{"order_id", "order_id"}}, {}, {}, {}}};
  }
  std::map<std::string, std::string> Expected() const { return NaiveCollection(db.model, naive); }
};

struct Run {
  TempDir dir;
  uv_loop_t loop;
  std::shared_ptr<FakeSinkStore> store = std::make_shared<FakeSinkStore>();
  std::unique_ptr<pipeline::Pipeline> pipeline;
  bool finished = false;
  core::Status finish_status;

  Run() { uv_loop_init(&loop); }
  ~Run() {
    pipeline.reset();
    uv_run(&loop, UV_RUN_DEFAULT);  // the handles' close callbacks
    uv_loop_close(&loop);
  }

  config::Config Config(const Shop& shop, int64_t outbox_limit) const {
    config::Config c;
    c.path = dir.File("weft.toml");
    c.state.path = dir.File("state.db");
    c.state.outbox_limit = outbox_limit;
    config::SourceConfig source;
    source.name = "shop";
    source.kind = "fake";
    source.database = "shop";
    c.sources.push_back(source);
    config::SinkConfig sink;
    sink.name = "docs";
    sink.kind = "fake";
    sink.batch_size = 7;
    c.sinks.push_back(sink);
    c.views.push_back(shop.view);
    c.status.enabled = false;
    return c;
  }

  // Every group written straight to the sink while it is built, as a catch-up's are
  // (pipeline/write_stream.h), or (0) the pipeline's default, where these small groups take the outbox.
  size_t direct_write_min_roots = 0;
  // Catch-up coalescing (PipelineOptions::coalesce_*): 0 keeps the defaults (off for these small groups).
  size_t coalesce_min_group_changes = 0;
  size_t coalesce_changes = 0;

  void Start(Shop& shop, int64_t outbox_limit = 100000) {
    finished = false;
    pipeline::PipelineOptions options;
    if (direct_write_min_roots > 0) options.direct_write_min_roots = direct_write_min_roots;
    if (coalesce_min_group_changes > 0) options.coalesce_min_group_changes = coalesce_min_group_changes;
    if (coalesce_changes > 0) options.coalesce_changes = coalesce_changes;
    pipeline = std::make_unique<pipeline::Pipeline>(Config(shop, outbox_limit), options,
                                                    FakeFactories(&shop.db, store), &loop);
    core::Status st = pipeline->Start([this](const core::Status& s) {
      finished = true;
      finish_status = s;
    });
    REQUIRE_MESSAGE(st.ok(), st.ToString());
  }

  // Runs the loop until `done` holds (checked between iterations) or 60 s pass.
  bool RunUntil(const std::function<bool()>& done) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (!done()) {
      if (std::chrono::steady_clock::now() > deadline || finished) return done();
      uv_run(&loop, UV_RUN_ONCE);
    }
    return true;
  }

  // Graceful stop: the pipeline finishes with Ok, then is destroyed (its handles close).
  void Stop() {
    pipeline->RequestStop();
    REQUIRE(RunUntil([&] { return finished; }));
    CHECK_MESSAGE(finish_status.ok(), finish_status.ToString());
    pipeline.reset();
    uv_run(&loop, UV_RUN_NOWAIT);
  }

  std::optional<std::string> Offset() const {
    auto db = state::StateDb::Open(dir.File("state.db"));
    REQUIRE_MESSAGE(db.ok(), db.status().ToString());
    auto offset = (*db)->GetOffset("shop");
    REQUIRE(offset.ok());
    return *offset;
  }

  // Runs until every logged transaction is applied and its offset committed.
  void RequireCaughtUp(const Shop& shop) {
    const std::string want = "tx=" + std::to_string(shop.db.log.size());
    bool caught_up = RunUntil([&] { return Offset() == std::optional<std::string>(want); });
    const std::string why = "offset " + Offset().value_or("(none)") + ", want " + want;
    CHECK_MESSAGE(caught_up, why);
  }

  bool Converged(const Shop& shop) { return store->Collection("orders") == shop.Expected(); }
};

void RequireConverged(Run& run, const Shop& shop) {
  bool converged = run.RunUntil([&] { return run.Converged(shop); });
  CHECK_MESSAGE(converged, DiffCollections(shop.Expected(), run.store->Collection("orders")));
}

void RandomTransactionsInParts(bool direct, bool coalesce = false) {
  Shop shop;
  Rng rng(7);
  for (int i = 0; i < 10; ++i) shop.db.Commit(rng, 8);  // before the snapshot
  shop.db.part = 3;
  Run run;
  run.direct_write_min_roots = direct ? 1 : 0;
  if (coalesce) {  // every group counts as full: documents wait until 40 changes, or the source is quiet
    run.coalesce_min_group_changes = 1;
    run.coalesce_changes = 40;
  }
  run.Start(shop);
  RequireConverged(run, shop);
  REQUIRE(shop.db.starts.size() == 1);
  CHECK(shop.db.starts[0].mode == source::StartFrom::Mode::kSnapshot);
  int64_t outbox_peak = 0;
  for (int round = 0; round < 5; ++round) {
    for (int i = 0; i < 12; ++i) shop.db.Commit(rng, std::uniform_int_distribution<int>(1, 20)(rng));
    bool converged = run.RunUntil([&] {
      outbox_peak = std::max(outbox_peak, run.pipeline->figures().outbox_depth);
      return run.Converged(shop);
    });
    CHECK_MESSAGE(converged, DiffCollections(shop.Expected(), run.store->Collection("orders")));
  }
  // Written while they were built, the documents never passed the outbox; otherwise they all did.
  if (direct) {
    CHECK(outbox_peak == 0);
  } else {
    CHECK(outbox_peak > 0);
  }
  run.RequireCaughtUp(shop);
  run.Stop();
}

}  // namespace

TEST_CASE("snapshot, then random transactions delivered in parts: the sink equals the recomputed view") {
  RandomTransactionsInParts(false);
}

TEST_CASE("the same, every group written straight to the sink while it is built: nothing passes the outbox") {
  RandomTransactionsInParts(true);
}

TEST_CASE("the same with every group's documents waiting for a catch-up's build: the last waiting roots are built once the source is quiet") {
  RandomTransactionsInParts(true, true);
}

TEST_CASE("a failing sink while a group's documents go straight to it: what it did not take arrives through the outbox") {
  Shop shop;
  Rng rng(17);
  for (int i = 0; i < 5; ++i) shop.db.Commit(rng, 6);
  Run run;
  run.direct_write_min_roots = 1;
  run.Start(shop);
  RequireConverged(run, shop);
  run.store->fail_writes = 2;
  for (int i = 0; i < 20; ++i) shop.db.Commit(rng, std::uniform_int_distribution<int>(1, 20)(rng));
  int64_t outbox_peak = 0;
  bool converged = run.RunUntil([&] {
    outbox_peak = std::max(outbox_peak, run.pipeline->figures().outbox_depth);
    return run.store->fail_writes.load() == 0 && run.Converged(shop);
  });
  CHECK_MESSAGE(converged, DiffCollections(shop.Expected(), run.store->Collection("orders")));
  CHECK(outbox_peak > 0);  // the writes the failing sink did not take
  run.RequireCaughtUp(shop);
  CHECK(run.pipeline->figures().outbox_depth == 0);
  run.Stop();
}

namespace {

void RestartInsideTransaction(bool direct) {
  Shop shop;
  Rng rng(11);
  for (int i = 0; i < 5; ++i) shop.db.Commit(rng, 6);
  Run run;
  run.direct_write_min_roots = direct ? 1 : 0;
  run.Start(shop);
  RequireConverged(run, shop);
  const std::string before_big = "tx=" + std::to_string(shop.db.log.size());
  REQUIRE(run.RunUntil([&] { return run.Offset() == std::optional<std::string>(before_big); }));
  // One big transaction in parts of 4; the source stops delivering after some of its parts.
  shop.db.part = 4;
  shop.db.Commit(rng, 60);
  const uint64_t rows_before = run.pipeline->figures().rows_in;
  REQUIRE(run.RunUntil([&] { return run.pipeline->figures().rows_in >= rows_before + 20; }));
  run.Stop();  // the source stops delivering: the transaction's last parts never arrive
  // Its first parts are applied and committed, but the offset stays before the transaction.
  std::optional<std::string> offset = run.Offset();
  REQUIRE(offset == std::optional<std::string>(before_big));
  // More work, then a restart: from the committed offset, the big transaction is read again.
  shop.db.Commit(rng, 5);
  run.Start(shop);
  RequireConverged(run, shop);
  REQUIRE(shop.db.starts.size() == 2);
  CHECK(shop.db.starts[1].mode == source::StartFrom::Mode::kOffset);
  CHECK(shop.db.starts[1].offset == *offset);
  run.RequireCaughtUp(shop);
  run.Stop();
}

}  // namespace

TEST_CASE("a restart inside a transaction delivered in parts resumes before it and replays it whole") {
  RestartInsideTransaction(false);
}

TEST_CASE("the same with its groups written straight to the sink: a group that never committed is replayed whole") {
  RestartInsideTransaction(true);
}

// A crash (the pipeline gone without a stop) after some parts of a big transaction committed their
// state but no offset and no documents: the restart replays the transaction over rows that are
// already as it makes them, which records no roots; the roots saved with the state
// (state/pending_roots.h) must bring every document up to date.
TEST_CASE("a crash inside a transaction delivered in parts: the restart builds what its committed parts touched") {
  for (bool direct : {false, true}) {
    CAPTURE(direct);
    Shop shop;
    Rng rng(direct ? 23 : 19);
    for (int i = 0; i < 5; ++i) shop.db.Commit(rng, 6);
    Run run;
    run.direct_write_min_roots = direct ? 1 : 0;
    run.Start(shop);
    RequireConverged(run, shop);
    const std::string before_big = "tx=" + std::to_string(shop.db.log.size());
    REQUIRE(run.RunUntil([&] { return run.Offset() == std::optional<std::string>(before_big); }));
    shop.db.part = 4;
    shop.db.Commit(rng, 80);
    const uint64_t rows_before = run.pipeline->figures().rows_in;
    // All but the last part: its few changes touch few documents after the restart.
    REQUIRE(run.RunUntil([&] { return run.pipeline->figures().rows_in >= rows_before + 76; }));
    run.pipeline.reset();  // the crash: nothing after the last commit happens
    uv_run(&run.loop, UV_RUN_NOWAIT);
    REQUIRE(run.Offset() == std::optional<std::string>(before_big));
    run.Start(shop);
    RequireConverged(run, shop);
    run.RequireCaughtUp(shop);
    run.Stop();
  }
}

TEST_CASE("back-pressure: a failing sink fills the outbox to its limit, the source pauses, then all arrives") {
  Shop shop;
  Rng rng(3);
  Run run;
  run.store->fail_writes = 3;  // back-off 0.5 + 1 + 2 s while the source keeps delivering
  run.Start(shop, /*outbox_limit=*/5);
  for (int i = 0; i < 40; ++i) shop.db.Commit(rng, 3);
  REQUIRE(run.RunUntil([&] { return shop.db.pauses > 0; }));
  RequireConverged(run, shop);
  CHECK(run.store->fail_writes.load() == 0);
  run.Stop();
}

TEST_CASE("a schema change on a view's table re-reads the source from a new snapshot") {
  Shop shop;
  Rng rng(5);
  for (int i = 0; i < 6; ++i) shop.db.Commit(rng, 5);
  Run run;
  run.Start(shop);
  RequireConverged(run, shop);
  change::Change ddl;
  ddl.type = change::ChangeType::kDdl;
  ddl.source.name = "shop";
  ddl.source.db = "shop";
  ddl.source.table = "ecom_customers";
  ddl.statement = "ALTER TABLE ecom_customers ADD COLUMN note TEXT";
  shop.db.log.push_back({ddl});
  for (int i = 0; i < 6; ++i) shop.db.Commit(rng, 5);
  REQUIRE(run.RunUntil([&] { return shop.db.starts.size() == 2; }));
  CHECK(shop.db.starts[1].mode == source::StartFrom::Mode::kSnapshot);
  RequireConverged(run, shop);
  run.Stop();
}

TEST_CASE("after a snapshot, documents in the sink that it did not produce are deleted") {
  Shop shop;
  Rng rng(9);
  for (int i = 0; i < 8; ++i) shop.db.Commit(rng, 6);
  Run run;
  run.store->Put("orders", Value::String("gone-order"), R"({"_id":"gone-order"})");
  run.Start(shop);
  RequireConverged(run, shop);  // equal: so the stale document is gone
  CHECK(run.store->Collection("orders").count("gone-order") == 0);
  run.Stop();
}

TEST_CASE("a snapshot written straight to the sink: documents a failing sink did not take arrive through the outbox") {
  Shop shop;
  Rng rng(13);
  for (int i = 0; i < 30; ++i) shop.db.Commit(rng, 6);  // a snapshot of many bulk writes (batch_size 7)
  Run run;
  run.store->fail_writes = 2;  // the first bulk writes fail while the snapshot is being built
  run.Start(shop);
  RequireConverged(run, shop);
  CHECK(run.store->fail_writes.load() == 0);
  for (int i = 0; i < 5; ++i) shop.db.Commit(rng, 4);
  RequireConverged(run, shop);
  run.RequireCaughtUp(shop);
  run.Stop();
}
