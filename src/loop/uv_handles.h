#pragma once
// RAII owners for the libuv handles weft uses: an async wake-up, a signal watcher, a timer, an
// idle callback.
//
// Contract (all four): Init/Start/Stop/Close and the destructor run on the loop thread; the
// callback runs on the loop thread. libuv frees a handle only in its close callback, so the handle
// lives in a heap block that the close callback deletes: the owner can be destroyed at any time
// (even from inside its own callback), but the loop must run once more afterwards for the memory to
// be released (uv_run(loop, UV_RUN_NOWAIT) before uv_loop_close). AsyncHandle::Send is the one call
// that is safe from any thread, between Init and Close: the owner makes sure no other thread can
// still call Send when it calls Close (join the producer first), since libuv forbids sending to a
// closing handle.

#include <uv.h>

#include <functional>

#include "core/status.h"

namespace weft::loop {

// uv_async_t: wakes the loop from another thread. Sends coalesce: several Send() calls before the
// loop runs give one callback, so the callback must drain everything that is pending.
class AsyncHandle {
 public:
  AsyncHandle() = default;
  ~AsyncHandle() { Close(); }
  AsyncHandle(const AsyncHandle&) = delete;
  AsyncHandle& operator=(const AsyncHandle&) = delete;

  core::Status Init(uv_loop_t* loop, std::function<void()> on_wake);
  // Any thread, while initialized (see the contract above).
  void Send();
  void Close();
  bool initialized() const { return block_ != nullptr; }

 private:
  struct Block;
  Block* block_ = nullptr;
};

// uv_signal_t for one or more signals (SIGINT and SIGTERM for the commands). The callback gets the
// signal number.
class SignalHandle {
 public:
  SignalHandle() = default;
  ~SignalHandle() { Close(); }
  SignalHandle(const SignalHandle&) = delete;
  SignalHandle& operator=(const SignalHandle&) = delete;

  core::Status Start(uv_loop_t* loop, std::initializer_list<int> signals, std::function<void(int)> on_signal);
  void Close();

 private:
  struct Block;
  Block* block_ = nullptr;
};

// uv_timer_t. Start may be called again to re-arm; Stop keeps the handle for a later Start.
class TimerHandle {
 public:
  TimerHandle() = default;
  ~TimerHandle() { Close(); }
  TimerHandle(const TimerHandle&) = delete;
  TimerHandle& operator=(const TimerHandle&) = delete;

  core::Status Init(uv_loop_t* loop);
  // timeout_ms until the first call, then every repeat_ms (0: once).
  core::Status Start(uint64_t timeout_ms, uint64_t repeat_ms, std::function<void()> on_timer);
  void Stop();
  void Close();

 private:
  struct Block;
  Block* block_ = nullptr;
};

// uv_idle_t: runs its callback once per loop iteration while started (weft: work that should wait
// until every event of this iteration has arrived, then run once for all of them).
class IdleHandle {
 public:
  IdleHandle() = default;
  ~IdleHandle() { Close(); }
  IdleHandle(const IdleHandle&) = delete;
  IdleHandle& operator=(const IdleHandle&) = delete;

  core::Status Init(uv_loop_t* loop, std::function<void()> on_idle);
  // Idempotent; no-ops before Init.
  void Start();
  void Stop();
  bool active() const;
  void Close();

 private:
  struct Block;
  Block* block_ = nullptr;
};

}  // namespace weft::loop
