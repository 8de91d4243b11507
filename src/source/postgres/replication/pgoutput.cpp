#include "source/postgres/replication/pgoutput.h"

#include <chrono>

namespace weft::source::postgres {
namespace {

// Big-endian reads that remember whether the message ran short.
class Reader {
 public:
  explicit Reader(std::string_view d) : d_(d) {}
  bool ok() const { return ok_; }
  size_t pos() const { return p_; }
  bool done() const { return p_ >= d_.size(); }

  uint64_t Int(int bytes) {
    if (p_ + static_cast<size_t>(bytes) > d_.size()) {
      ok_ = false;
      p_ = d_.size();
      return 0;
    }
    uint64_t v = 0;
    for (int i = 0; i < bytes; ++i) v = v << 8 | static_cast<unsigned char>(d_[p_++]);
    return v;
  }
  char Byte() { return static_cast<char>(Int(1)); }
  std::string String() {
    size_t end = d_.find('\0', p_);
    if (end == std::string_view::npos) {
      ok_ = false;
      p_ = d_.size();
      return {};
    }
    std::string s(d_.substr(p_, end - p_));
    p_ = end + 1;
    return s;
  }
  std::string_view Bytes(size_t n) {
    if (p_ + n > d_.size()) {
      ok_ = false;
      p_ = d_.size();
      return {};
    }
    std::string_view s = d_.substr(p_, n);
    p_ += n;
    return s;
  }

 private:
  std::string_view d_;
  size_t p_ = 0;
  bool ok_ = true;
};

bool ReadTuple(Reader& r, std::vector<TupleColumn>* out) {
  int n = static_cast<int>(r.Int(2));
  out->clear();
  out->reserve(static_cast<size_t>(n));
  for (int i = 0; i < n && r.ok(); ++i) {
    TupleColumn c;
    c.kind = r.Byte();
    if (c.kind == 't' || c.kind == 'b') {
      uint32_t len = static_cast<uint32_t>(r.Int(4));
      c.data = r.Bytes(len);
    } else if (c.kind != 'n' && c.kind != 'u') {
      return false;
    }
    out->push_back(c);
  }
  return r.ok();
}

core::Status Bad(char tag, const Reader& r, const char* what) {
  return core::Corruption(std::string("pgoutput message '") + tag + "' " + what + " at byte " +
                          std::to_string(r.pos()));
}

}  // namespace

core::Status ParsePgOutput(std::string_view data, PgOutputMessage* out) {
  *out = PgOutputMessage();
  if (data.empty()) return core::Corruption("empty pgoutput message");
  Reader r(data.substr(1));
  out->tag = data[0];
  using K = PgOutputMessage::Kind;
  switch (out->tag) {
    case 'B':
      out->kind = K::kBegin;
      out->final_lsn = r.Int(8);
      out->commit_time = static_cast<int64_t>(r.Int(8));
      out->xid = static_cast<uint32_t>(r.Int(4));
      break;
    case 'C':
      out->kind = K::kCommit;
      r.Int(1);  // flags, unused
      out->commit_lsn = r.Int(8);
      out->end_lsn = r.Int(8);
      out->commit_time = static_cast<int64_t>(r.Int(8));
      break;
    case 'R': {
      out->kind = K::kRelation;
      RelationMessage& rel = out->relation;
      rel.relid = static_cast<uint32_t>(r.Int(4));
      rel.nspname = r.String();
      rel.relname = r.String();
      rel.replica_identity = r.Byte();
      int n = static_cast<int>(r.Int(2));
      for (int i = 0; i < n && r.ok(); ++i) {
        RelationColumn c;
        c.key = (r.Int(1) & 1) != 0;
        c.name = r.String();
        c.type = static_cast<Oid>(r.Int(4));
        c.typmod = static_cast<int32_t>(static_cast<uint32_t>(r.Int(4)));
        rel.columns.push_back(std::move(c));
      }
      break;
    }
    case 'I':
      out->kind = K::kInsert;
      out->relid = static_cast<uint32_t>(r.Int(4));
      if (r.Byte() != 'N') return Bad('I', r, "lacks its 'N' tuple");
      if (!ReadTuple(r, &out->new_tuple)) return Bad('I', r, "has a malformed tuple");
      break;
    case 'U': {
      out->kind = K::kUpdate;
      out->relid = static_cast<uint32_t>(r.Int(4));
      char next = r.Byte();
      if (next == 'K' || next == 'O') {
        out->old_kind = next;
        if (!ReadTuple(r, &out->old_tuple)) return Bad('U', r, "has a malformed old tuple");
        next = r.Byte();
      }
      if (next != 'N') return Bad('U', r, "lacks its 'N' tuple");
      if (!ReadTuple(r, &out->new_tuple)) return Bad('U', r, "has a malformed tuple");
      break;
    }
    case 'D': {
      out->kind = K::kDelete;
      out->relid = static_cast<uint32_t>(r.Int(4));
      char next = r.Byte();
      if (next != 'K' && next != 'O') return Bad('D', r, "lacks its 'K'/'O' tuple");
      out->old_kind = next;
      if (!ReadTuple(r, &out->old_tuple)) return Bad('D', r, "has a malformed tuple");
      break;
    }
    case 'T': {
      out->kind = K::kTruncate;
      uint32_t n = static_cast<uint32_t>(r.Int(4));
      out->truncate_options = static_cast<uint8_t>(r.Int(1));
      for (uint32_t i = 0; i < n && r.ok(); ++i) out->truncate_relids.push_back(static_cast<uint32_t>(r.Int(4)));
      break;
    }
    default:
      out->kind = K::kOther;  // 'Y' type, 'O' origin, 'M' message: nothing to decode
      return core::Status::Ok();
  }
  if (!r.ok()) return Bad(out->tag, r, "is cut short");
  return core::Status::Ok();
}

core::Status ParseCopyData(std::string_view data, CopyDataFrame* out) {
  *out = CopyDataFrame();
  if (data.empty()) return core::Corruption("empty CopyData message from the walsender");
  Reader r(data.substr(1));
  if (data[0] == 'w') {
    out->kind = CopyDataFrame::Kind::kXLogData;
    out->wal_start = r.Int(8);
    out->wal_end = r.Int(8);
    out->send_time = static_cast<int64_t>(r.Int(8));
    if (!r.ok()) return core::Corruption("XLogData message cut short");
    out->payload = data.substr(25);
  } else if (data[0] == 'k') {
    out->kind = CopyDataFrame::Kind::kKeepalive;
    out->wal_end = r.Int(8);
    out->send_time = static_cast<int64_t>(r.Int(8));
    out->reply_requested = r.Int(1) != 0;
    if (!r.ok()) return core::Corruption("keepalive message cut short");
  }
  return core::Status::Ok();
}

std::string StandbyStatus(Lsn written, Lsn flushed, Lsn applied, int64_t now_pg_us, bool reply_requested) {
  std::string out;
  out.reserve(34);
  out.push_back('r');
  auto put = [&](uint64_t v) {
    for (int i = 7; i >= 0; --i) out.push_back(static_cast<char>((v >> (i * 8)) & 0xff));
  };
  put(written);
  put(flushed);
  put(applied);
  put(static_cast<uint64_t>(now_pg_us));
  out.push_back(reply_requested ? 1 : 0);
  return out;
}

int64_t PgNow() {
  auto us = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch());
  return us.count() - kPgEpochOffsetUs;
}

}  // namespace weft::source::postgres
