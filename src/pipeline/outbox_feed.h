#pragma once
// OutboxFeed: what each sink's writer gets next from the outbox. The outbox (StateDb) stays the
// durable record; the feed only saves reading it back. Documents the loop thread has just committed
// are handed over in memory, in the encoding the outbox stores (a built document weighs about five
// times as much), so in the common case the state file is not read again; the writer thread
// decodes them. The outbox is read instead whenever memory may not hold every pending entry of a
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
#include <cstddef>
#include <deque>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/status.h"
#include "sink/document_sink.h"
#include "state/state_db.h"

namespace weft::pipeline {

// One writer job: one entry per document id (the latest version), oldest first, written as bulk
// writes of `chunk` documents each. Change records (pipeline/change_records.h) are never coalesced:
// every one is an entry, in seq order.
struct OutboxBatch {
  std::vector<state::OutboxEntry> entries;  // an entry with encoded_doc set awaits decoding
  std::vector<std::vector<int64_t>> seqs;   // every outbox seq each entry covers
  size_t chunk = 1;                         // documents per DocumentSink::Write (the sink's batch_size)
  std::vector<sink::WriteResult> results;   // filled on the writer thread
  core::Status status;
  bool corrupt = false;  // decoding failed: the state file is damaged, not the sink
};

class OutboxFeed {
 public:
  explicit OutboxFeed(state::StateDb* db) : db_(db) {}

  // `batch_size`: documents per bulk write. A job holds up to kBatchesPerJob bulk writes, so the
  // writer keeps up with a loop thread that spends seconds on one group of changes (a catch-up): the
  // writer only gets new work when the loop thread is free. The memory queue holds at most
  // kMemoryBatches bulk writes.
  void AddSink(const std::string& sink, size_t batch_size);
  static constexpr size_t kBatchesPerJob = 8;
  static constexpr size_t kMemoryBatches = 4;

  // Entries just appended (seq assigned) inside the open transaction. Only their encoding is kept,
  // and only while the sink's memory queue could take them: a transaction that appends more (a
  // snapshot's build) keeps none, and the sink reads the outbox.
  void Stage(std::vector<state::OutboxEntry>&& entries);
  void Publish();
  void Discard();
  void Invalidate(const std::string& sink);

  // True when nothing of `sink` is pending: its outbox was read to the end since anything went
  // there without Stage(), and nothing committed or staged since waits in memory. (Not in flight:
  // the caller knows.)
  bool Idle(const std::string& sink) const;

  // The next batch for `sink`; an empty one when nothing is pending.
  core::Result<std::shared_ptr<OutboxBatch>> Next(const std::string& sink);

  // Writer thread: decodes the documents read back from the outbox (entries [begin, end)). On
  // failure the batch is marked corrupt and its status says which entry.
  static void DecodeDocs(OutboxBatch* batch, size_t begin = 0, size_t end = SIZE_MAX);
  // Writer thread: writes the job in bulk writes of batch->chunk documents, decoding each chunk
  // just before (so at most one chunk is held decoded) and dropping its documents after (the entries
  // keep an empty document, so an upsert still reads as one). The first failing bulk write ends the
  // job with its status: nothing of the job is acknowledged then, and it is sent again in order.
  // A change record answered kRetry holds back the later ones of its key in the job (not sent, or
  // counted kRetry when they were in the same bulk write), so a key's changes land in order.
  static void Write(sink::DocumentSink& sink, OutboxBatch* batch);

 private:
  struct SinkQueue {
    size_t batch_size = 1;
    // True when `memory` holds every entry of the sink's outbox that is neither in flight nor
    // acknowledged; false means the outbox must be read.
    bool complete = false;
    std::deque<state::OutboxEntry> memory;
    std::vector<state::OutboxEntry> staged;  // of the open transaction
    bool staged_dropped = false;             // some of its entries were not kept
  };

  state::StateDb* db_;
  std::map<std::string, SinkQueue> sinks_;
};

}  // namespace weft::pipeline
