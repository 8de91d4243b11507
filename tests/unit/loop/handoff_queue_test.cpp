#include <doctest/doctest.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "loop/handoff_queue.h"
#include "loop/uv_handles.h"

using weft::core::Status;
using weft::loop::HandoffQueue;

namespace {

// Runs the loop until `done` or a deadline, so a bug shows as a failed check, not a hung test.
void RunUntil(uv_loop_t* loop, const std::function<bool()>& done, int timeout_ms = 10000) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (!done() && std::chrono::steady_clock::now() < deadline) {
    uv_run(loop, UV_RUN_NOWAIT);
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

}  // namespace

TEST_CASE("every pushed item arrives once, in order, and finished comes last") {
  uv_loop_t loop;
  uv_loop_init(&loop);
  std::vector<int> got;
  std::vector<std::string> finished;
  {
    HandoffQueue<int> queue(4);
    REQUIRE(queue.Open(&loop, [&](int&& v) { got.push_back(v); },
                       [&](const Status& s) {
                         finished.push_back(s.ToString());
                         CHECK(got.size() == 5000);  // nothing is delivered after finished
                       })
                .ok());
    std::thread producer([&] {
      for (int i = 0; i < 5000; ++i) REQUIRE(queue.Push(i));
      queue.Finish(weft::core::Aborted("stopped"));
    });
    RunUntil(&loop, [&] { return !finished.empty(); });
    producer.join();
    queue.Close();
  }
  uv_run(&loop, UV_RUN_NOWAIT);
  CHECK(uv_loop_close(&loop) == 0);  // every handle was freed
  REQUIRE(got.size() == 5000);
  for (int i = 0; i < 5000; ++i) CHECK(got[i] == i);
  REQUIRE(finished.size() == 1);
  CHECK(finished[0].find("stopped") != std::string::npos);
}

TEST_CASE("a paused consumer blocks the producer at the capacity, and Resume drains") {
  uv_loop_t loop;
  uv_loop_init(&loop);
  HandoffQueue<int> queue(3);
  std::vector<int> got;
  bool finished = false;
  REQUIRE(queue.Open(&loop, [&](int&& v) {
                       got.push_back(v);
                       if (v == 1) queue.Pause();  // pausing from inside the callback stops delivery at once
                     },
                     [&](const Status&) { finished = true; })
              .ok());
  std::atomic<int> pushed{0};
  std::thread producer([&] {
    for (int i = 0; i < 10; ++i) {
      if (!queue.Push(i)) return;
      ++pushed;
    }
    queue.Finish(Status::Ok());
  });
  RunUntil(&loop, [&] { return got.size() >= 2 && pushed.load() >= 5; }, 3000);
  // Give the producer time to overrun the bound if back-pressure were broken.
  for (int i = 0; i < 50; ++i) {
    uv_run(&loop, UV_RUN_NOWAIT);
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  CHECK(got == std::vector<int>{0, 1});
  CHECK(queue.size() == 3);
  CHECK(pushed.load() == 5);  // 2 delivered + 3 queued; the 6th Push is blocked
  CHECK_FALSE(finished);
  queue.Resume();
  RunUntil(&loop, [&] { return finished; });
  producer.join();
  CHECK(got.size() == 10);
  CHECK(finished);
  queue.Close();
  uv_run(&loop, UV_RUN_NOWAIT);
  CHECK(uv_loop_close(&loop) == 0);
}

TEST_CASE("with a weight, the bound counts weight: light items queue up, a heavy one overshoots once") {
  uv_loop_t loop;
  uv_loop_init(&loop);
  // Items weigh their value; capacity 10.
  HandoffQueue<int> queue(10, [](const int& v) { return static_cast<size_t>(v); });
  std::vector<int> got;
  REQUIRE(queue.Open(&loop, [&](int&& v) { got.push_back(v); }, nullptr).ok());
  queue.Pause();
  std::atomic<int> pushed{0};
  const std::vector<int> items = {3, 3, 3, 50, 0, 1};
  std::thread producer([&] {
    for (int v : items) {
      if (!queue.Push(v)) return;
      ++pushed;
    }
  });
  auto settle = [&] {
    for (int i = 0; i < 50; ++i) {
      uv_run(&loop, UV_RUN_NOWAIT);
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
  };
  settle();
  // 3+3+3 = 9 < 10 lets the heavy 50 in (the overshoot); then the load is 59 and the producer waits.
  CHECK(pushed.load() == 4);
  CHECK(queue.size() == 4);
  queue.Resume();
  RunUntil(&loop, [&] { return got.size() == items.size(); });
  producer.join();
  CHECK(got == items);  // the weight-0 item counted as 1 and passed in order
  queue.Close();
  uv_run(&loop, UV_RUN_NOWAIT);
  CHECK(uv_loop_close(&loop) == 0);
}

TEST_CASE("with a byte bound too, the producer waits for whichever bound is reached first") {
  uv_loop_t loop;
  uv_loop_init(&loop);
  // Items weigh 1 each (at most 100 queued) and hold their value in bytes (at most 10 bytes queued).
  HandoffQueue<int> queue(
      100, [](const int&) { return size_t{1}; }, 10, [](const int& v) { return static_cast<size_t>(v); });
  std::vector<int> got;
  REQUIRE(queue
              .Open(
                  &loop, [&](int&& v) { got.push_back(v); }, nullptr)
              .ok());
  queue.Pause();
  std::atomic<int> pushed{0};
  const std::vector<int> items = {4, 4, 4, 1, 1};
  std::thread producer([&] {
    for (int v : items) {
      if (!queue.Push(v)) return;
      ++pushed;
    }
  });
  auto settle = [&] {
    for (int i = 0; i < 50; ++i) {
      uv_run(&loop, UV_RUN_NOWAIT);
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
  };
  settle();
  // 4+4 = 8 bytes < 10 lets the third 4 in (12 bytes); then the producer waits, far below 100 items.
  CHECK(pushed.load() == 3);
  CHECK(queue.size() == 3);
  queue.Resume();
  RunUntil(&loop, [&] { return got.size() == items.size(); });
  producer.join();
  CHECK(got == items);
  queue.Close();
  uv_run(&loop, UV_RUN_NOWAIT);
  CHECK(uv_loop_close(&loop) == 0);
}

TEST_CASE("Cancel releases a blocked producer and drops what was queued") {
  uv_loop_t loop;
  uv_loop_init(&loop);
  HandoffQueue<int> queue(2);
  int delivered = 0;
  REQUIRE(queue.Open(&loop, [&](int&&) { ++delivered; }, nullptr).ok());
  std::atomic<bool> push_failed{false};
  std::thread producer([&] {
    for (int i = 0; i < 100; ++i) {
      if (!queue.Push(i)) {
        push_failed = true;
        return;
      }
    }
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(50));  // the loop does not run: the producer blocks
  CHECK_FALSE(push_failed.load());
  queue.Cancel();
  producer.join();
  CHECK(push_failed.load());
  CHECK_FALSE(queue.Push(1));
  uv_run(&loop, UV_RUN_NOWAIT);
  CHECK(delivered == 0);
  queue.Close();
  uv_run(&loop, UV_RUN_NOWAIT);
  CHECK(uv_loop_close(&loop) == 0);
}

TEST_CASE("SignalHandle delivers SIGTERM on the loop and frees its handles on Close") {
  uv_loop_t loop;
  uv_loop_init(&loop);
  int got = 0;
  {
    weft::loop::SignalHandle signals;
    REQUIRE(signals.Start(&loop, {SIGINT, SIGTERM}, [&](int signum) { got = signum; }).ok());
    kill(getpid(), SIGTERM);
    RunUntil(&loop, [&] { return got != 0; });
  }
  CHECK(got == SIGTERM);
  uv_run(&loop, UV_RUN_NOWAIT);
  CHECK(uv_loop_close(&loop) == 0);
}
