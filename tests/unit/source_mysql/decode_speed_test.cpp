// A quick loop over the recorded rows events to see the decoder's rate; not a timed assertion
// (skipped by default: run `unit_source_mysql --no-skip -tc='*speed*'` in a release build).
#include <doctest/doctest.h>

#include <chrono>

#include "fixture_check.h"

namespace fx = weft::test::binlog_fixture;
namespace sm = weft::source::mysql;

TEST_CASE("decode speed over the recorded events" * doctest::skip()) {
  for (const char* name : {"types.json", "partial.json", "compressed.json"}) {
    fx::Fixture f = fx::DecodeAndCheck(std::string(WEFT_SOURCE_DIR) + "/tests/data/binlog", name);
    struct Item { sm::Event ev; const sm::TableMap* map; weft::change::TableSchemaPtr schema; };
    std::map<uint64_t, sm::TableMap> maps;
    std::vector<Item> items;
    size_t bytes = 0;
    for (const auto& raw : f.raw_events) {
      auto ev = sm::SplitEvent(raw, true);
      REQUIRE(ev.ok());
      if (ev->header.type == sm::event::kTableMap) {
        auto map = sm::DecodeTableMap(ev->body);
        REQUIRE(map.ok());
        maps[map->table_id] = *map;
        continue;
      }
      const sm::TableMap& map = maps[*sm::RowsEventTableId(ev->header.type, ev->body)];
      items.push_back({*ev, &map, sm::SchemaFromTableMap(map, {})});
      bytes += ev->body.size();
    }
    size_t rows = 0, rounds = 0;
    auto start = std::chrono::steady_clock::now();
    double seconds = 0;
    while (seconds < 1.0) {
      for (const auto& it : items) {
        std::vector<sm::DecodedRow> out;
        REQUIRE(sm::DecodeRowsEvent(it.ev.header.type, it.ev.body, *it.map, *it.schema, &out).ok());
        rows += out.size();
      }
      ++rounds;
      seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    }
    MESSAGE(std::string(name) << ": " << static_cast<uint64_t>(rows / seconds) << " rows/s, "
                 << (bytes * rounds / seconds / 1e6) << " MB/s of rows-event bodies");
  }
}
