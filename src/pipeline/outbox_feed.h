#pragma once
// OutboxFeed: what each sink's writer gets next from the outbox. The outbox (StateDb) stays the
// durable record; the feed only saves reading it back. Documents the loop thread has just committed
// are handed over in memory, as the Values the view engine built, so in the common case a document
// is never decoded from the state file again. The outbox is read instead (documents left encoded,
// decoded on the writer thread by DecodeDocs) whenever memory may not hold every pending entry of a
// sink: at start (entries left by the last run), after the memory queue outgrew its bound, after a
// write failed or was partly refused for retry, and after entries were appended without Stage().
//
// Contract with the pipeline (loop thread only, except DecodeDocs):
//   - every AppendOutbox is followed either by Stage(entries) (inside the same transaction) or by
//     Invalidate(sink) once it committed;
//   - Publish() right after the transaction commits, Discard() when it does not (and before a
//     transaction starts, so a path that forgot it cannot publish entries that were rolled back);
//   - Next() only while the sink has no batch in flight; Invalidate(sink) when a sent batch was not
//     wholly acknowledged (its unacknowledged entries are still in the outbox and go again).

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/status.h"
#include "sink/document_sink.h"
#include "state/state_db.h"

namespace weft::pipeline {

// One bulk write: one entry per document id (the latest version), oldest first.
struct OutboxBatch {
  std::vector<state::OutboxEntry> entries;  // an entry with encoded_doc set awaits DecodeDocs
  std::vector<std::vector<int64_t>> seqs;   // every outbox seq each entry covers
  std::vector<sink::WriteResult> results;   // filled on the writer thread
  core::Status status;
  bool corrupt = false;  // DecodeDocs failed: the state file is damaged, not the sink
};

class OutboxFeed {
 public:
  explicit OutboxFeed(state::StateDb* db) : db_(db) {}

  // `batch_size`: documents per bulk write. The memory queue holds at most kMemoryBatches of them.
  void AddSink(const std::string& sink, size_t batch_size);
  static constexpr size_t kMemoryBatches = 4;

  // Entries just appended (seq assigned) inside the open transaction. Their encoded_doc is dropped:
  // the outbox has it.
  void Stage(std::vector<state::OutboxEntry>&& entries);
  void Publish();
  void Discard() { staged_.clear(); }
  void Invalidate(const std::string& sink);

  // The next batch for `sink`; an empty one when nothing is pending.
  core::Result<std::shared_ptr<OutboxBatch>> Next(const std::string& sink);

  // Writer thread: decodes the documents read back from the outbox. On failure the batch is marked
  // corrupt and its status says which entry.
  static void DecodeDocs(OutboxBatch* batch);

 private:
  struct SinkQueue {
    size_t batch_size = 1;
    // True when `memory` holds every entry of the sink's outbox that is neither in flight nor
    // acknowledged; false means the outbox must be read.
    bool complete = false;
    std::deque<state::OutboxEntry> memory;
  };

  state::StateDb* db_;
  std::map<std::string, SinkQueue> sinks_;
  std::vector<state::OutboxEntry> staged_;
};

}  // namespace weft::pipeline
