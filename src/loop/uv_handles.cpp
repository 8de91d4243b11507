#include "loop/uv_handles.h"

#include <string>
#include <vector>

namespace weft::loop {
namespace {

core::Status UvError(const char* what, int rc) {
  return core::Internal(std::string(what) + ": " + uv_strerror(rc));
}

}  // namespace

// The callback lives next to the handle so that a callback running while its owner is destroyed
// still has a valid std::function: the block is deleted only by libuv's close callback, later.
struct AsyncHandle::Block {
  uv_async_t handle;
  std::function<void()> on_wake;
};

core::Status AsyncHandle::Init(uv_loop_t* loop, std::function<void()> on_wake) {
  Close();
  auto* block = new Block();
  block->on_wake = std::move(on_wake);
  block->handle.data = block;
  int rc = uv_async_init(loop, &block->handle, [](uv_async_t* h) {
    auto* b = static_cast<Block*>(h->data);
    if (b->on_wake) b->on_wake();
  });
  if (rc != 0) {
    delete block;
    return UvError("uv_async_init", rc);
  }
  block_ = block;
  return core::Status::Ok();
}

void AsyncHandle::Send() {
  if (block_) uv_async_send(&block_->handle);
}

void AsyncHandle::Close() {
  if (!block_) return;
  uv_close(reinterpret_cast<uv_handle_t*>(&block_->handle),
           [](uv_handle_t* h) { delete static_cast<Block*>(h->data); });
  block_ = nullptr;
}

struct SignalHandle::Block {
  std::vector<uv_signal_t*> handles;
  std::function<void(int)> on_signal;
  size_t open = 0;  // handles not yet closed; the block goes when the last one is
};

core::Status SignalHandle::Start(uv_loop_t* loop, std::initializer_list<int> signals,
                                 std::function<void(int)> on_signal) {
  Close();
  block_ = new Block();
  block_->on_signal = std::move(on_signal);
  for (int signum : signals) {
    auto* h = new uv_signal_t();
    h->data = block_;
    int rc = uv_signal_init(loop, h);
    if (rc != 0) {
      delete h;
      Close();
      return UvError("uv_signal_init", rc);
    }
    block_->handles.push_back(h);
    ++block_->open;
    rc = uv_signal_start(
        h, [](uv_signal_t* s, int num) {
          auto* b = static_cast<Block*>(s->data);
          if (b->on_signal) b->on_signal(num);
        },
        signum);
    if (rc != 0) {
      Close();
      return UvError("uv_signal_start", rc);
    }
  }
  return core::Status::Ok();
}

void SignalHandle::Close() {
  if (!block_) return;
  Block* block = block_;
  block_ = nullptr;
  if (block->handles.empty()) {
    delete block;
    return;
  }
  for (uv_signal_t* h : block->handles) {
    uv_close(reinterpret_cast<uv_handle_t*>(h), [](uv_handle_t* closed) {
      auto* s = reinterpret_cast<uv_signal_t*>(closed);
      auto* b = static_cast<Block*>(s->data);
      delete s;
      if (--b->open == 0) delete b;
    });
  }
}

struct TimerHandle::Block {
  uv_timer_t handle;
  std::function<void()> on_timer;
};

core::Status TimerHandle::Init(uv_loop_t* loop) {
  Close();
  auto* block = new Block();
  block->handle.data = block;
  int rc = uv_timer_init(loop, &block->handle);
  if (rc != 0) {
    delete block;
    return UvError("uv_timer_init", rc);
  }
  block_ = block;
  return core::Status::Ok();
}

core::Status TimerHandle::Start(uint64_t timeout_ms, uint64_t repeat_ms, std::function<void()> on_timer) {
  if (!block_) return core::Internal("TimerHandle::Start before Init");
  block_->on_timer = std::move(on_timer);
  int rc = uv_timer_start(
      &block_->handle,
      [](uv_timer_t* h) {
        auto* b = static_cast<Block*>(h->data);
        if (b->on_timer) b->on_timer();
      },
      timeout_ms, repeat_ms);
  return rc == 0 ? core::Status::Ok() : UvError("uv_timer_start", rc);
}

void TimerHandle::Stop() {
  if (block_) uv_timer_stop(&block_->handle);
}

void TimerHandle::Close() {
  if (!block_) return;
  uv_close(reinterpret_cast<uv_handle_t*>(&block_->handle),
           [](uv_handle_t* h) { delete static_cast<Block*>(h->data); });
  block_ = nullptr;
}

struct IdleHandle::Block {
  uv_idle_t handle;
  std::function<void()> on_idle;
};

core::Status IdleHandle::Init(uv_loop_t* loop, std::function<void()> on_idle) {
  Close();
  auto* block = new Block();
  block->handle.data = block;
  block->on_idle = std::move(on_idle);
  int rc = uv_idle_init(loop, &block->handle);
  if (rc != 0) {
    delete block;
    return UvError("uv_idle_init", rc);
  }
  block_ = block;
  return core::Status::Ok();
}

void IdleHandle::Start() {
  if (!block_ || active()) return;
  uv_idle_start(&block_->handle, [](uv_idle_t* h) {
    auto* b = static_cast<Block*>(h->data);
    if (b->on_idle) b->on_idle();
  });
}

void IdleHandle::Stop() {
  if (block_) uv_idle_stop(&block_->handle);
}

bool IdleHandle::active() const {
  return block_ && uv_is_active(reinterpret_cast<const uv_handle_t*>(&block_->handle));
}

void IdleHandle::Close() {
  if (!block_) return;
  uv_close(reinterpret_cast<uv_handle_t*>(&block_->handle), [](uv_handle_t* h) { delete static_cast<Block*>(h->data); });
  block_ = nullptr;
}

}  // namespace weft::loop
