#pragma once
// JsonlSink: one JSON line per document write or delete, appended to config.path ("-" is stdout):
//   {"op":"upsert","collection":"orderSingleView","_id":<id>,"doc":{...}}
//   {"op":"delete","collection":"orderSingleView","_id":<id>}
// Values use weft's JSON rendering (change/value.h), as `weft tail` prints them. A JSON column's
// text may hold line breaks between its tokens; they become spaces so a write stays one line.
// Each Write() is one write(2) of all its lines (nothing is buffered between batches), optionally
// followed by fsync. A batch cut short (disk full, crash) leaves a partial last line; the next
// batch starts on a fresh line and Scan() skips lines that do not parse, saying how many.
//
// Scan() replays the file: per _id the last line wins, a delete removes it. It cannot read stdout.
// Its canonical text, like Canonical(), is the document parsed back and rendered again (compact: a
// JSON column's own spacing is not kept). The file does not keep Value kinds, so a binary or
// temporal scalar _id reads back as a string: see ScanIdKey.
//
// Threading: the writer thread only.

#include <memory>
#include <string>
#include <vector>

#include "config/config.h"
#include "sink/document_sink.h"

namespace weft::sink::jsonl {

struct JsonlSinkOptions {
  bool fsync = false;  // fsync after every batch (a file only): survives power loss, costs a disk flush
};

class JsonlSink final : public DocumentSink {
 public:
  // InvalidArgument when config.path is empty.
  static core::Result<std::unique_ptr<JsonlSink>> Create(const config::SinkConfig& config,
                                                         JsonlSinkOptions options = {});
  ~JsonlSink() override;

  std::string component() const override { return "sink.jsonl:" + name_; }
  // Opens the file for appending (creating it). FailedPrecondition when it cannot be opened.
  core::Status Open() override;
  // Never rejects a document. Unavailable when the write fails (disk full, closed pipe).
  core::Status Write(const std::vector<DocumentWrite>& batch, std::vector<WriteResult>* results) override;
  std::string Canonical(const change::Value& doc) const override;
  // FailedPrecondition for stdout; a file that does not exist yet scans empty.
  core::Status Scan(const std::string& collection, const ScanCallback& each) override;
  std::string ScanIdKey(const change::Value& id) const override;

  // The line for one write, with its trailing newline.
  static std::string Line(const DocumentWrite& write);

 private:
  JsonlSink(std::string name, std::string path, JsonlSinkOptions options)
      : name_(std::move(name)), path_(std::move(path)), options_(options) {}
  bool to_stdout() const { return path_ == "-"; }

  std::string name_;
  std::string path_;
  JsonlSinkOptions options_;
  int fd_ = -1;
  bool owns_fd_ = false;
  bool line_open_ = false;  // the file may end in a partial line: start the next batch with "\n"
};

}  // namespace weft::sink::jsonl
