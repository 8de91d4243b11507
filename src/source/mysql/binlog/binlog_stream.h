#pragma once
// BinlogStream: one replication connection (libmariadb's mariadb_rpl API) delivering raw binlog
// events, checksum verified and stripped. It prepares the session the way a replica does:
//   SET @master_binlog_checksum = @@global.binlog_checksum   (events keep their CRC32; we verify it)
//   SET @mariadb_slave_capability = 4                         (MariaDB GTID events)
//   SET @master_heartbeat_period = N s                        (an idle stream still shows it is alive)
//   SET @slave_connect_state = '<gtid state>'                 (MariaDB: resume by GTID)
// then COM_BINLOG_DUMP from the Position (by GTID on MariaDB when the position has one, by
// file:pos otherwise). A MySQL position with a GTID set (`gtids=`) on a server with gtid_mode=ON
// resumes by COM_BINLOG_DUMP_GTID, after checking that the server has not purged a transaction the
// set lacks (@@global.gtid_purged; DataLoss otherwise); with gtid_mode off it falls back to
// file:pos. (Built from MySQL's protocol documentation: no MySQL server is available to the tests.)
// A silent dead server is noticed by the read timeout (3 heartbeats).
//
// One thread. Interrupter::Cancel() from another thread makes a blocked Next() return Aborted.

#include <mysql.h>
// mariadb_rpl.h needs mysql.h first.
#include <mariadb_rpl.h>

#include <memory>
#include <optional>
#include <string>

#include "config/config.h"
#include "core/status.h"
#include "source/mysql/binlog/binlog_event.h"
#include "source/mysql/sql/connection.h"
#include "source/mysql/binlog/position.h"

namespace weft::source::mysql {

struct StreamOptions {
  unsigned heartbeat_s = 5;
  // End at the current end of the binlog instead of waiting for more (benchmarks, tools).
  bool non_blocking = false;
};

class BinlogStream {
 public:
  ~BinlogStream();
  BinlogStream(const BinlogStream&) = delete;
  BinlogStream& operator=(const BinlogStream&) = delete;

  // Unavailable when the server cannot be reached; Aborted when cancelled.
  static core::Result<std::unique_ptr<BinlogStream>> Open(const config::SourceConfig& config, const Position& start,
                                                           const StreamOptions& options, Interrupter* interrupter);

  // The next event; its body points into a buffer that stays valid until the next call. nullopt at
  // the end of the binlog (non_blocking only). Errors: DataLoss when the server no longer has the
  // requested position (purged binlogs), Corruption on a checksum mismatch, Unavailable when the
  // connection is lost, Aborted when cancelled.
  core::Result<std::optional<Event>> Next();

  bool is_mariadb() const { return is_mariadb_; }
  const std::string& server_version() const { return server_version_; }
  // Bytes of events received so far (for throughput figures).
  uint64_t bytes_received() const { return bytes_; }

 private:
  BinlogStream() = default;
  core::Status FetchError();

  config::SourceConfig config_;  // for a second connection when the dump one fails
  Connection conn_;
  MARIADB_RPL* rpl_ = nullptr;
  MARIADB_RPL_EVENT* event_ = nullptr;
  Interrupter* interrupter_ = nullptr;
  bool checksum_ = false;
  bool non_blocking_ = false;
  bool is_mariadb_ = false;
  std::string server_version_;
  std::string start_description_;  // "GTID 0-1-41" or "mariadb-bin.000002:1234", for messages
  uint64_t bytes_ = 0;
};

// COM_BINLOG_DUMP_GTID's arguments (after the command byte): flags(2) server_id(4)
// filename length(4) filename position(8) data size(4) data (the encoded GTID set).
inline constexpr uint8_t kComBinlogDumpGtid = 0x1e;
inline constexpr uint16_t kBinlogThroughGtid = 0x04;
inline constexpr uint16_t kBinlogDumpNonBlock = 0x01;
std::string BinlogDumpGtidArguments(uint16_t flags, uint32_t server_id, const std::string& encoded_gtid_set);

// DataLoss when a MariaDB GTID state asks for more than the server's binlogs hold (see .cpp).
core::Status CheckGtidInBinlog(Connection& conn, const std::string& gtid_state);

}  // namespace weft::source::mysql
