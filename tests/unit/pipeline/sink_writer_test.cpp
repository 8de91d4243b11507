// SinkWriter: jobs run in order on the writer thread and complete on the loop thread; Stop() does
// not wait for a sink that stopped answering beyond its grace, and the abandoned thread neither
// touches the loop nor outlives the sink it is still using.
#include "pipeline/sink_writer.h"

#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

using namespace weft;
using Clock = std::chrono::steady_clock;

namespace {

// A sink whose Write blocks until Unblock(), as a server that accepted a request and never answers.
struct Gate {
  std::mutex mutex;
  std::condition_variable cv;
  bool open = false;
  std::atomic<bool> in_write{false};
  std::atomic<bool> sink_destroyed{false};
  void Unblock() {
    std::lock_guard lock(mutex);
    open = true;
    cv.notify_all();
  }
};

class BlockingSink final : public sink::DocumentSink {
 public:
  explicit BlockingSink(std::shared_ptr<Gate> gate) : gate_(std::move(gate)) {}
  ~BlockingSink() override { gate_->sink_destroyed = true; }
  std::string component() const override { return "sink.test:blocking"; }
  core::Status Open() override { return core::Status::Ok(); }
  core::Status Write(const std::vector<sink::DocumentWrite>& batch, std::vector<sink::WriteResult>* results) override {
    gate_->in_write = true;
    std::unique_lock lock(gate_->mutex);
    gate_->cv.wait(lock, [&] { return gate_->open; });
    results->assign(batch.size(), sink::WriteResult{});
    return core::Status::Ok();
  }
  std::string Canonical(const change::Value& doc) const override { return change::ToJson(doc); }
  core::Status Scan(const std::string&, const ScanCallback&) override { return core::Status::Ok(); }

 private:
  std::shared_ptr<Gate> gate_;
};

void RunLoopFor(uv_loop_t* loop, int ms) {
  auto until = Clock::now() + std::chrono::milliseconds(ms);
  while (Clock::now() < until) {
    uv_run(loop, UV_RUN_NOWAIT);
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

}  // namespace

TEST_CASE("jobs complete on the loop thread in post order; Stop joins an idle writer") {
  uv_loop_t loop;
  uv_loop_init(&loop);
  auto gate = std::make_shared<Gate>();
  gate->Unblock();
  {
    auto started = pipeline::SinkWriter::Start("t", std::make_unique<BlockingSink>(gate), &loop);
    REQUIRE(started.ok());
    pipeline::SinkWriter& writer = **started;
    std::vector<int> order;
    auto loop_thread = std::this_thread::get_id();
    for (int i = 0; i < 3; ++i) {
      writer.Post([](sink::DocumentSink& s, const core::Status& open) {
        REQUIRE(open.ok());
        std::vector<sink::WriteResult> results;
        REQUIRE(s.Write({}, &results).ok());
      }, [&, i] {
        CHECK(std::this_thread::get_id() == loop_thread);
        order.push_back(i);
      });
    }
    for (int i = 0; i < 200 && writer.pending() > 0; ++i) RunLoopFor(&loop, 5);
    CHECK(order == std::vector<int>{0, 1, 2});
    CHECK(writer.Stop());
  }
  uv_run(&loop, UV_RUN_DEFAULT);
  CHECK(uv_loop_close(&loop) == 0);
  CHECK(gate->sink_destroyed);
}

TEST_CASE("Stop abandons a job blocked in the sink after its grace; the thread later leaves quietly") {
  uv_loop_t loop;
  uv_loop_init(&loop);
  auto gate = std::make_shared<Gate>();
  bool done_ran = false;
  {
    auto started = pipeline::SinkWriter::Start("t", std::make_unique<BlockingSink>(gate), &loop);
    REQUIRE(started.ok());
    pipeline::SinkWriter& writer = **started;
    writer.Post([](sink::DocumentSink& s, const core::Status&) {
      std::vector<sink::WriteResult> results;
      (void)s.Write({}, &results);
    }, [&] { done_ran = true; });
    for (int i = 0; i < 400 && !gate->in_write; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    REQUIRE(gate->in_write);
    auto t = Clock::now();
    CHECK_FALSE(writer.Stop(std::chrono::milliseconds(200)));
    double waited = std::chrono::duration<double>(Clock::now() - t).count();
    CHECK(waited >= 0.15);
    CHECK(waited < 2.0);
  }
  // The writer is gone and its async handle closed; the loop can end while the sink still blocks.
  uv_run(&loop, UV_RUN_DEFAULT);
  CHECK(uv_loop_close(&loop) == 0);
  CHECK_FALSE(gate->sink_destroyed);  // the abandoned thread still holds it
  gate->Unblock();
  for (int i = 0; i < 400 && !gate->sink_destroyed; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  CHECK(gate->sink_destroyed);  // released once the blocked call returned
  CHECK_FALSE(done_ran);
}
