#include "source/mysql/binlog/mysql_gtid.h"

#include <algorithm>
#include <cctype>
#include <charconv>

#include "source/mysql/binlog/byte_reader.h"

namespace weft::source::mysql {
namespace {

constexpr uint8_t kGtidEvent = 33;
constexpr uint8_t kGtidTaggedEvent = 42;
constexpr size_t kUuidBytes = 16;

std::string UuidText(std::string_view b) {
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < kUuidBytes; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
    auto c = static_cast<uint8_t>(b[i]);
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 15]);
  }
  return out;
}

bool UuidBytes(std::string_view text, std::string* out) {
  out->clear();
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '-') continue;
    if (i + 1 >= text.size()) return false;
    unsigned v = 0;
    auto r = std::from_chars(text.data() + i, text.data() + i + 2, v, 16);
    if (r.ec != std::errc() || r.ptr != text.data() + i + 2) return false;
    out->push_back(static_cast<char>(v));
    ++i;
  }
  return out->size() == kUuidBytes;
}

bool IsUuid(std::string_view s) {
  if (s.size() != 36) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? s[i] != '-' : !std::isxdigit(static_cast<unsigned char>(s[i]))) return false;
  }
  return true;
}

// MySQL's serialization format (libs/mysql/serialization) integers: the count of trailing one bits
// of the first byte says how many more bytes follow (0-8); the value is the little-endian whole
// shifted right by the byte count (for 9 bytes: the last 8 bytes as they are).
bool VarUInt(ByteReader* r, uint64_t* out) {
  uint8_t first = 0;
  if (!r->U8(&first)) return false;
  int extra = 0;
  while (extra < 8 && ((first >> extra) & 1)) ++extra;
  if (extra == 8) return r->LE(8, out);
  uint64_t rest = 0;
  if (!r->LE(extra, &rest)) return false;
  const uint64_t whole = first | (rest << 8);
  *out = whole >> (extra + 1);
  return true;
}

// Signed: the magnitude shifted left by one, the sign in bit 0 (one's complement for negatives).
bool VarInt(ByteReader* r, int64_t* out) {
  uint64_t u = 0;
  if (!VarUInt(r, &u)) return false;
  *out = (u & 1) ? ~static_cast<int64_t>(u >> 1) : static_cast<int64_t>(u >> 1);
  return true;
}

bool ValidTag(std::string_view tag) {
  if (tag.empty() || tag.size() > 32) return false;
  if (!(std::isalpha(static_cast<unsigned char>(tag[0])) || tag[0] == '_')) return false;
  for (char c : tag) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) return false;
  }
  return true;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

core::Status Bad(const std::string& what) { return core::Corruption(what); }

core::Result<MysqlGtid> ParseTagged(std::string_view body) {
  ByteReader r(body);
  uint64_t version = 0, size = 0, last_non_ignorable = 0;
  if (!VarUInt(&r, &version) || !VarUInt(&r, &size) || !VarUInt(&r, &last_non_ignorable)) {
    return Bad("GTID_TAGGED_LOG_EVENT: serialization header is cut short");
  }
  MysqlGtid g;
  bool have_uuid = false, have_gno = false;
  // Fields: id, then value. 0 flags, 1 uuid (16 integers), 2 gno (signed), 3 tag (length + bytes),
  // 4-11 integers (logical clock, timestamps, length, server versions, commit ticket).
  while (!r.empty()) {
    uint64_t id = 0;
    if (!VarUInt(&r, &id)) return Bad("GTID_TAGGED_LOG_EVENT: field id cut short");
    if (id == 1) {
      std::string uuid;
      for (size_t i = 0; i < kUuidBytes; ++i) {
        uint64_t b = 0;
        if (!VarUInt(&r, &b) || b > 255) return Bad("GTID_TAGGED_LOG_EVENT: uuid does not parse");
        uuid.push_back(static_cast<char>(b));
      }
      g.uuid = UuidText(uuid);
      have_uuid = true;
    } else if (id == 2) {
      if (!VarInt(&r, &g.gno)) return Bad("GTID_TAGGED_LOG_EVENT: gno cut short");
      have_gno = true;
    } else if (id == 3) {
      uint64_t len = 0;
      std::string_view tag;
      if (!VarUInt(&r, &len) || !r.Bytes(len, &tag)) return Bad("GTID_TAGGED_LOG_EVENT: tag cut short");
      g.tag = Lower(tag);
    } else if (id <= 11) {
      uint64_t ignored = 0;
      if (!VarUInt(&r, &ignored)) return Bad("GTID_TAGGED_LOG_EVENT: field " + std::to_string(id) + " cut short");
    } else {
      break;  // a newer server's field: its type is unknown, and what weft needs came before it
    }
  }
  if (!have_uuid || !have_gno) return Bad("GTID_TAGGED_LOG_EVENT without a uuid or gno");
  if (g.gno < 1) return Bad("GTID_TAGGED_LOG_EVENT with gno " + std::to_string(g.gno));
  return g;
}

}  // namespace

std::string MysqlGtid::ToString() const {
  return uuid + ":" + (tag.empty() ? "" : tag + ":") + std::to_string(gno);
}

core::Result<MysqlGtid> ParseMysqlGtidEvent(uint8_t event_type, std::string_view body) {
  if (event_type == kGtidTaggedEvent) return ParseTagged(body);
  if (event_type != kGtidEvent) return core::InvalidArgument("event type " + std::to_string(event_type) + " is not a GTID event");
  // flags(1) sid(16) gno(8) ...
  if (body.size() < 1 + kUuidBytes + 8) return Bad("GTID_LOG_EVENT of " + std::to_string(body.size()) + " bytes is too short");
  ByteReader r(body.substr(1 + kUuidBytes));
  uint64_t gno = 0;
  r.LE(8, &gno);
  MysqlGtid g;
  g.uuid = UuidText(body.substr(1, kUuidBytes));
  g.gno = static_cast<int64_t>(gno);
  return g;
}

void MysqlGtidSet::AddInterval(const Key& key, int64_t first, int64_t last) {
  Intervals& v = sets_[key];
  v.emplace_back(first, last);
  std::sort(v.begin(), v.end());
  Intervals merged;
  for (const auto& iv : v) {
    if (!merged.empty() && iv.first <= merged.back().second + 1) {
      merged.back().second = std::max(merged.back().second, iv.second);
    } else {
      merged.push_back(iv);
    }
  }
  v = std::move(merged);
}

void MysqlGtidSet::Add(const MysqlGtid& gtid) {
  Key key{gtid.uuid, gtid.tag};
  Intervals& v = sets_[key];
  // The common case: the next gno of the newest interval.
  if (!v.empty() && v.back().second + 1 == gtid.gno) {
    v.back().second = gtid.gno;
    return;
  }
  AddInterval(key, gtid.gno, gtid.gno);
}

bool MysqlGtidSet::Contains(const MysqlGtid& gtid) const {
  auto it = sets_.find(Key{gtid.uuid, gtid.tag});
  if (it == sets_.end()) return false;
  for (const auto& [first, last] : it->second) {
    if (gtid.gno >= first && gtid.gno <= last) return true;
  }
  return false;
}

bool MysqlGtidSet::ContainsAll(const MysqlGtidSet& other) const {
  for (const auto& [key, intervals] : other.sets_) {
    auto it = sets_.find(key);
    for (const auto& [first, last] : intervals) {
      bool covered = false;
      if (it != sets_.end()) {
        for (const auto& [f, l] : it->second) covered = covered || (f <= first && last <= l);
      }
      if (!covered) return false;
    }
  }
  return true;
}

std::string MysqlGtidSet::ToString() const {
  std::string out;
  std::string uuid;
  for (const auto& [key, intervals] : sets_) {
    if (intervals.empty()) continue;
    if (key.first != uuid) {
      if (!out.empty()) out.push_back(',');
      out += key.first;
      uuid = key.first;
    }
    out.push_back(':');
    if (!key.second.empty()) out += key.second + ":";
    for (size_t i = 0; i < intervals.size(); ++i) {
      if (i) out.push_back(':');
      out += std::to_string(intervals[i].first);
      if (intervals[i].second != intervals[i].first) out += "-" + std::to_string(intervals[i].second);
    }
  }
  return out;
}

core::Result<MysqlGtidSet> MysqlGtidSet::Parse(std::string_view text) {
  MysqlGtidSet set;
  std::string clean;
  for (char c : text) {
    if (!std::isspace(static_cast<unsigned char>(c))) clean.push_back(c);
  }
  auto bad = [&](std::string_view part, const char* why) {
    return core::InvalidArgument("'" + std::string(part) + "' in GTID set '" + std::string(text) + "' " + why +
                                 " (MySQL GTID sets read uuid:1-5:7,uuid:tag:1-3)");
  };
  size_t start = 0;
  while (start < clean.size()) {
    size_t end = clean.find(',', start);
    if (end == std::string::npos) end = clean.size();
    std::string_view item(clean.data() + start, end - start);
    start = end + 1;
    if (item.empty()) continue;
    size_t colon = item.find(':');
    std::string_view uuid = item.substr(0, colon);
    if (!IsUuid(uuid)) return bad(item, "does not start with a UUID");
    if (colon == std::string_view::npos) return bad(item, "has no intervals");
    std::string tag;
    std::string_view rest = item.substr(colon + 1);
    bool any = false;
    while (!rest.empty()) {
      size_t next = rest.find(':');
      std::string_view part = rest.substr(0, next);
      rest = next == std::string_view::npos ? std::string_view() : rest.substr(next + 1);
      if (!part.empty() && !std::isdigit(static_cast<unsigned char>(part[0]))) {
        if (!ValidTag(part)) return bad(part, "is neither an interval nor a tag");
        tag = Lower(part);
        continue;
      }
      size_t dash = part.find('-');
      int64_t first = 0, last = 0;
      auto f = std::from_chars(part.data(), part.data() + (dash == std::string_view::npos ? part.size() : dash), first);
      if (f.ec != std::errc() || first < 1) return bad(part, "is not an interval");
      last = first;
      if (dash != std::string_view::npos) {
        auto l = std::from_chars(part.data() + dash + 1, part.data() + part.size(), last);
        if (l.ec != std::errc() || l.ptr != part.data() + part.size() || last < first) return bad(part, "is not an interval");
      } else if (f.ptr != part.data() + part.size()) {
        return bad(part, "is not an interval");
      }
      set.AddInterval(Key{Lower(uuid), tag}, first, last);
      any = true;
    }
    if (!any) return bad(item, "has no intervals");
  }
  return set;
}

core::Result<MysqlGtidSet> MysqlGtidSet::FromPreviousGtidsEvent(std::string_view body) {
  ByteReader r(body);
  uint64_t head = 0;
  if (!r.LE(8, &head)) return Bad("PREVIOUS_GTIDS_LOG_EVENT is cut short");
  // Untagged: the 8 bytes are the UUID count. Tagged (MySQL 8.3+): byte 0 and byte 7 are the
  // format (1), bytes 1-6 the count.
  const bool tagged = (head >> 56) == 1;
  const uint64_t count = tagged ? (head >> 8) & 0xFFFFFFFFFFFFull : head;
  if ((head >> 56) > 1 || (tagged && (head & 0xff) != 1)) return Bad("PREVIOUS_GTIDS_LOG_EVENT has an unknown format");
  MysqlGtidSet set;
  for (uint64_t i = 0; i < count; ++i) {
    std::string_view sid, tag;
    if (!r.Bytes(kUuidBytes, &sid)) return Bad("PREVIOUS_GTIDS_LOG_EVENT: uuid cut short");
    if (tagged) {
      uint64_t len = 0;
      if (!VarUInt(&r, &len) || !r.Bytes(len, &tag)) return Bad("PREVIOUS_GTIDS_LOG_EVENT: tag cut short");
    }
    uint64_t n = 0;
    if (!r.LE(8, &n) || n > r.remaining() / 16) return Bad("PREVIOUS_GTIDS_LOG_EVENT: interval count cut short");
    for (uint64_t k = 0; k < n; ++k) {
      uint64_t start = 0, end = 0;  // half-open [start, end)
      r.LE(8, &start);
      r.LE(8, &end);
      if (start < 1 || end <= start || end > (uint64_t{1} << 63)) return Bad("PREVIOUS_GTIDS_LOG_EVENT: bad interval");
      set.AddInterval(Key{UuidText(sid), Lower(tag)}, static_cast<int64_t>(start), static_cast<int64_t>(end - 1));
    }
  }
  return set;
}

std::string MysqlGtidSet::Encode() const {
  bool tagged = false;
  size_t count = 0;
  for (const auto& [key, intervals] : sets_) {
    if (intervals.empty()) continue;
    tagged = tagged || !key.second.empty();
    ++count;
  }
  std::string out;
  auto le = [&](uint64_t v, int n) {
    for (int i = 0; i < n; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
  };
  if (tagged) {
    out.push_back(1);
    le(count, 6);
    out.push_back(1);
  } else {
    le(count, 8);
  }
  for (const auto& [key, intervals] : sets_) {
    if (intervals.empty()) continue;
    std::string sid;
    UuidBytes(key.first, &sid);
    out += sid;
    if (tagged) {
      out.push_back(static_cast<char>(key.second.size() << 1));  // tags are <= 32 bytes: one byte
      out += key.second;
    }
    le(intervals.size(), 8);
    for (const auto& [first, last] : intervals) {
      le(static_cast<uint64_t>(first), 8);
      le(static_cast<uint64_t>(last) + 1, 8);
    }
  }
  return out;
}

}  // namespace weft::source::mysql
