// The figures registry on a fake clock: counters, 10-second rates, the delay in each of its
// regimes, outbox and sink lag, states; and the rate meter.
#include <doctest/doctest.h>

#include "status/rate_meter.h"
#include "status/registry.h"

using namespace weft::status;

namespace {

struct FakeClock {
  int64_t wall = 1732184400000;
  int64_t steady = 1000000;
  void Advance(int64_t ms) {
    wall += ms;
    steady += ms;
  }
  Clock clock() {
    return Clock{[this] { return wall; }, [this] { return steady; }};
  }
};

struct Fixture {
  FakeClock time;
  Registry registry{time.clock()};
  Fixture() {
    registry.AddView("orders", "shop", "local", "orderSingleView", {"ecom_orders", "ecom_customers"});
    registry.AddView("sellers", "shop", "local", "sellers", {"ecom_sellers"});
  }
  SourceFigures Source() { return registry.Snapshot().sources.at(0); }
  ViewFigures View(size_t i = 0) { return registry.Snapshot().views.at(i); }
};

}  // namespace

TEST_CASE("rate meter: events over the last 10 s, young meters over their age") {
  RateMeter m(0);
  m.Add(50, 200);
  CHECK(m.PerSecond(500) == doctest::Approx(50.0));  // younger than a second: over one second
  m.Add(50, 1500);
  CHECK(m.PerSecond(2000) == doctest::Approx(50.0));  // 100 events in 2 s
  for (int s = 2; s < 10; ++s) m.Add(100, s * 1000 + 10);
  CHECK(m.PerSecond(10000) == doctest::Approx((50 + 8 * 100) / 9.0));  // window (1, 10]: the 200 ms batch left
  CHECK(m.PerSecond(20500) == doctest::Approx(0.0));  // everything aged out
  m.Add(95, 20600);
  CHECK(m.PerSecond(21500) == doctest::Approx(10.0));  // 95 events over 9.5 s
}

TEST_CASE("rows and documents: totals exact, rates per view, DDL-free counting by table") {
  Fixture f;
  f.registry.SourceStarted("shop", false, "v1;pos=4");
  f.registry.RowsApplied("shop", "ecom_orders", 3, f.time.wall - 200);
  f.registry.RowsApplied("shop", "ecom_sellers", 2, f.time.wall - 200);
  f.registry.RowsApplied("shop", "ecom_other", 1, f.time.wall - 200);  // read by no view
  f.registry.BatchReceived("shop", SourceSignal::kNone, true);
  f.time.Advance(2000);
  CHECK(f.Source().rows_total == 6);
  CHECK(f.Source().rows_per_s == doctest::Approx(3.0));
  CHECK(f.View(0).rows_total == 3);
  CHECK(f.View(1).rows_total == 2);

  f.registry.OutboxAppended("orders", 4);
  f.registry.OutboxCommitted("local", 10, f.time.wall - 2200);
  CHECK(f.View(0).outbox_depth == 4);
  f.registry.DocumentsAcked("orders", 2, 1, 4);
  CHECK(f.View(0).documents_total == 3);
  CHECK(f.View(0).documents_deleted_total == 1);
  CHECK(f.View(0).outbox_depth == 0);
  CHECK(f.View(0).documents_per_s == doctest::Approx(3.0 / 2.0));
  f.registry.DeadLettered("sellers", 2);
  CHECK(f.View(1).dead_letters == 2);
  f.registry.OffsetCommitted("shop", "v1;pos=99");
  CHECK(f.Source().offset == "v1;pos=99");
}

TEST_CASE("delay: apply lag while changes flow, 0 once caught up, growing when the source goes quiet") {
  Fixture f;
  f.registry.SourceStarted("shop", false, "v1;pos=4");
  CHECK(f.Source().delay_ms == 0);
  f.registry.RowsApplied("shop", "ecom_orders", 1, f.time.wall - 332);
  f.registry.BatchReceived("shop", SourceSignal::kNone, true);
  CHECK(f.Source().delay_ms == 332);
  f.time.Advance(3000);  // still within a heartbeat period: the lag measured at apply time stands
  CHECK(f.Source().delay_ms == 332);
  CHECK(!f.Source().caught_up);

  f.registry.BatchReceived("shop", SourceSignal::kCaughtUp, false);  // a heartbeat
  CHECK(f.Source().delay_ms == 0);
  CHECK(f.Source().caught_up);
  CHECK(f.View(0).delay_ms == 0);
  f.time.Advance(Registry::kCaughtUpFreshMs);
  CHECK(f.Source().delay_ms == 0);
  f.time.Advance(1000);  // no heartbeat for longer than the reader's read timeout
  CHECK(f.Source().delay_ms == Registry::kCaughtUpFreshMs + 1000);

  f.registry.RowsApplied("shop", "ecom_orders", 1, f.time.wall - 1500);
  f.registry.BatchReceived("shop", SourceSignal::kNone, true);
  CHECK(f.Source().delay_ms == 1500);
  CHECK(!f.Source().caught_up);
  f.time.Advance(Registry::kQuietMs + 1);  // quiet: now minus the last change's commit time
  CHECK(f.Source().delay_ms == 1500 + Registry::kQuietMs + 1);
}

TEST_CASE("delay: the view lags while its sink holds writes of old changes") {
  Fixture f;
  f.registry.SourceStarted("shop", false, "v1;pos=4");
  int64_t commit = f.time.wall - 100;
  f.registry.RowsApplied("shop", "ecom_orders", 1, commit);
  f.registry.BatchReceived("shop", SourceSignal::kNone, true);
  f.registry.OutboxAppended("orders", 1);
  f.registry.OutboxCommitted("local", 5, commit);
  f.registry.BatchReceived("shop", SourceSignal::kCaughtUp, false);
  f.registry.SinkPendingFrom("local", 5);
  f.registry.SinkFailing("local", "write failed: connection refused");
  f.time.Advance(60000);
  f.registry.BatchReceived("shop", SourceSignal::kCaughtUp, false);
  CHECK(f.Source().delay_ms == 0);
  CHECK(f.View(0).delay_ms == 60100);  // the document still waits for the sink
  CHECK(f.View(0).state == RunState::kRetrying);
  CHECK(f.View(0).sink_error == "write failed: connection refused");
  CHECK(f.View(0).outbox_depth == 1);

  f.registry.SinkOk("local");
  f.registry.DocumentsAcked("orders", 1, 0, 1);
  f.registry.SinkPendingFrom("local", std::nullopt);  // the writer found the outbox empty
  CHECK(f.View(0).delay_ms == 0);
  CHECK(f.View(0).state == RunState::kStreaming);
  CHECK(f.View(0).sink_error.empty());

  // Pending entries from a later commit only: the older commit is acknowledged.
  f.registry.OutboxCommitted("local", 8, f.time.wall - 50);
  f.registry.OutboxCommitted("local", 12, f.time.wall - 10);
  f.registry.SinkPendingFrom("local", 9);
  CHECK(f.View(0).delay_ms == 10);
}

TEST_CASE("states: snapshotting with table progress, streaming, retrying, stopped") {
  Fixture f;
  CHECK(f.Source().state == RunState::kStarting);
  f.registry.SourceStarted("shop", true, "");
  CHECK(f.Source().state == RunState::kSnapshotting);
  CHECK(f.View(0).state == RunState::kSnapshotting);
  f.time.Advance(1000);
  CHECK(f.Source().delay_ms == 1000);  // the state is as of the snapshot's start
  f.registry.SnapshotProgress("shop", "ecom_customers", 500, 1000);
  f.time.Advance(500);
  f.registry.SnapshotProgress("shop", "ecom_customers", 1000, 1000);
  f.registry.SnapshotProgress("shop", "ecom_orders", 10, 2000);
  auto s = f.Source();
  REQUIRE(s.snapshot_tables.size() == 2);
  CHECK(s.snapshot_tables[0].done);
  CHECK(s.snapshot_tables[0].rows_done == 1000);
  CHECK(s.snapshot_tables[0].elapsed_ms == 1500);  // from the snapshot's start
  CHECK(!s.snapshot_tables[1].done);
  CHECK(s.snapshot_tables[1].rows_estimate == 2000);
  CHECK(s.snapshot_tables[1].rows_per_s > 0);

  f.registry.SnapshotDone("shop");
  s = f.Source();
  CHECK(s.state == RunState::kStreaming);
  CHECK(s.snapshot_done);
  CHECK(s.snapshot_tables[1].done);

  f.registry.BatchReceived("shop", SourceSignal::kReconnecting, false);
  CHECK(f.Source().state == RunState::kRetrying);
  CHECK(f.View(1).state == RunState::kRetrying);
  f.registry.BatchReceived("shop", SourceSignal::kConnected, false);
  CHECK(f.Source().state == RunState::kStreaming);

  f.registry.Stop();
  Report r = f.registry.Snapshot();
  CHECK(!r.running);
  CHECK(r.sources[0].state == RunState::kStopped);
  CHECK(r.views[0].state == RunState::kStopped);
  CHECK(r.views[0].rows_per_s == 0);
}

TEST_CASE("process details and the backlog left by the last run") {
  Fixture f;
  f.registry.SetProcess("0.1.0", 77, "/etc/weft/weft.toml", "/var/lib/weft/state.db");
  f.registry.SetViewBacklog("orders", 12, 3);
  f.time.Advance(1500);
  Report r = f.registry.Snapshot();
  CHECK(r.pid == 77);
  CHECK(r.config_path == "/etc/weft/weft.toml");
  CHECK(r.time_ms - r.started_ms == 1500);
  CHECK(r.views[0].outbox_depth == 12);
  CHECK(r.views[0].dead_letters == 3);
  // No commit time is known for the last run's writes: they do not make up a delay.
  CHECK(r.views[0].delay_ms == 0);
}

TEST_CASE("a view stopped by a schema change shows stopped with its error; the others stream; JSON keeps it") {
  Fixture f;
  f.registry.SourceStarted("shop", false, "v1;pos=4");
  f.registry.ViewStopped("sellers", "view 'sellers' stopped: table 'ecom_sellers' does not exist");
  f.registry.ViewStopped("no_such_view", "ignored");
  CHECK(f.View(0).state == RunState::kStreaming);
  CHECK(f.View(0).error.empty());
  CHECK(f.View(1).state == RunState::kStopped);
  CHECK(f.View(1).error == "view 'sellers' stopped: table 'ecom_sellers' does not exist");
  auto parsed = ParseReport(ToJson(f.registry.Snapshot()));
  REQUIRE(parsed.ok());
  CHECK(parsed->views.at(1).error == f.View(1).error);
  CHECK(parsed->views.at(1).state == RunState::kStopped);
}

TEST_CASE("a source's kind survives the views added after it (it names the source in log lines)") {
  weft::status::Registry registry;
  registry.AddSource("pg", "postgresql");
  registry.AddView("sales", "pg", "local", "sales", {"sales"});
  registry.AddView("other", "shop", "local", "other", {"t"});
  auto report = registry.Snapshot();
  REQUIRE(report.sources.size() == 2);
  CHECK(report.sources[0].kind == "postgresql");
  CHECK(report.sources[1].kind == "mysql");
}

TEST_CASE("the latest dead letters: the last run's from the state DB, then this run's, newest first, at most 5") {
  Fixture f;
  f.registry.SetLatestDeadLetters("orders", {{"O2", "too large (last run)", 20}, {"O1", "bad key", 10}});
  CHECK(f.View().latest_dead_letters.size() == 2);
  for (int i = 0; i < 6; ++i) {
    f.registry.DeadLettered("orders", 1);
    f.registry.DeadLetterNoted("orders", {"N" + std::to_string(i), "rejected " + std::to_string(i), 100 + i});
  }
  f.registry.DeadLetterNoted("nope", {"X", "ignored", 1});
  ViewFigures v = f.View();
  REQUIRE(v.latest_dead_letters.size() == kLatestDeadLetters);
  CHECK(v.latest_dead_letters[0].id == "N5");
  CHECK(v.latest_dead_letters[0].reason == "rejected 5");
  CHECK(v.latest_dead_letters[4].id == "N1");
  CHECK(v.dead_letters == 6);
  CHECK(f.View(1).latest_dead_letters.empty());
}
