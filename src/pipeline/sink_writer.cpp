#include "pipeline/sink_writer.h"

namespace weft::pipeline {

SinkWriter::SinkWriter(std::string name, std::unique_ptr<sink::DocumentSink> sink, uv_loop_t* loop)
    : name_(std::move(name)), log_(sink->component()), shared_(std::make_shared<Shared>()) {
  shared_->sink = std::move(sink);
  async_ = new uv_async_t;
  uv_async_init(loop, async_, &SinkWriter::OnAsync);
  async_->data = this;
  shared_->async = async_;
  thread_ = std::thread(&SinkWriter::ThreadMain, shared_, log_);
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
    uv_async_send(shared->async);  // sends coalesce: OnAsync drains every finished job
  }
  std::lock_guard lock(shared->mutex);
  shared->thread_done = true;
  shared->exited.notify_all();
}

void SinkWriter::OnAsync(uv_async_t* handle) {
  auto* self = static_cast<SinkWriter*>(handle->data);
  if (!self) return;
  std::deque<Done> done;
  {
    std::lock_guard lock(self->shared_->mutex);
    done.swap(self->shared_->finished);
  }
  for (auto& d : done) {
    --self->pending_;
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
  async_->data = nullptr;
  uv_close(reinterpret_cast<uv_handle_t*>(async_), [](uv_handle_t* h) { delete reinterpret_cast<uv_async_t*>(h); });
  async_ = nullptr;
  return joined;
}

}  // namespace weft::pipeline
