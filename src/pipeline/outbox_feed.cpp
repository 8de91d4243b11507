#include "pipeline/outbox_feed.h"

#include <algorithm>
#include <unordered_map>

#include "change/value_codec.h"

namespace weft::pipeline {
namespace {

// Adds `entry` to `batch` unless the batch is full and the entry is a new id: a later entry for an
// id already in the batch replaces the earlier one (writes are whole-document replacements), and
// every seq it covers is acknowledged with it. False when the entry did not fit.
bool Add(OutboxBatch* batch, std::unordered_map<std::string, size_t>* index, size_t batch_size,
         state::OutboxEntry&& entry) {
  std::string key = entry.write.collection + '\x1f' + entry.write.id_key;
  auto it = index->find(key);
  if (it != index->end()) {
    batch->seqs[it->second].push_back(entry.seq);
    batch->entries[it->second] = std::move(entry);
    return true;
  }
  if (batch->entries.size() == batch_size) return false;
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
    e.encoded_doc = std::string();  // frees it: memory holds the Value
    staged_.push_back(std::move(e));
  }
}

void OutboxFeed::Publish() {
  for (auto& e : staged_) {
    auto it = sinks_.find(e.sink);
    if (it == sinks_.end() || !it->second.complete) continue;  // read from the outbox later
    SinkQueue& q = it->second;
    if (q.memory.size() >= q.batch_size * kMemoryBatches) {
      // Bounded memory: the outbox holds these too, so from here on it is read instead.
      q.memory.clear();
      q.complete = false;
      continue;
    }
    q.memory.push_back(std::move(e));
  }
  staged_.clear();
}

void OutboxFeed::Invalidate(const std::string& sink) {
  auto it = sinks_.find(sink);
  if (it == sinks_.end()) return;
  it->second.memory.clear();
  it->second.complete = false;
}

core::Result<std::shared_ptr<OutboxBatch>> OutboxFeed::Next(const std::string& sink) {
  SinkQueue& q = sinks_[sink];
  auto batch = std::make_shared<OutboxBatch>();
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

void OutboxFeed::DecodeDocs(OutboxBatch* batch) {
  for (auto& e : batch->entries) {
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

}  // namespace weft::pipeline
