#pragma once
// WriteStream: documents go straight to the sink writers while they are built, instead of
// through the outbox. The loop thread builds (the state reads), the writer threads write at the
// same time, and nothing is encoded into the state file, read back and deleted again. Two callers:
//
// - A snapshot's build (group_apply.cpp BuildSnapshot). A snapshot can always be taken again: its
//   state commit carries the "unreconciled" mark (pipeline_runs.h UnreconciledKey), which is cleared
//   only by the reconciliation that runs on each writer after every job posted here; a crash before
//   that makes the next start take the snapshot again.
// - A big group's Flush (a catch-up, the end of a big source transaction: group_apply.cpp
//   ApplyPending). Its documents are built from the group's state before that state commits. If it
//   commits, the sink holds what the committed state gives (the documents' hashes commit with it).
//   If it does not (a crash, a stop, an error), no offset passed the group's changes: the next start
//   applies the same changes to the same state again and rebuilds the same documents, and their
//   hashes, rolled back, make it write them again. Only sinks with nothing older pending are given
//   a group's documents (nothing of theirs in the outbox or in flight, no back-off: the caller
//   checks), so an older outbox entry can never land after a newer document written here.
//
// What a sink does not take (a failed bulk write, documents it asks to retry or rejects) is handed
// to `spill`, which puts it into the outbox of the same state transaction, so the usual retry,
// back-off and dead-letter path handles it; after a failed bulk write, the rest of that sink's
// documents are spilled at once instead of being sent.
//
// Memory is bounded: per sink one bulk write is being filled and at most kMaxInFlight are posted;
// Add blocks the loop thread while the writer has that many, and Finish until every job is done.
// That wait happens only inside a build that holds the loop thread for seconds anyway (small groups
// take the outbox path and never wait), and it ends early when `stop` turns true (SIGTERM): then
// Add returns Aborted and the group is rolled back.
//
// Loop thread only (the jobs run on the writer threads and share only the Flight state).

#include <atomic>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/status.h"
#include "pipeline/sink_writer.h"
#include "view/view_engine.h"

namespace weft::pipeline {

class WriteStream {
 public:
  static constexpr int kMaxInFlight = 2;  // bulk writes posted per sink and not finished

  struct Target {
    SinkWriter* writer = nullptr;
    size_t batch_size = 1000;  // documents per bulk write
  };
  // Loop thread: takes a write the sink did not take (for the outbox).
  using Spill = std::function<core::Status(view::PendingWrite&& write)>;

  WriteStream(std::map<std::string, Target> sinks, const std::atomic<bool>* stop, Spill spill);
  ~WriteStream();  // jobs still running hold no pointer into this object
  WriteStream(const WriteStream&) = delete;
  WriteStream& operator=(const WriteStream&) = delete;

  // Queues one write for its sink, posting a full bulk write. Errors: Aborted (stop requested while
  // waiting for the writer); NotFound for a sink that is not a target; the spill's.
  core::Status Add(view::PendingWrite&& write);
  // Posts what is queued and waits for every job. Errors: as Add.
  core::Status Finish();
  // What the sinks acknowledged, per view (complete after Finish).
  struct Acked {
    uint64_t upserts = 0;
    uint64_t deletes = 0;
  };
  const std::map<std::string, Acked>& acked() const { return acked_; }
  bool has_target(const std::string& sink) const { return queues_.count(sink) > 0; }

 private:
  struct Job {
    std::vector<view::PendingWrite> writes;
    std::vector<sink::WriteResult> results;
    core::Status status;
    bool done = false;
  };
  // Shared with the writer threads.
  struct Flight {
    std::mutex mutex;
    std::condition_variable changed;
    std::map<std::string, int> running;  // sink -> jobs posted and not done
  };
  struct Queue {
    Target target;
    std::vector<view::PendingWrite> filling;
    bool failed = false;  // a bulk write failed: spill the rest
  };

  core::Status Post(const std::string& sink, Queue& queue);
  // Waits until `ready()` holds (checked under the flight mutex) or stop is requested.
  core::Status WaitFor(const std::function<bool()>& ready);
  // Takes the results of the jobs that are done (in post order), spilling what was not taken.
  core::Status CollectDone();

  std::map<std::string, Queue> queues_;
  const std::atomic<bool>* stop_;
  Spill spill_;
  std::shared_ptr<Flight> flight_ = std::make_shared<Flight>();
  std::vector<std::pair<std::string, std::shared_ptr<Job>>> jobs_;  // posted and not collected: (sink, job)
  std::map<std::string, Acked> acked_;
};

}  // namespace weft::pipeline
