#include "pipeline/sink_writer.h"

namespace weft::pipeline {

SinkWriter::SinkWriter(std::string name, std::unique_ptr<sink::DocumentSink> sink, uv_loop_t* loop)
    : name_(std::move(name)), log_(sink->component()), sink_(std::move(sink)) {
  async_ = new uv_async_t;
  uv_async_init(loop, async_, &SinkWriter::OnAsync);
  async_->data = this;
  thread_ = std::thread([this] { ThreadMain(); });
}

SinkWriter::~SinkWriter() { Stop(); }

void SinkWriter::Post(Work work, Done done) {
  ++pending_;
  {
    std::lock_guard lock(mutex_);
    queued_.push_back(Job{std::move(work), std::move(done)});
  }
  wake_.notify_one();
}

void SinkWriter::ThreadMain() {
  while (true) {
    Job job;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || !queued_.empty(); });
      if (stopping_) return;
      job = std::move(queued_.front());
      queued_.pop_front();
    }
    core::Status open;
    if (!opened_) {
      open = sink_->Open();
      opened_ = open.ok();
      if (opened_) log_.Info("opened");
    }
    job.work(*sink_, open);
    {
      std::lock_guard lock(mutex_);
      finished_.push_back(std::move(job.done));
    }
    uv_async_send(async_);  // sends coalesce: OnAsync drains every finished job
  }
}

void SinkWriter::OnAsync(uv_async_t* handle) {
  auto* self = static_cast<SinkWriter*>(handle->data);
  if (!self) return;
  std::deque<Done> done;
  {
    std::lock_guard lock(self->mutex_);
    done.swap(self->finished_);
  }
  for (auto& d : done) {
    --self->pending_;
    if (d) d();
  }
}

void SinkWriter::Stop() {
  if (!thread_.joinable()) return;
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  thread_.join();
  async_->data = nullptr;
  uv_close(reinterpret_cast<uv_handle_t*>(async_), [](uv_handle_t* h) { delete reinterpret_cast<uv_async_t*>(h); });
  async_ = nullptr;
}

}  // namespace weft::pipeline
