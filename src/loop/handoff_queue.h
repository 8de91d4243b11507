#pragma once
// HandoffQueue<T>: a bounded queue from one producer thread to the libuv loop thread.
//
// The producer Push()es items and blocks while the queue holds `capacity` items, so a slow (or
// paused) consumer slows the producer instead of growing memory: back-pressure. With a `weight`
// function the bound counts weight instead of items (a source batch weighs its row changes, so the
// queue holds a bounded number of rows however they are grouped); an item enters whenever the load
// is below capacity, so one item may overshoot it (and one heavier than the capacity still passes). A
// second, optional bound counts bytes (`bytes` and `byte_capacity`): Push also waits while the
// queued items' bytes reach byte_capacity, so items that hold more memory than usual (wide rows)
// are fewer in flight, not more memory; the same overshoot rule applies. Each Push wakes the
// loop with uv_async_send; sends coalesce, so the loop callback drains every pending item in order.
// When the producer is done it calls Finish(status) once; the loop thread then delivers every item
// still queued and calls `finished(status)` once, as the very last callback.
//
// Threads: Open/Pause/Resume/Close and both callbacks on the loop thread; Push/Finish on the
// producer thread; Cancel on any thread. The owner joins the producer before Close()/destruction.
// `deliver` must not destroy the queue; `finished` may (nothing touches the queue after it).

#include <uv.h>

#include <algorithm>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <utility>

#include "core/status.h"
#include "loop/uv_handles.h"

namespace weft::loop {

template <typename T>
class HandoffQueue {
 public:
  using Deliver = std::function<void(T&& item)>;
  using Finished = std::function<void(const core::Status& status)>;
  using Weight = std::function<size_t(const T& item)>;

  explicit HandoffQueue(size_t capacity, Weight weight = nullptr, size_t byte_capacity = 0, Weight bytes = nullptr)
      : capacity_(capacity == 0 ? 1 : capacity),
        weight_(std::move(weight)),
        byte_capacity_(bytes ? byte_capacity : 0),
        bytes_(std::move(bytes)) {}
  HandoffQueue(const HandoffQueue&) = delete;
  HandoffQueue& operator=(const HandoffQueue&) = delete;

  core::Status Open(uv_loop_t* loop, Deliver deliver, Finished finished) {
    deliver_ = std::move(deliver);
    finished_ = std::move(finished);
    return async_.Init(loop, [this] { Drain(); });
  }

  // Producer thread. Blocks while full; returns false (dropping the item) once Cancel() was called.
  bool Push(T item) {
    const size_t weight = WeightOf(item), bytes = BytesOf(item);  // outside the lock: may walk the item
    {
      std::unique_lock<std::mutex> lock(mu_);
      not_full_.wait(lock, [this] {
        return cancelled_ || (load_ < capacity_ && (byte_capacity_ == 0 || byte_load_ < byte_capacity_));
      });
      if (cancelled_) return false;
      load_ += weight;
      byte_load_ += bytes;
      items_.push_back(Entry{std::move(item), weight, bytes});
    }
    async_.Send();
    return true;
  }

  // Producer thread, last call: `finished(status)` follows the delivery of every queued item.
  void Finish(core::Status status) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      finish_ = std::move(status);
    }
    async_.Send();
  }

  // Any thread. Queued items are dropped, a blocked Push returns false, later Pushes too.
  void Cancel() {
    std::deque<Entry> dropped;  // destroyed outside the lock
    {
      std::lock_guard<std::mutex> lock(mu_);
      cancelled_ = true;
      dropped.swap(items_);
      load_ = 0;
      byte_load_ = 0;
    }
    not_full_.notify_all();
  }

  bool cancelled() const {
    std::lock_guard<std::mutex> lock(mu_);
    return cancelled_;
  }

  // Loop thread. While paused nothing is delivered (Finish's callback waits too, unless cancelled).
  void Pause() { paused_ = true; }
  void Resume() {
    if (!paused_) return;
    paused_ = false;
    async_.Send();  // not Drain(): Resume may be called from inside `deliver`
  }
  bool paused() const { return paused_; }

  // Loop thread. No callback runs after Close.
  void Close() { async_.Close(); }

  size_t size() const {
    std::lock_guard<std::mutex> lock(mu_);
    return items_.size();
  }

 private:
  void Drain() {
    while (true) {
      std::optional<T> item;
      {
        std::unique_lock<std::mutex> lock(mu_);
        // A cancelled queue holds no items: its `finished` is reported even while paused.
        if (paused_ && !cancelled_) return;
        if (items_.empty()) {
          if (!finish_ || reported_) return;
          reported_ = true;
          core::Status status = *finish_;
          lock.unlock();
          Finished finished = finished_;  // a copy: the callback may destroy this queue
          if (finished) finished(status);
          return;
        }
        Entry& front = items_.front();
        load_ -= front.weight;
        byte_load_ -= front.bytes;
        item.emplace(std::move(front.item));
        items_.pop_front();
      }
      not_full_.notify_one();
      if (deliver_) deliver_(std::move(*item));
    }
  }

  // At least 1: an item of weight 0 must still count, or the queue would not bound them.
  size_t WeightOf(const T& item) const { return weight_ ? std::max<size_t>(1, weight_(item)) : 1; }
  size_t BytesOf(const T& item) const { return byte_capacity_ ? bytes_(item) : 0; }

  struct Entry {
    T item;
    size_t weight;
    size_t bytes;
  };

  const size_t capacity_;
  const Weight weight_;
  const size_t byte_capacity_;  // 0: no byte bound
  const Weight bytes_;
  mutable std::mutex mu_;
  std::condition_variable not_full_;
  std::deque<Entry> items_;
  size_t load_ = 0;       // sum of the queued items' weights
  size_t byte_load_ = 0;  // sum of the queued items' bytes (with a byte bound)
  bool cancelled_ = false;
  std::optional<core::Status> finish_;
  bool reported_ = false;
  bool paused_ = false;  // loop thread only
  Deliver deliver_;
  Finished finished_;
  AsyncHandle async_;
};

}  // namespace weft::loop
