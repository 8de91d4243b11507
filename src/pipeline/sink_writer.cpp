#include "pipeline/sink_writer.h"

namespace weft::pipeline {

SinkWriter::SinkWriter(std::string name, std::unique_ptr<sink::DocumentSink> sink)
    : name_(std::move(name)), log_(sink->component()), shared_(std::make_shared<Shared>()) {
  shared_->sink = std::move(sink);
}

core::Result<std::unique_ptr<SinkWriter>> SinkWriter::Start(std::string name, std::unique_ptr<sink::DocumentSink> sink,
                                                            uv_loop_t* loop) {
  std::unique_ptr<SinkWriter> writer(new SinkWriter(std::move(name), std::move(sink)));
  SinkWriter* self = writer.get();
  core::Status init = writer->async_.Init(loop, [self] { self->OnWake(); });
  if (!init.ok()) return core::Internal("sink " + writer->name_ + ": " + init.message());
  writer->shared_->async = &writer->async_;
  writer->thread_ = std::thread(&SinkWriter::ThreadMain, writer->shared_, writer->log_);
  return writer;
}

SinkWriter::~SinkWriter() { Stop(); }

void SinkWriter::Post(Work work, Done done) {
  ++pending_;
  {
    std::lock_guard lock(shared_->mutex);
    shared_->queued.push_back(Job{std::move(work), std::move(done)});
  }
  shared_->wake.notify_one();
}

// Runs with its own reference to `shared`: when Stop() abandons it, the sink stays alive until the
// blocked call returns, and the thread then leaves without touching the (closed) async handle.
void SinkWriter::ThreadMain(std::shared_ptr<Shared> shared, core::Logger log) {
  bool opened = false;
  while (true) {
    Job job;
    {
      std::unique_lock lock(shared->mutex);
      shared->wake.wait(lock, [&] { return shared->stopping || !shared->queued.empty(); });
      if (shared->stopping) break;
      job = std::move(shared->queued.front());
      shared->queued.pop_front();
    }
    core::Status open;
    if (!opened) {
      open = shared->sink->Open();
      opened = open.ok();
      if (opened) log.Info("opened");
    }
    job.work(*shared->sink, open);
    std::lock_guard lock(shared->mutex);
    if (shared->abandoned) break;
    shared->finished.push_back(std::move(job.done));
    shared->async->Send();  // sends coalesce: OnWake drains every finished job
  }
  std::lock_guard lock(shared->mutex);
  shared->thread_done = true;
  shared->exited.notify_all();
}

void SinkWriter::OnWake() {
  std::deque<Done> done;
  {
    std::lock_guard lock(shared_->mutex);
    done.swap(shared_->finished);
  }
  for (auto& d : done) {
    --pending_;
    if (d) d();
  }
}

bool SinkWriter::Stop(std::chrono::milliseconds grace) {
  if (!thread_.joinable()) return true;
  bool joined;
  {
    std::unique_lock lock(shared_->mutex);
    shared_->stopping = true;
    shared_->queued.clear();
    shared_->wake.notify_one();
    joined = shared_->exited.wait_for(lock, grace, [&] { return shared_->thread_done; });
    // From here on the thread never touches the async handle, so it can be closed below.
    if (!joined) shared_->abandoned = true;
  }
  if (joined) {
    thread_.join();
  } else {
    thread_.detach();
    log_.Warn("the sink did not answer within " + std::to_string(grace.count()) +
              " ms of stopping; leaving its write unacknowledged (it stays in the outbox and is sent again "
              "on the next start)");
  }
  async_.Close();  // no callback runs after this, so none reaches a destroyed writer
  return joined;
}

}  // namespace weft::pipeline
