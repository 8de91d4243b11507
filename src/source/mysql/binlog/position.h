#pragma once
// Position: where in the binlog a MySQL/MariaDB stream resumes, and its opaque-but-readable token
//   v1;file=mariadb-bin.000002;pos=1234;skip=3;gtid=0-1-41
// meaning "start at the transaction that begins at file:pos, whose GTID state before it is `gtid`,
// and skip its first `skip` row changes". skip=0 with the position after a transaction is a clean
// boundary. Resuming from a record's token continues right after that record.
//
// MariaDB resumes by GTID (@slave_connect_state = gtid; file/pos are informational). MySQL with
// gtid_mode=ON carries its executed GTID set before the transaction as `gtids=uuid:1-41,...`
// (mysql_gtid.h) and resumes by it (COM_BINLOG_DUMP_GTID), falling back to file/pos when the token
// has none. Any token without a `gtid`/`gtids` field resumes by file/pos. An empty `gtid=` is a
// valid MariaDB state ("before the first GTID"), distinct from an absent one; likewise `gtids=`.

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace weft::source::mysql {

struct Position {
  std::string file;
  uint64_t pos = 0;
  uint64_t skip = 0;         // row changes of the transaction at file:pos already delivered
  bool has_gtid = false;     // resume by GTID (MariaDB)
  std::string gtid;          // MariaDB GTID state: "0-1-41" or "0-1-41,1-2-7"; may be empty
  bool has_mysql_gtids = false;  // MySQL: the executed GTID set is known
  std::string mysql_gtids;       // MySQL GTID set: "uuid:1-41,uuid2:tag:1-3"; may be empty

  std::string Encode() const;
  // InvalidArgument naming what is wrong when `token` is not a v1 token.
  static core::Result<Position> Parse(std::string_view token);

  friend bool operator==(const Position&, const Position&) = default;
};

// One MariaDB GTID: domain-server-sequence.
struct Gtid {
  uint32_t domain = 0;
  uint32_t server_id = 0;
  uint64_t sequence = 0;
  std::string ToString() const;  // "0-1-41"
};

// A MariaDB GTID state: the last GTID per replication domain.
class GtidState {
 public:
  static core::Result<GtidState> Parse(std::string_view text);  // "" is the empty state
  void Update(const Gtid& gtid) { domains_[gtid.domain] = gtid; }
  std::string ToString() const;  // domains in ascending order, comma-separated
  bool empty() const { return domains_.empty(); }
  std::vector<Gtid> gtids() const {
    std::vector<Gtid> out;
    for (const auto& [domain, gtid] : domains_) out.push_back(gtid);
    return out;
  }

 private:
  std::map<uint32_t, Gtid> domains_;
};

}  // namespace weft::source::mysql
