// Truncated and damaged events must come back as a Status, never as a crash or a read out of
// bounds (run under WEFT_SANITIZE=ON to make "never" mean something): every truncation length of
// every recorded event, and deterministic byte flips.
#include <doctest/doctest.h>

#include <cstdint>
#include <map>
#include <random>
#include <string>

#include "fixture_check.h"

namespace fx = weft::test::binlog_fixture;
namespace sm = weft::source::mysql;

namespace {

const std::string kDir = std::string(WEFT_SOURCE_DIR) + "/tests/data/binlog";

struct Corpus {
  std::vector<sm::Event> events;
  std::vector<std::string> storage;
  std::map<uint64_t, sm::TableMap> maps;
};

Corpus Load(const char* name) {
  Corpus c;
  fx::Fixture f = fx::DecodeAndCheck(kDir, name);
  c.storage = f.raw_events;
  for (const auto& raw : c.storage) {
    auto ev = sm::SplitEvent(raw, true);
    REQUIRE(ev.ok());
    c.events.push_back(*ev);
    if (ev->header.type == sm::event::kTableMap) {
      auto map = sm::DecodeTableMap(ev->body);
      REQUIRE(map.ok());
      c.maps[map->table_id] = *map;
    }
  }
  return c;
}

// Decodes `body` as an event of `type`; returns whether it decoded, and the row count.
bool Decode(const Corpus& c, uint8_t type, std::string_view body, size_t* rows_out) {
  if (type == sm::event::kTableMap) {
    auto map = sm::DecodeTableMap(body);
    if (map.ok()) (void)sm::SchemaFromTableMap(*map, {});
    return map.ok();
  }
  auto id = sm::RowsEventTableId(type, body);
  if (!id.ok()) return false;
  auto it = c.maps.find(*id);
  if (it == c.maps.end()) return false;
  auto schema = sm::SchemaFromTableMap(it->second, {"j"});
  std::vector<sm::DecodedRow> rows;
  bool ok = sm::DecodeRowsEvent(type, body, it->second, *schema, &rows).ok();
  if (rows_out) *rows_out = rows.size();
  return ok;
}

}  // namespace

TEST_CASE("hostile input: every truncation of every recorded event is refused or decodes less") {
  for (const char* name : {"types.json", "partial.json", "compressed.json", "old_temporal.json"}) {
    CAPTURE(name);
    Corpus c = Load(name);
    size_t refused = 0, checked = 0;
    for (const auto& ev : c.events) {
      if (ev.body.size() > 20000) continue;  // the >64 KiB event: quadratic, covered by the byte flips
      size_t full_rows = 0;
      REQUIRE(Decode(c, ev.header.type, ev.body, &full_rows));
      for (size_t len = 0; len < ev.body.size(); ++len) {
        std::string cut(ev.body.substr(0, len));  // a copy, so ASan sees reads past the end
        size_t rows = 0;
        bool ok = Decode(c, ev.header.type, cut, &rows);
        ++checked;
        if (!ok) {
          ++refused;
        } else if (ev.header.type != sm::event::kTableMap) {
          // Cut exactly between two rows: fewer rows, never the same event.
          CHECK_MESSAGE(rows < full_rows, sm::EventTypeName(ev.header.type) << " cut to " << len << " of "
                                                                            << ev.body.size() << " bytes decoded whole");
        }
      }
    }
    CHECK(checked > 200);
    CHECK(refused > checked / 2);
  }
}

TEST_CASE("hostile input: random byte flips never crash") {
  std::mt19937 rng(20261121);
  for (const char* name : {"types.json", "partial.json", "compressed.json"}) {
    CAPTURE(name);
    Corpus c = Load(name);
    size_t decoded = 0, refused = 0;
    for (const auto& ev : c.events) {
      for (int round = 0; round < 200; ++round) {
        std::string body(ev.body);
        int flips = 1 + static_cast<int>(rng() % 4);
        for (int k = 0; k < flips && !body.empty(); ++k) body[rng() % body.size()] = static_cast<char>(rng() & 0xff);
        size_t rows = 0;
        (Decode(c, ev.header.type, body, &rows) ? decoded : refused)++;
      }
    }
    CHECK(decoded + refused > 0);
    CHECK(refused > 0);
  }
}

TEST_CASE("hostile input: a damaged event fails its CRC32 check") {
  fx::Fixture f = fx::DecodeAndCheck(kDir, "partial.json");
  std::string raw = f.raw_events.at(1);
  REQUIRE(sm::SplitEvent(raw, true).ok());
  raw[25] = static_cast<char>(raw[25] ^ 0x01);
  auto ev = sm::SplitEvent(raw, true);
  REQUIRE_FALSE(ev.ok());
  CHECK(ev.status().code() == weft::core::Code::kCorruption);
  CHECK(ev.status().message().find("CRC32") != std::string::npos);
  // A header whose size disagrees with the bytes is refused before anything else.
  CHECK_FALSE(sm::ParseEventHeader(std::string_view(raw).substr(0, raw.size() - 1)).ok());
  CHECK_FALSE(sm::ParseEventHeader("short").ok());
}

TEST_CASE("hostile input: unsupported and mismatched events name the problem") {
  fx::Fixture f = fx::DecodeAndCheck(kDir, "partial.json");
  auto tm = sm::SplitEvent(f.raw_events.at(0), true);
  REQUIRE(tm.ok());
  REQUIRE(tm->header.type == sm::event::kTableMap);
  auto map = sm::DecodeTableMap(tm->body);
  REQUIRE(map.ok());
  auto schema = sm::SchemaFromTableMap(*map, {});
  std::vector<sm::DecodedRow> rows;
  // PARTIAL_UPDATE_ROWS is decoded now (mysql8_fixtures_test.cpp): an empty body is corrupt.
  auto partial = sm::DecodeRowsEvent(sm::event::kPartialUpdateRows, "", *map, *schema, &rows);
  CHECK(partial.code() == weft::core::Code::kCorruption);
  // A TRANSACTION_PAYLOAD is unpacked before its rows events reach the decoder.
  auto payload = sm::DecodeRowsEvent(sm::event::kTransactionPayload, "", *map, *schema, &rows);
  CHECK(payload.code() == weft::core::Code::kInvalidArgument);
  CHECK(payload.message().find("inner events") != std::string::npos);
  CHECK(sm::DecodeRowsEvent(sm::event::kQuery, "", *map, *schema, &rows).code() == weft::core::Code::kInvalidArgument);
  // A rows event decoded against another table's map is refused, not misdecoded.
  auto rows_ev = sm::SplitEvent(f.raw_events.at(1), true);
  REQUIRE(rows_ev.ok());
  sm::TableMap other = *map;
  other.table_id += 1;
  CHECK(sm::DecodeRowsEvent(rows_ev->header.type, rows_ev->body, other, *schema, &rows).code() ==
        weft::core::Code::kInvalidArgument);
}
