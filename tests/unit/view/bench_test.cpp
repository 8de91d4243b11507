// Throughput figures for the engine on an Olist-sized synthetic load (100k orders, 112k items, 100k
// payments, 100k customers, 33k products, 3k sellers). Skipped unless WEFT_BENCH=1; it prints
// timings and asserts only correctness (document count, one embedded item), never a time.

#include <doctest/doctest.h>

#include <chrono>
#include <ctime>
#include <cstdio>
#include <cstdlib>
#include <random>

#include "seeds_schema.h"
#include "test_support.h"

using namespace weft;
using namespace weft::test;
using change::Value;

namespace {

std::string Id(const char* prefix, int n) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%s%08d", prefix, n);
  return buf;
}

double Seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

// Process CPU seconds: on a busy machine the wall time says more about the neighbours.
double CpuSeconds() { return static_cast<double>(std::clock()) / CLOCKS_PER_SEC; }

}  // namespace

TEST_CASE("bench: snapshot load and BuildAll of ~100k orders with 5 lookups" * doctest::skip(!std::getenv("WEFT_BENCH"))) {
  // WEFT_BENCH_SCALE (default 1) shrinks the load, e.g. for a run under callgrind.
  const double scale = std::getenv("WEFT_BENCH_SCALE") ? std::atof(std::getenv("WEFT_BENCH_SCALE")) : 1.0;
  const int kOrders = static_cast<int>(100000 * scale), kCustomers = kOrders;
  const int kProducts = static_cast<int>(33000 * scale), kSellers = static_cast<int>(3000 * scale) + 1;
  TempDir dir;
  SeedsSchema s;
  Harness h(dir.File("state.db"), {OrderSingleView()});
  std::mt19937_64 rng(1);
  auto t0 = std::chrono::steady_clock::now();
  double c0 = CpuSeconds();
  REQUIRE(h.db()->Begin().ok());
  auto apply = [&](change::Change c) {
    auto st = h.engine()->ApplyChange("shop", c);
    REQUIRE(st.ok());
  };
  int rows = 0, items = 0;
  for (int i = 0; i < kCustomers; ++i, ++rows) {
    apply(Read(s.customers, {Value::String(Id("C", i)), Value::String(Id("U", i)), Value::String("01310"),
                             Value::String("Sao Paulo"), Value::String("SP")}));
  }
  for (int i = 0; i < kProducts; ++i, ++rows) {
    apply(Read(s.products, {Value::String(Id("P", i)), Value::String("books"), Value::Int(350), Value::Int(22),
                            Value::Int(3), Value::Int(15)}));
  }
  for (int i = 0; i < kSellers; ++i, ++rows) {
    apply(Read(s.sellers, {Value::String(Id("S", i)), Value::String("13023"), Value::String("Campinas"),
                           Value::String("SP")}));
  }
  for (int i = 0; i < kOrders; ++i) {
    apply(Read(s.orders, {Value::String(Id("O", i)), Value::String(Id("C", i)), Value::String("delivered"),
                          Value::DateTime("2024-10-01 09:12:00"), Value::DateTime("2024-10-01 09:30:00"),
                          Value::DateTime("2024-10-02 14:00:00"), Value::DateTime("2024-10-05 16:20:00"),
                          Value::DateTime("2024-10-09 00:00:00")}));
    apply(Read(s.payments, {Value::String(Id("O", i)), Value::Int(1), Value::String("credit_card"), Value::Int(3),
                            Value::Decimal("141.90")}));
    int n = i % 8 == 0 ? 2 : 1;  // 112.5k items
    for (int k = 1; k <= n; ++k, ++items) {
      apply(Read(s.items, {Value::String(Id("O", i)), Value::Int(k),
                           Value::String(Id("P", static_cast<int>(rng() % kProducts))),
                           Value::String(Id("S", static_cast<int>(rng() % kSellers))),
                           Value::DateTime("2024-10-03 00:00:00"), Value::Decimal("129.00"), Value::Decimal("12.90")}));
    }
    rows += 2 + n;
  }
  REQUIRE(h.db()->Commit().ok());
  double load = Seconds(t0), load_cpu = CpuSeconds() - c0;

  t0 = std::chrono::steady_clock::now();
  c0 = CpuSeconds();
  size_t written = 0;
  REQUIRE(h.db()->Begin().ok());
  auto st = h.engine()->BuildAll("shop", [&](view::PendingWrite&& w) {
    ++written;
    return core::Status::Ok();
  });
  REQUIRE(st.ok());
  REQUIRE(h.db()->Commit().ok());
  double build = Seconds(t0), build_cpu = CpuSeconds() - c0;
  CHECK(written == static_cast<size_t>(kOrders));

  // Streaming: customer city changes (fan-out 1 order each) and seller changes (~37 orders each),
  // 100 changes per batch.
  t0 = std::chrono::steady_clock::now();
  c0 = CpuSeconds();
  size_t stream_writes = 0;
  const int kBatches = 50;
  for (int b = 0; b < kBatches; ++b) {
    std::vector<change::Change> batch;
    for (int k = 0; k < 99; ++k) {
      int c = static_cast<int>(rng() % kCustomers);
      batch.push_back(Update(s.customers,
                             {Value::String(Id("C", c)), Value::String(Id("U", c)), Value::String("01310"),
                              Value::String("Sao Paulo"), Value::String("SP")},
                             {Value::String(Id("C", c)), Value::String(Id("U", c)), Value::String("01310"),
                              Value::String("Campinas " + std::to_string(b)), Value::String("SP")}));
    }
    int seller = static_cast<int>(rng() % kSellers);
    batch.push_back(Update(s.sellers,
                           {Value::String(Id("S", seller)), Value::String("13023"), Value::String("Campinas"),
                            Value::String("SP")},
                           {Value::String(Id("S", seller)), Value::String("13023"), Value::String("Curitiba"),
                            Value::String("PR")}));
    stream_writes += h.Batch(batch).size();
  }
  double stream = Seconds(t0), stream_cpu = CpuSeconds() - c0;
  CHECK(stream_writes >= static_cast<size_t>(kBatches * 90));

  std::printf("bench: snapshot load %d rows (%d items) in %.2f s, %.2f s CPU (%.0f rows/s)\n", rows, items, load,
              load_cpu, rows / load);
  std::printf("bench: BuildAll %zu documents in %.2f s, %.2f s CPU (%.0f docs/s)\n", written, build, build_cpu,
              written / build);
  std::printf("bench: streaming %d changes in %d batches -> %zu document writes in %.2f s, %.2f s CPU (%.0f changes/s)\n",
              kBatches * 100, kBatches, stream_writes, stream, stream_cpu, kBatches * 100 / stream);
}
