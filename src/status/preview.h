#pragma once
// PreviewBuffer: what the dashboard's live preview of each view shows, kept in memory as the
// pipeline produces documents, so `GET /preview` never reads the state DB or the sink.
//   - a wide view keeps its kWideDocuments most recently changed documents (a delete stays as a
//     "deleted" entry until newer changes push it out);
//   - an aggregate view keeps its current group documents (a deleted group leaves), at most
//     kAggregateGroups of them, the most recently changed; `evicted` says when some were dropped.
// Only groups and documents produced by this run are known: after a restart that resumed from an
// offset, a group appears once a change touches it.
//
// Documents are kept as the outbox encodes them (change/value_codec.h, already made for the hash),
// so recording one is a string copy; they are decoded only when a preview is asked for. A
// document larger than kMaxDocumentBytes is listed by id and size only. A wide view records into
// a fixed ring of its last kWideDocuments writes whose strings keep their capacity, so a snapshot
// build of millions of documents costs two copies per document and no allocation; a document
// written twice among them shows once (its newest version), so fewer may show.
//
// A document is recorded when it is built, before its transaction commits; a group of changes that
// rolls back is applied again, so the preview converges with the sink.
//
// Threading: loop thread only (the pipeline records, the HTTP handler on the same loop reads).

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/status.h"

namespace weft::status {

class PreviewBuffer {
 public:
  static constexpr size_t kWideDocuments = 50;
  static constexpr size_t kAggregateGroups = 500;
  static constexpr size_t kMaxDocumentBytes = 32 * 1024;

  enum class Kind { kWide, kAggregate };

  void AddView(const std::string& view, Kind kind);
  // An upsert (`encoded_doc`: change::EncodeValue of the whole document) or, with encoded_doc null,
  // a delete of document `id_key` of `view`, at wall time `time_ms`. Unknown views are ignored.
  void Record(const std::string& view, const std::string& id_key, const std::string* encoded_doc, int64_t time_ms);

  bool Has(const std::string& view) const { return views_.count(view) > 0; }
  std::vector<std::string> Views() const;

  // The preview of `view` as JSON, newest first, at most `limit` entries:
  //   {"view", "kind": "wide"|"aggregate", "capacity", "evicted", "items": [{"id", "changed_ms",
  //    "deleted", "doc" | "too_large_bytes"}]}
  // NotFound naming the known views when `view` is not one.
  core::Result<std::string> RenderJson(const std::string& view, size_t limit) const;

 private:
  struct Entry {
    uint64_t order = 0;  // recording order: higher is newer
    int64_t time_ms = 0;
    bool deleted = false;
    size_t bytes = 0;     // size of the encoded document
    std::string encoded;  // empty when deleted or too large
  };
  struct Slot {  // a wide view's write
    std::string id;
    Entry entry;
  };
  struct ViewBuffer {
    Kind kind = Kind::kWide;
    // Wide: the last writes, ring[next] is the oldest once the ring is full.
    std::vector<Slot> ring;
    size_t next = 0;
    // Aggregate: the current groups.
    std::map<std::string, Entry> by_id;
    std::map<uint64_t, std::string> by_order;  // order -> id, oldest first
    bool evicted = false;
  };
  static void Fill(Entry* entry, const std::string* encoded_doc, uint64_t order, int64_t time_ms);
  static bool AppendItem(const std::string& view, const std::string& id, const Entry& entry, std::string* out);

  std::map<std::string, ViewBuffer> views_;
  uint64_t next_order_ = 1;
};

}  // namespace weft::status
