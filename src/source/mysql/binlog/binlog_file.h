#pragma once
// BinlogFile: one binlog file on disk (MySQL 5.7/8.x/9.x or MariaDB 10.x, as the server or
// mysqlbinlog --raw wrote it), read event by event with the same framing as the replication stream:
// the 4-byte magic fe 62 69 6e, then events whose FORMAT_DESCRIPTION says whether they carry a
// CRC32 (verified and stripped here, the FDE's own with LOG_EVENT_BINLOG_IN_USE_F cleared). A relay
// log's second FORMAT_DESCRIPTION (the source server's) takes over from where it appears.
//
// The file is memory-mapped read-only; events point into the mapping, valid while the BinlogFile
// lives. Errors name the file and the byte position of the event: "binlog.000001 at 1234: ...".
// One thread.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"
#include "source/mysql/binlog/binlog_event.h"
#include "source/source.h"

namespace weft::source::mysql {

class BinlogFile {
 public:
  ~BinlogFile();
  BinlogFile(const BinlogFile&) = delete;
  BinlogFile& operator=(const BinlogFile&) = delete;

  // NotFound / PermissionDenied-like errors (as InvalidArgument) when the file cannot be opened,
  // Corruption when it is not a binlog (wrong magic).
  static core::Result<std::unique_ptr<BinlogFile>> Open(const std::string& path);

  // The next event, its CRC32 verified and removed; nullopt at the end of the file. Corruption
  // (naming file and position) on a checksum mismatch, a header that does not parse, an event that
  // runs past the end of the file (a file still being written ends cleanly only between events),
  // or an encrypted binlog.
  core::Result<std::optional<Event>> Next();

  // Byte offset of the event Next() returned last (where `mysqlbinlog --start-position` would go).
  uint64_t event_position() const { return event_pos_; }
  uint64_t size() const { return size_; }
  const std::string& path() const { return path_; }
  // The file name without its directories ("binlog.000001"): what the server calls it.
  std::string name() const;
  // The last FORMAT_DESCRIPTION seen (server_version empty before the first).
  const FormatDescription& format() const { return fde_; }
  // "binlog.000001 at 1234: " for messages about the current event.
  std::string Where() const;
  // The raw bytes of the last event (header + body + checksum), e.g. for a TRANSACTION_PAYLOAD.
  std::string_view raw() const { return raw_; }

 private:
  BinlogFile() = default;

  std::string path_;
  int fd_ = -1;
  const char* data_ = nullptr;
  uint64_t size_ = 0;
  uint64_t next_ = 4;  // after the magic
  uint64_t event_pos_ = 0;
  bool checksum_ = false;
  FormatDescription fde_;
  std::string_view raw_;
};

struct BinlogFileStats {
  uint64_t events = 0;
  uint64_t row_changes = 0;
  uint64_t bytes = 0;
};

// Reads the binlog file at `path` through the live source's TransactionAssembler (every table of
// every database; every statement other than BEGIN/COMMIT as a DDL record) and emits one batch
// per committed transaction, records as the live source makes them (source.name = `source_name`,
// offsets resumable within the file). Columns are named from the binlog's column-name metadata,
// "@1", "@2"... without it. A transaction still open at the end of the file is not emitted.
// Errors name the file and the event position; Aborted when `emit` returns false.
core::Status ReadBinlogFile(const std::string& path, const std::string& source_name,
                            const std::function<bool(source::SourceBatch&&)>& emit, BinlogFileStats* stats);

}  // namespace weft::source::mysql
