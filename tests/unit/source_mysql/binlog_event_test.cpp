#include <doctest/doctest.h>

#include "fixture_check.h"
#include "source/mysql/binlog/binlog_event.h"

namespace fx = weft::test::binlog_fixture;
namespace sm = weft::source::mysql;

TEST_CASE("binlog event: the recorded FORMAT_DESCRIPTION_EVENT") {
  std::string raw =
      fx::Unhex(nlohmann::json::parse(fx::ReadAll(std::string(WEFT_SOURCE_DIR) + "/tests/data/binlog/types.json"))
                    ["format_description"]);
  auto fde = sm::ParseFormatDescription(raw);
  REQUIRE_MESSAGE(fde.ok(), fde.status().ToString());
  CHECK(fde->binlog_version == 4);
  CHECK(fde->is_mariadb());
  CHECK(fde->server_version.rfind("10.11.", 0) == 0);
  CHECK(fde->header_length == 19);
  CHECK(fde->checksum == sm::ChecksumAlgorithm::kCrc32);
  CHECK(fde->PostHeaderLength(sm::event::kTableMap) == 8);
  CHECK(fde->PostHeaderLength(sm::event::kWriteRowsV1) == 8);
  CHECK(sm::CheckPostHeaderLengths(*fde).ok());

  // A server announcing another TABLE_MAP post-header length is refused with a message naming it.
  sm::FormatDescription odd = *fde;
  odd.post_header_lengths[sm::event::kTableMap - 1] = 6;
  weft::core::Status s = sm::CheckPostHeaderLengths(odd);
  CHECK(s.code() == weft::core::Code::kFailedPrecondition);
  CHECK(s.message().find("TABLE_MAP_EVENT") != std::string::npos);

  // The FDE's own CRC is verified.
  raw[30] = static_cast<char>(raw[30] ^ 0x40);
  CHECK_FALSE(sm::ParseFormatDescription(raw).ok());
}

TEST_CASE("binlog event: header fields and CRC32") {
  // CRC-32 check value of "123456789".
  CHECK(sm::BinlogCrc32("123456789") == 0xCBF43926u);
  std::string raw = fx::Unhex(
      nlohmann::json::parse(fx::ReadAll(std::string(WEFT_SOURCE_DIR) + "/tests/data/binlog/partial.json"))["steps"][0]
                                                                                                      ["events"][0]["hex"]);
  auto h = sm::ParseEventHeader(raw);
  REQUIRE(h.ok());
  CHECK(h->type == sm::event::kTableMap);
  CHECK(h->server_id == 1);
  CHECK(h->event_size == raw.size());
  auto ev = sm::SplitEvent(raw, true);
  REQUIRE(ev.ok());
  CHECK(ev->body.size() == raw.size() - 19 - 4);
  CHECK(sm::EventTypeName(sm::event::kWriteRowsCompressedV1) == "WRITE_ROWS_COMPRESSED_EVENT_V1");
  CHECK(sm::EventTypeName(200) == "UNKNOWN_EVENT(200)");
  CHECK(sm::RowsEventTraitsOf(sm::event::kUpdateRowsV2).v2);
  CHECK(sm::RowsEventTraitsOf(sm::event::kDeleteRowsCompressed).compressed);
  CHECK(sm::RowsEventTraitsOf(sm::event::kPartialUpdateRows).kind == sm::RowsKind::kUpdate);
  CHECK(sm::RowsEventTraitsOf(sm::event::kPartialUpdateRows).partial_json);
  CHECK(!sm::RowsEventTraitsOf(sm::event::kUpdateRowsV2).partial_json);
}
