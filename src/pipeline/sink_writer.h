#pragma once
// SinkWriter: the one thread that talks to a sink. The loop thread posts jobs (a bulk write, a scan);
// each job runs on the writer thread, where blocking is fine (libmongoc, SQLite busy waits), and its
// completion runs back on the loop thread through uv_async_send. Jobs run in post order, one at a
// time. The writer thread never touches the StateDb: jobs carry copies of what they need.

#include <uv.h>

#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "core/log.h"
#include "sink/document_sink.h"

namespace weft::pipeline {

class SinkWriter {
 public:
  // `work` runs on the writer thread; `done` runs afterwards on the loop thread. The writer opens
  // the sink before the first job and again after a failed open; `open` is that open's status, and a
  // job must not use the sink when it is not ok (it reports the failure so the engine backs off).
  using Work = std::function<void(sink::DocumentSink& sink, const core::Status& open)>;
  using Done = std::function<void()>;

  SinkWriter(std::string name, std::unique_ptr<sink::DocumentSink> sink, uv_loop_t* loop);
  ~SinkWriter();  // Stop() if still running
  SinkWriter(const SinkWriter&) = delete;
  SinkWriter& operator=(const SinkWriter&) = delete;

  const std::string& name() const { return name_; }
  // For the sink's pure methods only (ScanIdKey), which any thread may call.
  const sink::DocumentSink& sink() const { return *sink_; }
  const core::Logger& log() const { return log_; }
  // Loop thread.
  void Post(Work work, Done done);
  // Jobs posted and not yet completed on the loop thread.
  size_t pending() const { return pending_; }
  // Loop thread. Finishes the running job, drops queued ones, joins the thread, closes the handle.
  void Stop();

 private:
  struct Job {
    Work work;
    Done done;
  };
  void ThreadMain();
  static void OnAsync(uv_async_t* handle);

  std::string name_;
  core::Logger log_;
  std::unique_ptr<sink::DocumentSink> sink_;
  uv_async_t* async_ = nullptr;  // freed in its close callback
  std::thread thread_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Job> queued_;     // guarded by mutex_
  std::deque<Done> finished_;  // guarded by mutex_
  bool stopping_ = false;      // guarded by mutex_
  bool opened_ = false;        // writer thread only
  size_t pending_ = 0;         // loop thread only
};

}  // namespace weft::pipeline
