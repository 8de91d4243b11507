#include "pipeline/outbox_feed.h"

#include <algorithm>
#include <set>
#include <unordered_map>

#include "change/value_codec.h"
#include "pipeline/change_records.h"

namespace weft::pipeline {
namespace {

// Adds `entry` to `batch` unless the batch is full and the entry is a new id: a later entry for an
// id already in the batch replaces the earlier one (writes are whole-document replacements), and
// every seq it covers is acknowledged with it. A change record is never replaced: each is a message
// of its own. False when the entry did not fit.
bool Add(OutboxBatch* batch, std::unordered_map<std::string, size_t>* index, size_t batch_size,
         state::OutboxEntry&& entry) {
  if (IsChangeRecordsView(entry.view)) {
    if (batch->entries.size() == batch_size * OutboxFeed::kBatchesPerJob) return false;
    batch->seqs.push_back({entry.seq});
    batch->entries.push_back(std::move(entry));
    return true;
  }
  std::string key = entry.write.collection + '\x1f' + entry.write.id_key;
  auto it = index->find(key);
  if (it != index->end()) {
    batch->seqs[it->second].push_back(entry.seq);
    batch->entries[it->second] = std::move(entry);
    return true;
  }
  if (batch->entries.size() == batch_size * OutboxFeed::kBatchesPerJob) return false;
  index->emplace(std::move(key), batch->entries.size());
  batch->seqs.push_back({entry.seq});
  batch->entries.push_back(std::move(entry));
  return true;
}

}  // namespace

void OutboxFeed::AddSink(const std::string& sink, size_t batch_size) {
  sinks_[sink].batch_size = std::max<size_t>(1, batch_size);
}

void OutboxFeed::Stage(std::vector<state::OutboxEntry>&& entries) {
  for (auto& e : entries) {
    auto it = sinks_.find(e.sink);
    if (it == sinks_.end()) continue;  // no writer reads this sink
    SinkQueue& q = it->second;
    if (q.staged_dropped) continue;
    if (!q.complete || q.memory.size() + q.staged.size() >= q.batch_size * kMemoryBatches) {
      // The outbox holds these too: the sink reads it from the commit on (Publish).
      q.staged_dropped = true;
      q.staged = {};
      continue;
    }
    // Kept encoded, as the outbox holds it: a built document weighs about five times its
    // encoding, and the writer thread decodes it anyway for documents read back.
    if (e.write.doc && e.encoded_doc.empty()) change::EncodeValue(*e.write.doc, &e.encoded_doc);
    e.write.doc.reset();
    q.staged.push_back(std::move(e));
  }
}

void OutboxFeed::Publish() {
  for (auto& [name, q] : sinks_) {
    if (q.staged_dropped || !q.complete) {
      q.memory.clear();
      q.complete = false;
    } else {
      for (auto& e : q.staged) q.memory.push_back(std::move(e));
    }
    q.staged.clear();
    q.staged_dropped = false;
  }
}

void OutboxFeed::Discard() {
  for (auto& [name, q] : sinks_) {
    q.staged.clear();
    q.staged_dropped = false;
  }
}

void OutboxFeed::Invalidate(const std::string& sink) {
  auto it = sinks_.find(sink);
  if (it == sinks_.end()) return;
  it->second.memory.clear();
  it->second.complete = false;
}

bool OutboxFeed::Idle(const std::string& sink) const {
  auto it = sinks_.find(sink);
  if (it == sinks_.end()) return false;
  const SinkQueue& q = it->second;
  return q.complete && q.memory.empty() && q.staged.empty() && !q.staged_dropped;
}

core::Result<std::shared_ptr<OutboxBatch>> OutboxFeed::Next(const std::string& sink) {
  SinkQueue& q = sinks_[sink];
  auto batch = std::make_shared<OutboxBatch>();
  batch->chunk = q.batch_size;
  std::unordered_map<std::string, size_t> index;
  // An empty memory queue is checked against the outbox too (one indexed probe): nothing pending
  // can then hide there whatever path appended it.
  if (q.complete && !q.memory.empty()) {
    while (!q.memory.empty() && Add(batch.get(), &index, q.batch_size, std::move(q.memory.front()))) {
      q.memory.pop_front();
    }
    return batch;
  }
  q.memory.clear();
  bool reached_end = true;
  WEFT_RETURN_IF_ERROR(db_->ScanOutbox(sink, 0, [&](state::OutboxEntry&& entry) {
    if (Add(batch.get(), &index, q.batch_size, std::move(entry))) return true;
    reached_end = false;
    return false;
  }));
  // Everything pending is in this batch: entries committed from now on can come from memory.
  q.complete = reached_end;
  return batch;
}

void OutboxFeed::DecodeDocs(OutboxBatch* batch, size_t begin, size_t end) {
  end = std::min(end, batch->entries.size());
  for (size_t i = begin; i < end; ++i) {
    state::OutboxEntry& e = batch->entries[i];
    if (e.encoded_doc.empty()) continue;
    change::Value doc;
    if (!change::DecodeValue(e.encoded_doc, &doc)) {
      batch->status = core::Corruption("outbox entry " + std::to_string(e.seq) + " (view " + e.view +
                                       ") has an undecodable document");
      batch->corrupt = true;
      return;
    }
    e.write.doc = std::move(doc);
    e.encoded_doc = std::string();
  }
}

void OutboxFeed::Write(sink::DocumentSink& sink, OutboxBatch* batch) {
  const size_t chunk = std::max<size_t>(1, batch->chunk);
  batch->results.clear();
  batch->results.reserve(batch->entries.size());
  std::vector<sink::DocumentWrite> writes;
  std::vector<sink::WriteResult> results;
  std::vector<size_t> sent;  // entry index of each write
  // Change records of one row must reach the topic in order. Once one is to be sent again, the
  // later ones of its key in this job are not sent (or, sent in the same bulk write, counted as not
  // acknowledged), so they all go again after it, in order.
  std::set<std::string> retried_keys;
  auto key_of = [](const state::OutboxEntry& e) { return e.write.collection + '\x1f' + e.write.id_key; };
  for (size_t begin = 0; begin < batch->entries.size(); begin += chunk) {
    const size_t end = std::min(begin + chunk, batch->entries.size());
    DecodeDocs(batch, begin, end);
    if (batch->corrupt) return;
    std::vector<sink::WriteResult> chunk_results(end - begin);
    // Moved out for the call and back: documents are never copied.
    writes.clear();
    sent.clear();
    for (size_t i = begin; i < end; ++i) {
      const state::OutboxEntry& e = batch->entries[i];
      if (!retried_keys.empty() && IsChangeRecordsView(e.view) && retried_keys.count(key_of(e))) {
        chunk_results[i - begin] = {sink::Outcome::kRetry, "an earlier change record of its key is sent again"};
        continue;
      }
      writes.push_back(std::move(batch->entries[i].write));
      sent.push_back(i);
    }
    results.clear();
    batch->status = writes.empty() ? core::Status::Ok() : sink.Write(writes, &results);
    for (size_t k = 0; k < sent.size(); ++k) {
      state::OutboxEntry& e = batch->entries[sent[k]];
      e.write = std::move(writes[k]);
      if (e.write.doc) e.write.doc = change::Value();  // written: free it
    }
    if (batch->status.ok() && results.size() != writes.size()) {
      batch->status = core::Internal(sink.component() + " returned " + std::to_string(results.size()) +
                                     " results for " + std::to_string(writes.size()) + " writes");
    }
    if (!batch->status.ok()) return;
    for (size_t k = 0; k < sent.size(); ++k) {
      const state::OutboxEntry& e = batch->entries[sent[k]];
      sink::WriteResult& r = chunk_results[sent[k] - begin];
      r = std::move(results[k]);
      if (!IsChangeRecordsView(e.view)) continue;
      if (r.outcome == sink::Outcome::kRetry) {
        retried_keys.insert(key_of(e));
      } else if (r.outcome == sink::Outcome::kOk && retried_keys.count(key_of(e))) {
        r = {sink::Outcome::kRetry, "an earlier change record of its key is sent again"};
      }
    }
    for (auto& r : chunk_results) batch->results.push_back(std::move(r));
  }
}

}  // namespace weft::pipeline
