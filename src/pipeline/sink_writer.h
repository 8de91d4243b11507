#pragma once
// SinkWriter: the one thread that talks to a sink. The loop thread posts jobs (a bulk write, a scan);
// each job runs on the writer thread, where blocking is fine (libmongoc, SQLite busy waits), and its
// completion runs back on the loop thread through uv_async_send. Jobs run in post order, one at a
// time. The writer thread never touches the StateDb: jobs carry copies of what they need.
//
// Stopping must not wait on a sink that stopped answering (a MongoDB that accepted a bulk write and
// never replies keeps libmongoc blocked for socketTimeoutMS, 300 s by default): Stop() gives the
// running job a bounded grace and otherwise abandons it. The sink then lives on with the detached
// thread until its call returns, and that job's completion is never run; the writes it carried
// stay in the outbox (only acknowledged entries are removed), so the next start sends them again.

#include <uv.h>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "core/log.h"
#include "core/status.h"
#include "loop/uv_handles.h"
#include "sink/document_sink.h"

namespace weft::pipeline {

class SinkWriter {
 public:
  // `work` runs on the writer thread; `done` runs afterwards on the loop thread. The writer opens
  // the sink before the first job and again after a failed open; `open` is that open's status, and a
  // job must not use the sink when it is not ok (it reports the failure so the engine backs off).
  // `work` must own (or share) everything it touches: after an abandoning Stop() it may still be
  // running while the loop thread has moved on.
  using Work = std::function<void(sink::DocumentSink& sink, const core::Status& open)>;
  using Done = std::function<void()>;

  // How long Stop() waits for a running job by default: short, because a SIGTERM must end weft within
  // 10 s and the pipeline already spent up to 8 s flushing the outbox.
  static constexpr std::chrono::milliseconds kStopGrace{500};

  // Starts the writer thread, with its wake-up handle on `loop` (an error when libuv refuses it).
  static core::Result<std::unique_ptr<SinkWriter>> Start(std::string name, std::unique_ptr<sink::DocumentSink> sink,
                                                         uv_loop_t* loop);
  ~SinkWriter();  // Stop() if still running
  SinkWriter(const SinkWriter&) = delete;
  SinkWriter& operator=(const SinkWriter&) = delete;

  const std::string& name() const { return name_; }
  // For the sink's pure methods only (ScanIdKey), which any thread may call.
  const sink::DocumentSink& sink() const { return *shared_->sink; }
  const core::Logger& log() const { return log_; }
  // Loop thread.
  void Post(Work work, Done done);
  // Jobs posted and not yet completed on the loop thread.
  size_t pending() const { return pending_; }
  // Loop thread. Drops queued jobs, waits up to `grace` for the running one, joins the thread and
  // closes the handle. A job still running after `grace` is abandoned (see above): returns false.
  bool Stop(std::chrono::milliseconds grace = kStopGrace);

 private:
  struct Job {
    Work work;
    Done done;
  };
  // What the writer thread uses, shared with it so that an abandoned thread keeps it alive.
  struct Shared {
    std::unique_ptr<sink::DocumentSink> sink;
    std::mutex mutex;
    std::condition_variable wake;    // the thread waits for jobs or stopping
    std::condition_variable exited;  // Stop() waits for thread_done
    std::deque<Job> queued;          // guarded by mutex
    std::deque<Done> finished;       // guarded by mutex
    bool stopping = false;           // guarded by mutex
    bool abandoned = false;          // guarded by mutex: the loop no longer listens (async closed)
    bool thread_done = false;        // guarded by mutex
    loop::AsyncHandle* async = nullptr;  // Send only under mutex and while !abandoned
  };
  SinkWriter(std::string name, std::unique_ptr<sink::DocumentSink> sink);
  static void ThreadMain(std::shared_ptr<Shared> shared, core::Logger log);
  void OnWake();  // runs the completions of finished jobs

  std::string name_;
  core::Logger log_;
  std::shared_ptr<Shared> shared_;
  loop::AsyncHandle async_;  // the writer thread's wake-up of the loop
  std::thread thread_;
  size_t pending_ = 0;  // loop thread only
};

}  // namespace weft::pipeline
