#include "pipeline/write_stream.h"

#include <chrono>

namespace weft::pipeline {

WriteStream::WriteStream(std::map<std::string, Target> sinks, const std::atomic<bool>* stop, Spill spill)
    : stop_(stop), spill_(std::move(spill)) {
  for (auto& [name, target] : sinks) queues_[name].target = target;
}

// A job may still be running after an early return (Aborted): it shares only its own state and the
// flight counters, so nothing here needs to outlive this object.
WriteStream::~WriteStream() = default;

core::Status WriteStream::Add(view::PendingWrite&& write) {
  auto it = queues_.find(write.sink);
  if (it == queues_.end()) return core::NotFound("snapshot stream: no writer for sink '" + write.sink + "'");
  Queue& queue = it->second;
  if (queue.failed) return spill_(std::move(write));
  write.encoded_doc = std::string();  // the sink takes the document itself; the outbox re-encodes a spill
  queue.filling.push_back(std::move(write));
  if (queue.filling.size() < queue.target.batch_size) return core::Status::Ok();
  return Post(it->first, queue);
}

core::Status WriteStream::Post(const std::string& sink_name, Queue& queue) {
  if (queue.filling.empty()) return core::Status::Ok();
  // Bounded: at most kMaxInFlight bulk writes of this sink are with its writer.
  WEFT_RETURN_IF_ERROR(WaitFor([&] { return flight_->running[sink_name] < kMaxInFlight; }));
  WEFT_RETURN_IF_ERROR(CollectDone());
  if (queue.failed) {  // the writer failed meanwhile: these go to the outbox instead
    for (auto& w : queue.filling) WEFT_RETURN_IF_ERROR(spill_(std::move(w)));
    queue.filling.clear();
    return core::Status::Ok();
  }
  auto job = std::make_shared<Job>();
  job->writes = std::move(queue.filling);
  queue.filling = {};
  queue.filling.reserve(queue.target.batch_size);
  {
    std::lock_guard<std::mutex> lock(flight_->mutex);
    ++flight_->running[sink_name];
  }
  std::shared_ptr<Flight> flight = flight_;
  queue.target.writer->Post(
      [job, flight, sink_name](sink::DocumentSink& sink, const core::Status& open) {
        if (!open.ok()) {
          job->status = open;
        } else {
          std::vector<sink::DocumentWrite> batch;
          batch.reserve(job->writes.size());
          for (auto& w : job->writes) batch.push_back(std::move(w.write));
          job->status = sink.Write(batch, &job->results);
          // Given back for a spill: only what the sink did not take is read again. A taken
          // document's tree is freed here, on the writer thread, not by the loop thread that
          // collects the job (freeing them was ~6% of a snapshot's loop time); the loop only reads
          // whether it was an upsert.
          for (size_t i = 0; i < batch.size(); ++i) {
            job->writes[i].write = std::move(batch[i]);
            bool taken = job->status.ok() && i < job->results.size() && job->results[i].outcome == sink::Outcome::kOk;
            if (taken && job->writes[i].write.doc) *job->writes[i].write.doc = change::Value();
          }
        }
        std::lock_guard<std::mutex> lock(flight->mutex);
        job->done = true;
        --flight->running[sink_name];
        flight->changed.notify_all();
      },
      [] {});
  jobs_.emplace_back(sink_name, std::move(job));
  return core::Status::Ok();
}

core::Status WriteStream::Finish() {
  for (auto& [name, queue] : queues_) WEFT_RETURN_IF_ERROR(Post(name, queue));
  WEFT_RETURN_IF_ERROR(WaitFor([&] {
    for (const auto& [sink, n] : flight_->running) {
      if (n > 0) return false;
    }
    return true;
  }));
  return CollectDone();
}

core::Status WriteStream::WaitFor(const std::function<bool()>& ready) {
  std::unique_lock<std::mutex> lock(flight_->mutex);
  while (!ready()) {
    if (stop_ && stop_->load()) return core::Aborted("stop requested");
    // The stop flag is set from a signal handler, which cannot notify: look at it every 100 ms.
    flight_->changed.wait_for(lock, std::chrono::milliseconds(100));
  }
  return core::Status::Ok();
}

core::Status WriteStream::CollectDone() {
  while (!jobs_.empty()) {
    auto& [sink_name, job] = jobs_.front();
    {
      std::lock_guard<std::mutex> lock(flight_->mutex);
      if (!job->done) break;
    }
    Queue& queue = queues_.at(sink_name);
    for (size_t i = 0; i < job->writes.size(); ++i) {
      bool taken = job->status.ok() && i < job->results.size() && job->results[i].outcome == sink::Outcome::kOk;
      if (taken) {
        Acked& acked = acked_[job->writes[i].view];
        ++(job->writes[i].write.doc ? acked.upserts : acked.deletes);
        continue;
      }
      if (!job->status.ok()) queue.failed = true;
      WEFT_RETURN_IF_ERROR(spill_(std::move(job->writes[i])));
    }
    jobs_.erase(jobs_.begin());
  }
  return core::Status::Ok();
}

}  // namespace weft::pipeline
