#pragma once
// SqliteSink: the embedded document store. One SQLite file (config.path); one table per collection,
// named as the collection, with columns id TEXT PRIMARY KEY (DocumentWrite::id_key) and doc TEXT
// (the document in weft's JSON rendering, change::ToJson, as `weft tail` prints values).
//
// Each Write() is one transaction (BEGIN IMMEDIATE ... COMMIT) of prepared upserts and deletes, so
// a batch lands whole or not at all. The file is in WAL mode, so readers (the demo, `weft verify`,
// sqlite3 on the command line) read while weft writes; synchronous=FULL, because the engine drops
// its outbox entries once a batch is acknowledged. When another writer holds the file's lock
// longer than the busy timeout, Write() returns Unavailable and changes nothing: the engine keeps
// the batch and retries, so no write is lost.
//
// Threading: the writer thread only.

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "config/config.h"
#include "sink/document_sink.h"
#include "sink/sqlite/sqlite_handles.h"

namespace weft::sink::sqlite {

struct SqliteSinkOptions {
  // How long a statement waits for another connection's lock before the batch gives up
  // (Unavailable). Short, so a locked file does not stall the writer thread for long.
  int busy_timeout_ms = 2000;
};

class SqliteSink final : public DocumentSink {
 public:
  // InvalidArgument when config.path is empty.
  static core::Result<std::unique_ptr<SqliteSink>> Create(const config::SinkConfig& config,
                                                          SqliteSinkOptions options = {});

  std::string component() const override { return "sink.sqlite:" + name_; }
  // Opens or creates the file and sets WAL. Unavailable when the file is locked, FailedPrecondition
  // when it cannot be opened (missing directory, permissions, not a database).
  core::Status Open() override;
  // Never rejects a document: any document has a JSON rendering.
  core::Status Write(const std::vector<DocumentWrite>& batch, std::vector<WriteResult>* results) override;
  std::string Canonical(const change::Value& doc) const override { return change::ToJson(doc); }
  // Rows in id order; a collection never written has no table and scans empty. `id` is the doc's
  // "_id" read back from its JSON (see change/json_parse.h); id_key is the stored id column.
  core::Status Scan(const std::string& collection, const ScanCallback& each) override;

  const std::string& path() const { return path_; }

 private:
  struct Statements {
    StmtPtr upsert;
    StmtPtr remove;
  };
  SqliteSink(std::string name, std::string path, SqliteSinkOptions options)
      : name_(std::move(name)), path_(std::move(path)), options_(options) {}
  core::Result<Statements*> StatementsFor(const std::string& collection);
  core::Status Exec(const char* sql);
  core::Status Fail(int rc, const std::string& what);
  core::Status WriteInTransaction(const std::vector<DocumentWrite>& batch);

  std::string name_;
  std::string path_;
  SqliteSinkOptions options_;
  DbPtr db_;
  std::map<std::string, Statements> statements_;  // per collection; its table exists
};

}  // namespace weft::sink::sqlite
