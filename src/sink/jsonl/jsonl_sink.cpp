#include "sink/jsonl/jsonl_sink.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>

#include "change/json_parse.h"
#include "core/log.h"

namespace weft::sink::jsonl {
namespace {

// Raw line breaks in a rendering can only come from a JSON column's whitespace (strings escape
// theirs), so turning them into spaces keeps the JSON's meaning and the one-line format.
void AppendOneLine(const change::Value& value, std::string* out) {
  size_t start = out->size();
  change::AppendJson(value, out);
  for (size_t i = start; i < out->size(); ++i) {
    if ((*out)[i] == '\n' || (*out)[i] == '\r') (*out)[i] = ' ';
  }
}

std::string Reparsed(const change::Value& value) {
  std::string text = change::ToJson(value);
  auto parsed = change::ParseJsonValue(text);
  return parsed.ok() ? change::ToJson(*parsed) : text;
}

core::Status WriteAll(int fd, const std::string& data, size_t* written) {
  *written = 0;
  while (*written < data.size()) {
    ssize_t n = ::write(fd, data.data() + *written, data.size() - *written);
    if (n < 0) {
      if (errno == EINTR) continue;
      return core::Unavailable(std::strerror(errno));
    }
    *written += static_cast<size_t>(n);
  }
  return core::Status::Ok();
}

}  // namespace

core::Result<std::unique_ptr<JsonlSink>> JsonlSink::Create(const config::SinkConfig& config, JsonlSinkOptions options) {
  if (config.path.empty()) {
    return core::InvalidArgument((config.location.file.empty() ? std::string() : config.location.ToString() + ": ") +
                                 "sink " + config.name + ": kind = \"jsonl\" needs path = \"FILE\" (or \"-\" for stdout)");
  }
  return std::unique_ptr<JsonlSink>(new JsonlSink(config.name, config.path, options));
}

JsonlSink::~JsonlSink() {
  if (owns_fd_ && fd_ >= 0) ::close(fd_);
}

core::Status JsonlSink::Open() {
  if (owns_fd_ && fd_ >= 0) ::close(fd_);
  fd_ = -1;
  owns_fd_ = false;
  line_open_ = false;
  if (to_stdout()) {
    fd_ = STDOUT_FILENO;
    return core::Status::Ok();
  }
  int fd = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) {
    return core::FailedPrecondition("cannot open the JSONL sink file " + path_ + ": " + std::strerror(errno) +
                                    " (does its directory exist, and may weft write there?)");
  }
  fd_ = fd;
  owns_fd_ = true;
  // A crash in the middle of a line leaves it unterminated; the next line must not be glued to it.
  struct stat st;
  if (::fstat(fd_, &st) == 0 && st.st_size > 0) {
    char last = '\n';
    int rfd = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
    if (rfd >= 0) {
      if (::pread(rfd, &last, 1, st.st_size - 1) != 1) last = '\n';
      ::close(rfd);
    }
    line_open_ = last != '\n';
  }
  return core::Status::Ok();
}

std::string JsonlSink::Line(const DocumentWrite& write) {
  std::string line = write.doc ? "{\"op\":\"upsert\",\"collection\":" : "{\"op\":\"delete\",\"collection\":";
  change::AppendJsonString(write.collection, &line);
  line += ",\"_id\":";
  AppendOneLine(write.id, &line);
  if (write.doc) {
    line += ",\"doc\":";
    AppendOneLine(*write.doc, &line);
  }
  line += "}\n";
  return line;
}

core::Status JsonlSink::Write(const std::vector<DocumentWrite>& batch, std::vector<WriteResult>* results) {
  if (fd_ < 0) return core::FailedPrecondition("the JSONL sink is not open (Open() first)");
  results->assign(batch.size(), WriteResult{});
  std::string data = line_open_ ? "\n" : "";
  for (const DocumentWrite& write : batch) data += Line(write);
  size_t written = 0;
  core::Status status = WriteAll(fd_, data, &written);
  if (!status.ok()) {
    line_open_ = line_open_ || written > 0;
    return status.WithContext("writing " + std::string(to_stdout() ? "stdout" : path_));
  }
  line_open_ = false;
  if (options_.fsync && !to_stdout() && ::fsync(fd_) != 0) {
    return core::Unavailable("fsync of " + path_ + " failed: " + std::strerror(errno));
  }
  return core::Status::Ok();
}

std::string JsonlSink::Canonical(const change::Value& doc) const { return Reparsed(doc); }

std::string JsonlSink::ScanIdKey(const change::Value& id) const {
  auto parsed = change::ParseJsonValue(change::ToJson(id));
  return parsed.ok() ? IdKeyOf(*parsed) : IdKeyOf(id);
}

core::Status JsonlSink::Scan(const std::string& collection, const ScanCallback& each) {
  if (to_stdout()) {
    return core::FailedPrecondition("sink " + name_ + " writes to stdout (path = \"-\"), which cannot be read back; "
                                    "point its path at a file to verify it");
  }
  std::ifstream in(path_, std::ios::binary);
  if (!in) {
    struct stat st;
    if (::stat(path_.c_str(), &st) != 0 && errno == ENOENT) return core::Status::Ok();  // nothing written yet
    return core::FailedPrecondition("cannot read the JSONL sink file " + path_ + ": " + std::strerror(errno));
  }
  struct Entry {
    change::Value id;
    std::string canonical;
  };
  std::map<std::string, Entry> live;  // by id_key
  std::string line;
  int64_t line_number = 0, skipped = 0, first_skipped = 0;
  while (std::getline(in, line)) {
    ++line_number;
    if (line.empty()) continue;
    auto parsed = change::ParseJsonValue(line);
    const change::Value* op = parsed.ok() ? parsed->Find("op") : nullptr;
    const change::Value* coll = parsed.ok() ? parsed->Find("collection") : nullptr;
    const change::Value* id = parsed.ok() ? parsed->Find("_id") : nullptr;
    const change::Value* doc = parsed.ok() ? parsed->Find("doc") : nullptr;
    bool upsert = op && op->kind() == change::ValueKind::kString && op->text() == "upsert";
    bool remove = op && op->kind() == change::ValueKind::kString && op->text() == "delete";
    if (!coll || coll->kind() != change::ValueKind::kString || !id || !(upsert ? doc != nullptr : remove)) {
      if (skipped++ == 0) first_skipped = line_number;
      continue;
    }
    if (coll->text() != collection) continue;
    std::string key = IdKeyOf(*id);
    if (upsert) {
      live[key] = Entry{*id, change::ToJson(*doc)};
    } else {
      live.erase(key);
    }
  }
  if (skipped > 0) {
    core::Logger(component()).Warn(path_ + ": skipped " + std::to_string(skipped) + " line(s) that are not writes " +
                                   "(first at line " + std::to_string(first_skipped) +
                                   "; a line cut short by a crash or a full disk)");
  }
  for (const auto& [key, entry] : live) each(entry.id, key, entry.canonical);
  return core::Status::Ok();
}

}  // namespace weft::sink::jsonl
