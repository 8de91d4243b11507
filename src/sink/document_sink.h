#pragma once
// DocumentSink: where a view's documents go (MongoDB, the embedded SQLite store, a JSONL file, Kafka).
// In the spirit of fluent-bit's outputs, a sink only answers OK / RETRY / REJECTED per document; the
// engine owns retries, back-off and dead-lettering. Every method is called from ONE writer thread
// (never the loop thread), so implementations may block and need no locking of their own.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "change/value.h"
#include "config/config.h"
#include "core/status.h"

namespace weft::sink {

struct DocumentWrite {
  std::string collection;
  change::Value id;                  // the document's _id (root primary key, or an object of them)
  // `id` as one string: a string _id is its text (no quotes), any other _id its JSON rendering
  // ({"a":1,"b":"x"} for a composite key). The SQLite id column, outbox and hash keys use it.
  std::string id_key;
  std::optional<change::Value> doc;  // the whole document including "_id"; nullopt deletes
  int64_t seq = 0;                   // outbox sequence number (for the engine; sinks ignore it)
};

// The DocumentWrite::id_key rule: a kString _id is its text, any other _id its JSON rendering.
inline std::string IdKeyOf(const change::Value& id) {
  return id.kind() == change::ValueKind::kString ? id.text() : change::ToJson(id);
}

enum class Outcome {
  kOk,        // applied (or already so: writes are idempotent)
  kRetry,     // transient (network, not primary, locked): the engine retries later, keeps it queued
  kRejected,  // permanent for this document (too large, invalid key): goes to the dead-letter table
};

struct WriteResult {
  Outcome outcome = Outcome::kOk;
  std::string message;  // why, for logs and the dead-letter table
};

class DocumentSink {
 public:
  virtual ~DocumentSink() = default;
  // "sink.mongodb:docs": the component name for log lines.
  virtual std::string component() const = 0;
  // Connects / opens files. Unavailable when the server cannot be reached (the engine retries).
  virtual core::Status Open() = 0;
  // Applies the batch (any order between different ids; the engine never puts one document id twice
  // in a batch). The exception is a source's change records (pipeline/change_records.h, only ever
  // sent to a Kafka sink): several of one key in a batch, to be written in input order. Fills
  // `results` with one entry per write, in input order. A non-ok Status means nothing is known
  // about the batch: the engine retries all of it.
  virtual core::Status Write(const std::vector<DocumentWrite>& batch, std::vector<WriteResult>* results) = 0;
  // The canonical text of a document as this sink stores it, so `weft verify` can compare an
  // expected document with a stored one (MongoDB: canonical extended JSON of the BSON; SQLite and
  // JSONL: weft's JSON rendering).
  virtual std::string Canonical(const change::Value& doc) const = 0;
  // Calls `each(id, id_key, canonical_text)` for every document of the collection (verify, and the
  // reconciliation after a snapshot that deletes documents the snapshot did not produce). `id` is the
  // stored _id as a Value (so a delete can be issued for it), id_key per DocumentWrite::id_key.
  using ScanCallback =
      std::function<void(const change::Value& id, const std::string& id_key, const std::string& canonical)>;
  virtual core::Status Scan(const std::string& collection, const ScanCallback& each) = 0;

  // The id_key that Scan() reports for a document written with _id `id`. It is IdKeyOf(id) except
  // where the sink cannot keep the _id's kind: the JSONL sink stores a binary or temporal scalar
  // _id as a plain JSON string, MongoDB keeps temporal values inside _id as strings. Compare Scan's
  // id_key with ScanIdKey(expected id), never with IdKeyOf (verify, and the reconciliation after a
  // snapshot: a produced document must not look "extra"), and pass Scan's own id_key and id on when
  // deleting a scanned document. Pure: unlike the other methods it may be called from any thread.
  virtual std::string ScanIdKey(const change::Value& id) const { return IdKeyOf(id); }
};

// Builds the sink for `config` (kind mongodb | sqlite | jsonl | kafka). Does not connect.
core::Result<std::unique_ptr<DocumentSink>> MakeSink(const config::SinkConfig& config);

}  // namespace weft::sink
