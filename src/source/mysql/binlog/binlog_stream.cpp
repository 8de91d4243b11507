#include "source/mysql/binlog/binlog_stream.h"

#include <mysqld_error.h>

#include <algorithm>
#include <map>

#include "source/mysql/binlog/mysql_gtid.h"

namespace weft::source::mysql {

BinlogStream::~BinlogStream() {
  if (event_) mariadb_free_rpl_event(event_);
  if (rpl_) mariadb_rpl_close(rpl_);
  // conn_ closes the MYSQL* after the rpl handle that points at it is gone.
}

namespace {

// "; the oldest position the server still has is mariadb-bin.000003:4 (GTID state '0-1-90')", or ""
// when the server will not say.
std::string OldestPosition(Connection& conn) {
  auto logs = conn.Query("SHOW BINARY LOGS");
  if (!logs.ok() || logs->empty() || logs->front().empty() || !logs->front()[0]) return "";
  const std::string file = *logs->front()[0];
  std::string out = "; the oldest position the server still has is " + file + ":4";
  if (conn.is_mariadb()) {
    auto gtid = conn.QueryValue("SELECT BINLOG_GTID_POS(" + conn.Quote(file) + ", 4)");
    if (gtid.ok() && *gtid) out += " (GTID state '" + **gtid + "')";
  }
  return out;
}

}  // namespace

// The server waits silently, instead of failing, when asked for a GTID beyond its binlog state
// (RESET MASTER, or a different server behind the same address): check first. A GTID older than
// the oldest binlog the server itself reports (1236) once the dump starts.
core::Status CheckGtidInBinlog(Connection& conn, const std::string& gtid_state) {
  auto wanted = GtidState::Parse(gtid_state);
  if (!wanted.ok()) return wanted.status();
  WEFT_ASSIGN_OR_RETURN(auto server_state, conn.QueryValue("SELECT @@global.gtid_binlog_state"));
  std::map<uint32_t, uint64_t> newest;  // domain -> highest sequence the binlogs hold
  std::string text = server_state.value_or("");
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find(',', start);
    if (end == std::string::npos) end = text.size();
    if (auto one = GtidState::Parse(text.substr(start, end - start)); one.ok()) {
      for (const Gtid& g : one->gtids()) newest[g.domain] = std::max(newest[g.domain], g.sequence);
    }
    start = end + 1;
  }
  for (const Gtid& g : wanted->gtids()) {
    auto it = newest.find(g.domain);
    if (it == newest.end() || it->second < g.sequence) {
      return core::DataLoss("source " + conn.source_name() + " (" + conn.address() +
                            "): the server no longer has this position: GTID " + g.ToString() +
                            " is not in its binlogs (binlog state '" + text + "': binlogs reset, or another server)" +
                            OldestPosition(conn) +
                            ". Restart from a fresh snapshot (`weft tail --from snapshot`, or on_lost_position = "
                            "\"resnapshot\")");
    }
  }
  return core::Status::Ok();
}

std::string BinlogDumpGtidArguments(uint16_t flags, uint32_t server_id, const std::string& encoded_gtid_set) {
  std::string out;
  auto le = [&](uint64_t v, int n) {
    for (int i = 0; i < n; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
  };
  le(flags | kBinlogThroughGtid, 2);
  le(server_id, 4);
  le(0, 4);  // no file name: the server finds the first transaction the set lacks
  le(4, 8);
  le(encoded_gtid_set.size(), 4);
  out += encoded_gtid_set;
  return out;
}

namespace {

// MySQL with gtid_mode=ON and a position that carries a GTID set: checks that nothing the set lacks
// was purged. Returns the set to dump from, or nullopt to fall back to file:pos.
core::Result<std::optional<MysqlGtidSet>> MysqlResumeSet(Connection& conn, const Position& start) {
  if (!start.has_mysql_gtids) return std::optional<MysqlGtidSet>{};
  WEFT_ASSIGN_OR_RETURN(auto mode, conn.QueryValue("SELECT @@global.gtid_mode"));
  if (mode.value_or("OFF") != "ON") {
    if (start.file.empty()) {
      return core::FailedPrecondition("source " + conn.source_name() + ": the offset resumes by GTID set but the "
                                      "server's gtid_mode is " + mode.value_or("OFF") + ": restart from a snapshot");
    }
    return std::optional<MysqlGtidSet>{};  // file:pos still works
  }
  WEFT_ASSIGN_OR_RETURN(MysqlGtidSet wanted, MysqlGtidSet::Parse(start.mysql_gtids));
  WEFT_ASSIGN_OR_RETURN(auto purged_text, conn.QueryValue("SELECT @@global.gtid_purged"));
  WEFT_ASSIGN_OR_RETURN(MysqlGtidSet purged, MysqlGtidSet::Parse(purged_text.value_or("")));
  if (!wanted.ContainsAll(purged)) {
    return core::DataLoss("source " + conn.source_name() + " (" + conn.address() +
                          "): the server no longer has this position: it purged transactions the offset has not "
                          "seen (gtid_purged '" + purged.ToString() + "' is not within the offset's GTID set '" +
                          wanted.ToString() + "')" + OldestPosition(conn) +
                          ". Restart from a fresh snapshot (`weft tail --from snapshot`, or on_lost_position = "
                          "\"resnapshot\"), and keep binlogs longer (binlog_expire_logs_seconds)");
  }
  return std::optional<MysqlGtidSet>(std::move(wanted));
}

}  // namespace

core::Result<std::unique_ptr<BinlogStream>> BinlogStream::Open(const config::SourceConfig& config,
                                                                const Position& start, const StreamOptions& options,
                                                                Interrupter* interrupter) {
  std::unique_ptr<BinlogStream> stream(new BinlogStream());
  ConnectOptions connect;
  // Heartbeats arrive every heartbeat_s on an idle stream: three missed ones mean the server (or
  // the network) is gone, which a plain TCP read would not notice for hours.
  connect.read_timeout_s = options.heartbeat_s * 3 + 2;
  connect.interrupter = interrupter;
  WEFT_ASSIGN_OR_RETURN(stream->conn_, Connection::Open(config, connect));
  stream->interrupter_ = interrupter;
  stream->config_ = config;
  stream->non_blocking_ = options.non_blocking;
  stream->server_version_ = stream->conn_.server_version();
  stream->is_mariadb_ = stream->conn_.is_mariadb();
  Connection& conn = stream->conn_;

  WEFT_ASSIGN_OR_RETURN(auto checksum, conn.QueryValue("SELECT @@global.binlog_checksum"));
  // Until the FORMAT_DESCRIPTION arrives, the server's setting says whether events (the artificial
  // ROTATE first) carry a checksum.
  stream->checksum_ = checksum.value_or("NONE") == "CRC32";
  WEFT_RETURN_IF_ERROR(conn.Execute("SET @master_binlog_checksum = @@global.binlog_checksum"));
  WEFT_RETURN_IF_ERROR(conn.Execute("SET @mariadb_slave_capability = 4"));
  WEFT_RETURN_IF_ERROR(conn.Execute("SET @master_heartbeat_period = " +
                                    std::to_string(uint64_t{options.heartbeat_s} * 1000000000ull)));
  const bool by_gtid = stream->is_mariadb_ && start.has_gtid;
  if (by_gtid) WEFT_RETURN_IF_ERROR(CheckGtidInBinlog(conn, start.gtid));
  if (by_gtid) {
    WEFT_RETURN_IF_ERROR(conn.Execute("SET @slave_connect_state = " + conn.Quote(start.gtid)));
    WEFT_RETURN_IF_ERROR(conn.Execute("SET @slave_gtid_strict_mode = 0"));
    WEFT_RETURN_IF_ERROR(conn.Execute("SET @slave_gtid_ignore_duplicates = 0"));
    stream->start_description_ = "GTID state '" + start.gtid + "'";
  } else {
    stream->start_description_ = start.file + ":" + std::to_string(start.pos);
  }

  std::optional<MysqlGtidSet> mysql_set;
  if (!stream->is_mariadb_) {
    WEFT_ASSIGN_OR_RETURN(mysql_set, MysqlResumeSet(conn, start));
    if (mysql_set) stream->start_description_ = "GTID set '" + mysql_set->ToString() + "'";
  }

  stream->rpl_ = mariadb_rpl_init(conn.get());
  if (!stream->rpl_) return conn.LastError("mariadb_rpl_init");
  MARIADB_RPL* rpl = stream->rpl_;
  if (mysql_set) {
    // libmariadb's mariadb_rpl_open sends only COM_BINLOG_DUMP: send MySQL's GTID form through the
    // connection's command method, then fetch events with the same rpl handle.
    mariadb_rpl_optionsv(rpl, MARIADB_RPL_SERVER_ID, static_cast<unsigned int>(config.server_id));
    mariadb_rpl_optionsv(rpl, MARIADB_RPL_FILENAME, "", static_cast<size_t>(0));
    mariadb_rpl_optionsv(rpl, MARIADB_RPL_START, 4UL);
    rpl->server_type = RPL_SERVER_MYSQL;
    const std::string args = BinlogDumpGtidArguments(options.non_blocking ? kBinlogDumpNonBlock : 0,
                                                     static_cast<uint32_t>(config.server_id), mysql_set->Encode());
    MYSQL* m = conn.get();
    if (m->methods->db_command(m, static_cast<enum enum_server_command>(kComBinlogDumpGtid), args.data(), args.size(), 1,
                               nullptr) != 0) {
      return stream->FetchError();
    }
    return stream;
  }
  mariadb_rpl_optionsv(rpl, MARIADB_RPL_SERVER_ID, static_cast<unsigned int>(config.server_id));
  if (by_gtid) {
    mariadb_rpl_optionsv(rpl, MARIADB_RPL_FILENAME, "", static_cast<size_t>(0));
    mariadb_rpl_optionsv(rpl, MARIADB_RPL_START, 4UL);
  } else {
    mariadb_rpl_optionsv(rpl, MARIADB_RPL_FILENAME, start.file.c_str(), start.file.size());
    mariadb_rpl_optionsv(rpl, MARIADB_RPL_START, static_cast<unsigned long>(start.pos < 4 ? 4 : start.pos));
  }
  mariadb_rpl_optionsv(rpl, MARIADB_RPL_FLAGS, options.non_blocking ? MARIADB_RPL_BINLOG_DUMP_NON_BLOCK : 0u);
  if (mariadb_rpl_open(rpl) != 0) return stream->FetchError();
  return stream;
}

core::Status BinlogStream::FetchError() {
  if (interrupter_ && interrupter_->cancelled()) return core::Aborted("stopped");
  // The replication API reports some failures on the rpl handle and others (server errors sent in
  // the dump, lost connections) on the MYSQL handle: look at both.
  unsigned mysql_err = mysql_errno(conn_.get());
  std::string message;
  if (rpl_ && mariadb_rpl_errno(rpl_) != 0) message = mariadb_rpl_error(rpl_);
  if (mysql_err != 0) {
    if (!message.empty()) message += "; ";
    message += std::string(mysql_error(conn_.get())) + " (error " + std::to_string(mysql_err) + ")";
  }
  const std::string prefix = "source " + conn_.source_name() + " (" + conn_.address() + "): binlog stream from " +
                             start_description_ + ": ";
  if (mysql_err == ER_MASTER_FATAL_ERROR_READING_BINLOG) {
    // The dump connection is finished after this error: ask on a fresh one.
    std::string oldest;
    ConnectOptions options;
    options.connect_timeout_s = 5;
    options.read_timeout_s = 5;
    if (auto fresh = Connection::Open(config_, options); fresh.ok()) oldest = OldestPosition(*fresh);
    return core::DataLoss(prefix + message + ". The server no longer has this position (binlogs purged or reset)" +
                          oldest + ". Restart from a "
                          "fresh snapshot (`weft tail --from snapshot`, or on_lost_position = \"resnapshot\"), and "
                          "keep binlogs longer (expire_logs_days / binlog_expire_logs_seconds)");
  }
  if (mysql_err == ER_SPECIFIC_ACCESS_DENIED_ERROR || mysql_err == ER_ACCESS_DENIED_ERROR) {
    return core::FailedPrecondition(prefix + message);
  }
  if (message.empty()) message = "the server ended the stream";
  return core::Unavailable(prefix + message);
}

core::Result<std::optional<Event>> BinlogStream::Next() {
  MARIADB_RPL_EVENT* ev = mariadb_rpl_fetch(rpl_, event_);
  if (!ev) {
    event_ = nullptr;  // freed by the library on failure
    if (non_blocking_ && mysql_errno(conn_.get()) == 0 && mariadb_rpl_errno(rpl_) == 0 &&
        !(interrupter_ && interrupter_->cancelled())) {
      return std::optional<Event>{};
    }
    return FetchError();
  }
  event_ = ev;
  std::string_view raw(reinterpret_cast<const char*>(ev->raw_data) + ev->raw_data_ofs,
                       ev->raw_data_size - ev->raw_data_ofs);
  bytes_ += raw.size();
  if (raw.size() > 4 && static_cast<uint8_t>(raw[4]) == event::kFormatDescription) {
    WEFT_ASSIGN_OR_RETURN(FormatDescription fde, ParseFormatDescription(raw));
    WEFT_RETURN_IF_ERROR(CheckPostHeaderLengths(fde).WithContext("source " + conn_.source_name()));
    checksum_ = fde.checksum == ChecksumAlgorithm::kCrc32;
  }
  auto split = SplitEvent(raw, checksum_);
  if (!split.ok()) return split.status().WithContext("source " + conn_.source_name() + ": binlog event");
  return std::optional<Event>(*split);
}

}  // namespace weft::source::mysql
