#include "source/mysql/binlog/binlog_client.h"

#include <algorithm>
#include <thread>

#include "core/log.h"
#include "source/mysql/binlog/transaction_assembler.h"

namespace weft::source::mysql {
namespace {

// Sleeps up to `d`, returning early (false) when cancelled.
bool SleepUnlessCancelled(std::chrono::milliseconds d, Interrupter* interrupter) {
  auto deadline = std::chrono::steady_clock::now() + d;
  while (std::chrono::steady_clock::now() < deadline) {
    if (interrupter && interrupter->cancelled()) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return !(interrupter && interrupter->cancelled());
}

std::string Seconds(std::chrono::milliseconds d) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1fs", static_cast<double>(d.count()) / 1000.0);
  return buf;
}

}  // namespace

core::Status RunBinlog(const config::SourceConfig& config, const TableFilter& filter, const Position& start,
                       const BinlogClientOptions& options, Interrupter* interrupter,
                       const std::function<bool(SourceBatch&&)>& emit) {
  core::Logger log("source.mysql:" + config.name);
  JsonColumnCache json(config, interrupter);
  Position resume = start;
  auto backoff = options.min_backoff;
  int attempt = 0;
  while (true) {
    if (interrupter && interrupter->cancelled()) return core::Aborted("stopped");
    core::Status st;
    auto stream = BinlogStream::Open(config, resume, options.stream, interrupter);
    if (stream.ok()) {
      log.Info((attempt ? "reconnected; streaming binlog from " : "streaming binlog from ") + resume.Encode());
      SourceBatch connected;
      connected.signal = SourceBatch::Signal::kConnected;
      if (!emit(std::move(connected))) return core::Aborted("stopped");
      TransactionAssembler assembler(
          config.name, filter, resume, [&json](const std::string& table) { return json.Get(table); },
          [&json] { json.Invalidate(); }, emit);
      assembler.SetMaxPartChanges(options.max_batch_changes);
      bool received = false;
      while (true) {
        auto event = (*stream)->Next();
        if (!event.ok()) {
          st = event.status();
          break;
        }
        if (!event->has_value()) {  // end of the binlog (non-blocking streams only)
          st = assembler.FlushIdle();
          return st;
        }
        if (!received) {  // the server accepted the position: the next failure starts a fresh back-off
          received = true;
          attempt = 0;
          backoff = options.min_backoff;
        }
        st = assembler.OnEvent(**event);
        if (!st.ok()) break;
      }
      resume = assembler.resume_position();
    } else {
      st = stream.status();
    }
    if (interrupter && interrupter->cancelled()) return core::Aborted("stopped");
    if (st.code() != core::Code::kUnavailable) return st;
    ++attempt;
    log.Warn(st.message() + "; reconnecting in " + Seconds(backoff) + " (attempt " + std::to_string(attempt) +
             "), resuming from " + resume.Encode());
    SourceBatch reconnecting;
    reconnecting.signal = SourceBatch::Signal::kReconnecting;
    if (!emit(std::move(reconnecting))) return core::Aborted("stopped");
    if (!SleepUnlessCancelled(backoff, interrupter)) return core::Aborted("stopped");
    backoff = std::min(backoff * 2, options.max_backoff);
  }
}

}  // namespace weft::source::mysql
