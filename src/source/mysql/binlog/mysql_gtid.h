#pragma once
// MySQL GTIDs: the GTID_LOG_EVENT (33, "uuid:gno"), MySQL 8.3+'s GTID_TAGGED_LOG_EVENT (42,
// "uuid:tag:gno", written in MySQL's field-id serialization format), the PREVIOUS_GTIDS_LOG_EVENT
// (35, untagged and tagged encodings) and GTID sets as MySQL spells them in @@gtid_executed:
//   "3e11fa47-71ca-11e1-9e33-c80aa9429562:1-5:11,55778904-0299-11f1-b1b8-4ef0c4956feb:1-13:mytag:1-2"
// (per UUID, the untagged intervals first, then each tag with its intervals).
//
// (MariaDB's domain-server-sequence GTIDs are in position.h.) Pure values; any thread. Hostile
// bytes give Corruption.

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"

namespace weft::source::mysql {

struct MysqlGtid {
  std::string uuid;  // "3e11fa47-71ca-11e1-9e33-c80aa9429562" (lower case)
  std::string tag;   // "" when untagged
  int64_t gno = 0;
  std::string ToString() const;  // "uuid:gno" or "uuid:tag:gno"
};

// GTID_LOG_EVENT (33) or GTID_TAGGED_LOG_EVENT (42) body (after the common header, CRC removed).
core::Result<MysqlGtid> ParseMysqlGtidEvent(uint8_t event_type, std::string_view body);

class MysqlGtidSet {
 public:
  // "" is the empty set. Whitespace and newlines (as SELECT @@gtid_executed prints them) are
  // ignored. InvalidArgument naming the bad part otherwise.
  static core::Result<MysqlGtidSet> Parse(std::string_view text);
  // PREVIOUS_GTIDS_LOG_EVENT body (either encoding).
  static core::Result<MysqlGtidSet> FromPreviousGtidsEvent(std::string_view body);

  void Add(const MysqlGtid& gtid);
  bool Contains(const MysqlGtid& gtid) const;
  // Every GTID of `other` is in this set.
  bool ContainsAll(const MysqlGtidSet& other) const;
  bool empty() const { return sets_.empty(); }
  std::string ToString() const;
  // COM_BINLOG_DUMP_GTID's encoding of the set (the untagged form when no tag is used, else the
  // tagged one MySQL 8.3+ reads).
  std::string Encode() const;

  friend bool operator==(const MysqlGtidSet&, const MysqlGtidSet&) = default;

 private:
  using Key = std::pair<std::string, std::string>;  // uuid, tag
  // Closed intervals [first, last], sorted, non-overlapping, non-adjacent.
  using Intervals = std::vector<std::pair<int64_t, int64_t>>;
  void AddInterval(const Key& key, int64_t first, int64_t last);
  std::map<Key, Intervals> sets_;
};

}  // namespace weft::source::mysql
