#include "source/mysql/binlog/binlog_file.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>

#include "source/mysql/binlog/transaction_assembler.h"

namespace weft::source::mysql {
namespace {

constexpr uint8_t kStartEncryption = 164;  // MariaDB encrypt_binlog=ON: the rest is ciphertext
constexpr char kMagic[] = "\xfe" "bin";

}  // namespace

BinlogFile::~BinlogFile() {
  if (data_ && size_ > 0) munmap(const_cast<char*>(data_), size_);
  if (fd_ >= 0) close(fd_);
}

std::string BinlogFile::name() const {
  size_t slash = path_.rfind('/');
  return slash == std::string::npos ? path_ : path_.substr(slash + 1);
}

std::string BinlogFile::Where() const { return name() + " at " + std::to_string(event_pos_) + ": "; }

core::Result<std::unique_ptr<BinlogFile>> BinlogFile::Open(const std::string& path) {
  std::unique_ptr<BinlogFile> f(new BinlogFile());
  f->path_ = path;
  f->fd_ = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (f->fd_ < 0) {
    return core::InvalidArgument("cannot open binlog file " + path + ": " + std::strerror(errno));
  }
  struct stat st;
  if (fstat(f->fd_, &st) != 0) return core::InvalidArgument("cannot stat " + path + ": " + std::strerror(errno));
  if (!S_ISREG(st.st_mode)) return core::InvalidArgument(path + " is not a regular file");
  f->size_ = static_cast<uint64_t>(st.st_size);
  if (f->size_ < 4) {
    return core::Corruption(path + " is not a binlog file: " + std::to_string(f->size_) +
                            " bytes, shorter than the 4-byte magic");
  }
  void* map = mmap(nullptr, f->size_, PROT_READ, MAP_PRIVATE, f->fd_, 0);
  if (map == MAP_FAILED) return core::InvalidArgument("cannot map " + path + ": " + std::strerror(errno));
  f->data_ = static_cast<const char*>(map);
  madvise(map, f->size_, MADV_SEQUENTIAL);
  if (std::memcmp(f->data_, kMagic, 4) != 0) {
    return core::Corruption(path + " is not a binlog file (it does not start with fe 62 69 6e); a binlog "
                            "copied with `mysqlbinlog --raw` or from the server's data directory is");
  }
  return f;
}

core::Result<std::optional<Event>> BinlogFile::Next() {
  if (next_ >= size_) return std::optional<Event>{};
  event_pos_ = next_;
  const uint64_t left = size_ - next_;
  if (left < kCommonHeaderLength) {
    return core::Corruption(Where() + "the file ends " + std::to_string(left) +
                            " bytes into an event header (cut short, or still being written)");
  }
  uint32_t event_size = 0;
  std::memcpy(&event_size, data_ + next_ + 9, 4);  // little-endian hosts only (x86-64, arm64)
  const uint8_t type = static_cast<uint8_t>(data_[next_ + 4]);
  if (event_size < kCommonHeaderLength) {
    return core::Corruption(Where() + EventTypeName(type) + " claims " + std::to_string(event_size) +
                            " bytes, less than its own header: the file is damaged here");
  }
  if (event_size > left) {
    return core::Corruption(Where() + EventTypeName(type) + " of " + std::to_string(event_size) +
                            " bytes runs past the end of the file (" + std::to_string(left) +
                            " bytes left: cut short, or still being written)");
  }
  raw_ = std::string_view(data_ + next_, event_size);
  next_ += event_size;
  if (type == event::kFormatDescription) {
    auto fde = ParseFormatDescription(raw_);
    if (!fde.ok()) return fde.status().WithContext(Where().substr(0, Where().size() - 2));
    fde_ = std::move(*fde);
    checksum_ = fde_.checksum == ChecksumAlgorithm::kCrc32;
    Event ev;
    auto header = ParseEventHeader(raw_);
    ev.header = *header;
    ev.body = raw_.substr(kCommonHeaderLength, raw_.size() - kCommonHeaderLength - kChecksumLength);
    return std::optional<Event>(ev);
  }
  if (type == kStartEncryption) {
    return core::Corruption(Where() + "the binlog is encrypted (MariaDB encrypt_binlog = ON); weft reads "
                            "unencrypted binlogs only: read it from the server instead");
  }
  auto split = SplitEvent(raw_, checksum_);
  if (!split.ok()) return split.status().WithContext(Where().substr(0, Where().size() - 2));
  return std::optional<Event>(*split);
}

core::Status ReadBinlogFile(const std::string& path, const std::string& source_name,
                            const std::function<bool(source::SourceBatch&&)>& emit, BinlogFileStats* stats) {
  WEFT_ASSIGN_OR_RETURN(std::unique_ptr<BinlogFile> file, BinlogFile::Open(path));
  Position start;
  start.file = file->name();
  start.pos = 4;
  TransactionAssembler assembler(
      source_name, TableFilter::All(), start,
      [](const std::string&) { return core::Result<std::vector<std::string>>(std::vector<std::string>{}); }, nullptr,
      emit);
  while (true) {
    auto ev = file->Next();
    if (!ev.ok()) return ev.status();
    if (!ev->has_value()) break;
    core::Status st = assembler.OnEvent(**ev);
    if (!st.ok()) {
      if (st.code() == core::Code::kAborted) return st;
      return core::Status(st.code(), file->Where() + EventTypeName((*ev)->header.type) + ": " + st.message());
    }
  }
  if (stats) {
    stats->events += assembler.events();
    stats->row_changes += assembler.row_changes();
    stats->bytes += file->size();
  }
  return core::Status::Ok();
}

}  // namespace weft::source::mysql
