#include "source/mysql/binlog/binlog_event.h"

#include "source/mysql/binlog/byte_reader.h"

namespace weft::source::mysql {

std::string EventTypeName(uint8_t type) {
  switch (type) {
    case event::kQuery: return "QUERY_EVENT";
    case event::kStop: return "STOP_EVENT";
    case event::kRotate: return "ROTATE_EVENT";
    case event::kFormatDescription: return "FORMAT_DESCRIPTION_EVENT";
    case event::kXid: return "XID_EVENT";
    case event::kTableMap: return "TABLE_MAP_EVENT";
    case event::kWriteRowsV1: return "WRITE_ROWS_EVENT_V1";
    case event::kUpdateRowsV1: return "UPDATE_ROWS_EVENT_V1";
    case event::kDeleteRowsV1: return "DELETE_ROWS_EVENT_V1";
    case event::kHeartbeat: return "HEARTBEAT_LOG_EVENT";
    case event::kRowsQuery: return "ROWS_QUERY_LOG_EVENT";
    case event::kWriteRowsV2: return "WRITE_ROWS_EVENT";
    case event::kUpdateRowsV2: return "UPDATE_ROWS_EVENT";
    case event::kDeleteRowsV2: return "DELETE_ROWS_EVENT";
    case event::kMysqlGtid: return "GTID_LOG_EVENT";
    case event::kMysqlAnonymousGtid: return "ANONYMOUS_GTID_LOG_EVENT";
    case event::kMysqlPreviousGtids: return "PREVIOUS_GTIDS_LOG_EVENT";
    case event::kPartialUpdateRows: return "PARTIAL_UPDATE_ROWS_EVENT";
    case event::kTransactionPayload: return "TRANSACTION_PAYLOAD_EVENT";
    case event::kGtidTagged: return "GTID_TAGGED_LOG_EVENT";
    case event::kIntvar: return "INTVAR_EVENT";
    case event::kUserVar: return "USER_VAR_EVENT";
    case event::kXaPrepare: return "XA_PREPARE_LOG_EVENT";
    case event::kAnnotateRows: return "ANNOTATE_ROWS_EVENT";
    case event::kBinlogCheckpoint: return "BINLOG_CHECKPOINT_EVENT";
    case event::kMariadbGtid: return "GTID_EVENT";
    case event::kMariadbGtidList: return "GTID_LIST_EVENT";
    case event::kQueryCompressed: return "QUERY_COMPRESSED_EVENT";
    case event::kWriteRowsCompressedV1: return "WRITE_ROWS_COMPRESSED_EVENT_V1";
    case event::kUpdateRowsCompressedV1: return "UPDATE_ROWS_COMPRESSED_EVENT_V1";
    case event::kDeleteRowsCompressedV1: return "DELETE_ROWS_COMPRESSED_EVENT_V1";
    case event::kWriteRowsCompressed: return "WRITE_ROWS_COMPRESSED_EVENT";
    case event::kUpdateRowsCompressed: return "UPDATE_ROWS_COMPRESSED_EVENT";
    case event::kDeleteRowsCompressed: return "DELETE_ROWS_COMPRESSED_EVENT";
    default: return "UNKNOWN_EVENT(" + std::to_string(type) + ")";
  }
}

RowsEventTraits RowsEventTraitsOf(uint8_t type) {
  switch (type) {
    case event::kWriteRowsV1: return {RowsKind::kWrite, false, false};
    case event::kUpdateRowsV1: return {RowsKind::kUpdate, false, false};
    case event::kDeleteRowsV1: return {RowsKind::kDelete, false, false};
    case event::kWriteRowsV2: return {RowsKind::kWrite, true, false};
    case event::kUpdateRowsV2: return {RowsKind::kUpdate, true, false};
    case event::kDeleteRowsV2: return {RowsKind::kDelete, true, false};
    case event::kPartialUpdateRows: return {RowsKind::kUpdate, true, false, true};
    case event::kWriteRowsCompressedV1: return {RowsKind::kWrite, false, true};
    case event::kUpdateRowsCompressedV1: return {RowsKind::kUpdate, false, true};
    case event::kDeleteRowsCompressedV1: return {RowsKind::kDelete, false, true};
    case event::kWriteRowsCompressed: return {RowsKind::kWrite, true, true};
    case event::kUpdateRowsCompressed: return {RowsKind::kUpdate, true, true};
    case event::kDeleteRowsCompressed: return {RowsKind::kDelete, true, true};
    default: return {};
  }
}

core::Result<EventHeader> ParseEventHeader(std::string_view raw) {
  ByteReader r(raw);
  EventHeader h;
  uint64_t v = 0;
  if (raw.size() < kCommonHeaderLength) {
    return core::Corruption("binlog event of " + std::to_string(raw.size()) +
                            " bytes is shorter than the 19-byte common header");
  }
  r.LE(4, &v), h.timestamp = static_cast<uint32_t>(v);
  r.U8(&h.type);
  r.LE(4, &v), h.server_id = static_cast<uint32_t>(v);
  r.LE(4, &v), h.event_size = static_cast<uint32_t>(v);
  r.LE(4, &v), h.log_pos = static_cast<uint32_t>(v);
  r.LE(2, &v), h.flags = static_cast<uint16_t>(v);
  if (h.event_size != raw.size()) {
    return core::Corruption(EventTypeName(h.type) + " at log_pos " + std::to_string(h.log_pos) +
                            ": header says " + std::to_string(h.event_size) + " bytes, got " +
                            std::to_string(raw.size()));
  }
  return h;
}

core::Result<Event> SplitEvent(std::string_view raw, bool has_checksum) {
  WEFT_ASSIGN_OR_RETURN(EventHeader header, ParseEventHeader(raw));
  Event ev;
  ev.header = header;
  std::string_view body = raw.substr(kCommonHeaderLength);
  if (has_checksum) {
    if (body.size() < kChecksumLength) {
      return core::Corruption(EventTypeName(header.type) + " at log_pos " + std::to_string(header.log_pos) +
                              " is too short to carry its CRC32 checksum");
    }
    std::string_view covered = raw.substr(0, raw.size() - kChecksumLength);
    ByteReader trailer(raw.substr(raw.size() - kChecksumLength));
    uint64_t stored = 0;
    trailer.LE(4, &stored);
    uint32_t computed = BinlogCrc32(covered);
    if (computed != stored) {
      return core::Corruption(EventTypeName(header.type) + " at log_pos " + std::to_string(header.log_pos) +
                              ": CRC32 checksum mismatch (the event was damaged in transit or on disk)");
    }
    body.remove_suffix(kChecksumLength);
  }
  ev.body = body;
  return ev;
}

int FormatDescription::PostHeaderLength(uint8_t type) const {
  if (type == 0 || type > post_header_lengths.size()) return -1;
  return post_header_lengths[type - 1];
}

core::Result<FormatDescription> ParseFormatDescription(std::string_view raw) {
  WEFT_ASSIGN_OR_RETURN(EventHeader header, ParseEventHeader(raw));
  if (header.type != event::kFormatDescription) {
    return core::InvalidArgument("expected a FORMAT_DESCRIPTION_EVENT, got " + EventTypeName(header.type));
  }
  // binlog_version(2) server_version(50) create_timestamp(4) header_length(1) lengths(n) alg(1) crc(4)
  constexpr size_t kFixed = 2 + 50 + 4 + 1;
  std::string_view body = raw.substr(kCommonHeaderLength);
  if (body.size() < kFixed + 1 + kChecksumLength) {
    return core::Corruption("FORMAT_DESCRIPTION_EVENT of " + std::to_string(raw.size()) + " bytes is too short");
  }
  ByteReader r(body);
  FormatDescription fde;
  uint64_t v = 0;
  std::string_view version;
  r.LE(2, &v), fde.binlog_version = static_cast<uint16_t>(v);
  r.Bytes(50, &version);
  fde.server_version = std::string(version.substr(0, version.find('\0')));
  r.LE(4, &v), fde.create_timestamp = static_cast<uint32_t>(v);
  r.U8(&fde.header_length);
  std::string_view lengths;
  r.Bytes(r.remaining() - 1 - kChecksumLength, &lengths);
  fde.post_header_lengths.assign(lengths.begin(), lengths.end());
  uint8_t alg = 0;
  r.U8(&alg);
  fde.checksum = alg == 0 ? ChecksumAlgorithm::kOff
                 : alg == 1 ? ChecksumAlgorithm::kCrc32
                            : ChecksumAlgorithm::kUndefined;
  if (fde.checksum == ChecksumAlgorithm::kUndefined) {
    return core::Corruption("FORMAT_DESCRIPTION_EVENT names unknown checksum algorithm " + std::to_string(alg) +
                            " (server " + fde.server_version + ")");
  }
  if (fde.checksum == ChecksumAlgorithm::kCrc32) {
    auto split = SplitEvent(raw, true);
    // A binlog FILE still open (or not closed cleanly) has LOG_EVENT_BINLOG_IN_USE_F set in its
    // FDE, but the server computed the CRC32 before setting the flag: check with it cleared.
    if (!split.ok() && (header.flags & kBinlogInUseFlag) != 0) {
      std::string cleared(raw);
      cleared[kFlagsOffset] = static_cast<char>(cleared[kFlagsOffset] & ~kBinlogInUseFlag);
      split = SplitEvent(cleared, true);
    }
    if (!split.ok()) return split.status();
  }
  if (fde.header_length != kCommonHeaderLength) {
    return core::FailedPrecondition("server " + fde.server_version + " writes binlog event headers of " +
                                    std::to_string(fde.header_length) + " bytes; weft reads 19-byte headers "
                                    "(binlog version 4, MySQL 5.6+ / MariaDB 10.x)");
  }
  return fde;
}

core::Status CheckPostHeaderLengths(const FormatDescription& fde) {
  struct Expect { uint8_t type; int length; };
  const Expect expected[] = {
      {event::kTableMap, kTableMapPostHeaderLength},  {event::kWriteRowsV1, kRowsV1PostHeaderLength},
      {event::kUpdateRowsV1, kRowsV1PostHeaderLength}, {event::kDeleteRowsV1, kRowsV1PostHeaderLength},
      {event::kWriteRowsV2, kRowsV2PostHeaderLength},  {event::kUpdateRowsV2, kRowsV2PostHeaderLength},
      {event::kDeleteRowsV2, kRowsV2PostHeaderLength},
      {event::kWriteRowsCompressedV1, kRowsV1PostHeaderLength},
      {event::kUpdateRowsCompressedV1, kRowsV1PostHeaderLength},
      {event::kDeleteRowsCompressedV1, kRowsV1PostHeaderLength},
      {event::kWriteRowsCompressed, kRowsV2PostHeaderLength},
      {event::kUpdateRowsCompressed, kRowsV2PostHeaderLength},
      {event::kDeleteRowsCompressed, kRowsV2PostHeaderLength},
  };
  for (const auto& e : expected) {
    int got = fde.PostHeaderLength(e.type);
    // A server that does not list a type, or lists it as 0, never writes it (MySQL and the
    // MariaDB-only compressed types).
    if (got > 0 && got != e.length) {
      return core::FailedPrecondition("server " + fde.server_version + " announces a " + std::to_string(got) +
                                      "-byte post-header for " + EventTypeName(e.type) + "; weft decodes the " +
                                      std::to_string(e.length) + "-byte form of MySQL 5.6+ / MariaDB 10.x");
    }
  }
  return core::Status::Ok();
}

}  // namespace weft::source::mysql
