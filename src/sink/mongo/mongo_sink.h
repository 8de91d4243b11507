#pragma once
// MongoSink: writes a view's documents to MongoDB with libmongoc. Each Write() call becomes
// unordered bulk writes (replaceOne {_id} with upsert, deleteOne {_id}) under the configured write
// concern ("majority" by default), at most config.batch_size operations each. libmongoc's retryable
// writes (retryWrites=true, its default) retry a network error or a stepdown once by themselves;
// what still fails is classified per document (see bulk_reply.h) or, when nothing is known about a
// bulk, returned as a non-ok Status so the engine retries the whole batch.
//
// Documents are converted with value_bson.h. Before sending, a document that cannot be BSON
// (invalid UTF-8, JSON that does not parse) or whose BSON exceeds 16 MiB is kRejected with the
// reason, and never reaches the server.
//
// Threading: the writer thread only (one mongoc_client_t, which is single-threaded). The URI may
// hold a password: it is never logged; log lines and errors name the hosts only.

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "config/config.h"
#include "sink/document_sink.h"
#include "sink/mongo/mongo_handles.h"
#include "sink/mongo/value_bson.h"

namespace weft::sink::mongo {

class MongoSink final : public DocumentSink {
 public:
  // InvalidArgument when the uri does not parse, the database is missing (neither `database` nor a
  // database in the uri), batch_size < 1, or write_concern is not majority | 0 | 1 | N.
  static core::Result<std::unique_ptr<MongoSink>> Create(const config::SinkConfig& config);

  std::string component() const override { return component_; }
  core::Status Open() override;
  core::Status Write(const std::vector<DocumentWrite>& batch, std::vector<WriteResult>* results) override;
  std::string Canonical(const change::Value& doc) const override;
  core::Status Scan(const std::string& collection, const ScanCallback& each) override;
  std::string ScanIdKey(const change::Value& id) const override;

  // "127.0.0.1:27017,db2:27017": the uri's hosts, safe to print.
  const std::string& hosts() const { return hosts_; }
  const std::string& database() const { return database_; }
  // DECIMAL values with more than 34 significant digits written as strings so far.
  int64_t decimals_as_text() const { return notes_.decimals_as_text; }

 private:
  struct Op;
  MongoSink(const config::SinkConfig& config, UriPtr uri, std::string database, WriteConcernPtr write_concern);
  mongoc_collection_t* Collection(const std::string& name);
  // Converts one write into the op it becomes; false (with the result filled) when it is rejected.
  bool Prepare(const DocumentWrite& write, Op* op, WriteResult* rejected);
  // Runs one bulk of ops of one kind and collection, filling results[op.batch_index].
  core::Status RunBulk(mongoc_collection_t* collection, const std::vector<Op*>& ops, std::vector<WriteResult>* results);

  config::SinkConfig config_;
  std::string component_;
  UriPtr uri_;
  std::string database_;
  std::string hosts_;
  WriteConcernPtr write_concern_;
  ClientPtr client_;
  std::map<std::string, CollectionPtr> collections_;
  ConversionNotes notes_;
};

}  // namespace weft::sink::mongo
