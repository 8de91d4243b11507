// The binlog file reader beyond the fixtures' own rows: a PARTIAL_UPDATE_ROWS event spliced with
// FULL before-images from the same recording (what a FULL-image server logs), and the errors a
// damaged, cut or foreign file gives (each naming the file and the event position).
#include <doctest/doctest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "mysql8_fixture_support.h"
#include "source/mysql/binlog/byte_reader.h"
#include "source/mysql/decode/row_decoder.h"
#include "source/mysql/decode/table_map.h"

namespace m8 = weft::test::mysql8;
namespace sm = weft::source::mysql;

namespace {

std::string Path(const std::string& stem) { return m8::kDir + "/binlogs/" + stem + ".binlog"; }

}  // namespace

namespace {

// The bytes of one row image of the 8.0.22 fixture's table t(id INT, json_col JSON, name
// VARCHAR(100), age INT) with `columns` present, read with the table's known layout.
std::string_view TakeImage(sm::ByteReader* r, const std::vector<int>& columns) {
  std::string_view start = r->rest();
  std::string_view nulls;
  REQUIRE(r->Bytes(1, &nulls));
  size_t j = 0;
  for (int col : columns) {
    if (sm::BitmapBit(nulls, j++)) continue;
    uint64_t len = 0;
    switch (col) {
      case 0: case 3: REQUIRE(r->Skip(4)); break;
      case 1: REQUIRE(r->LE(4, &len)); REQUIRE(r->Skip(len)); break;
      case 2: REQUIRE(r->LE(2, &len)); REQUIRE(r->Skip(len)); break;  // VARCHAR(100) utf8mb4: 400 bytes
    }
  }
  return start.substr(0, start.size() - r->rest().size());
}

}  // namespace

TEST_CASE("mysql8 fixture 8.0.22 PARTIAL_UPDATE_ROWS with a FULL before-image: the diffs give the whole document") {
  // The recorded PARTIAL_UPDATE_ROWS (binlog_row_image=MINIMAL: before = id only) is spliced with
  // the full rows the UPDATE_ROWS_V2 before it left (its after-images), as a FULL-image server
  // would log them; the recorded value_options, partial bitmap and diff after-images stay as they
  // are. The generated columns (name = json->>'$.name', age = json->'$.age') are the check.
  auto file = sm::BinlogFile::Open(Path("mysql-8.0.22-json-partial-update"));
  REQUIRE(file.ok());
  std::string table_map, update, partial;
  while (true) {
    auto ev = (*file)->Next();
    REQUIRE(ev.ok());
    if (!ev->has_value()) break;
    const uint64_t at = (*file)->event_position();
    if (at == 2553) table_map = std::string((**ev).body);
    if (at == 2612) update = std::string((**ev).body);
    if (at == 3750) partial = std::string((**ev).body);
  }
  REQUIRE(!table_map.empty());
  REQUIRE(!update.empty());
  REQUIRE(!partial.empty());
  auto map = sm::DecodeTableMap(table_map, sm::ServerFlavor::kMySQL);
  REQUIRE(map.ok());
  auto schema = sm::SchemaFromTableMap(*map, {});

  // UPDATE_ROWS_V2: post-header 10, count, two bitmaps (all 4 columns), then before/after pairs.
  sm::ByteReader u(update);
  REQUIRE(u.Skip(10 + 1 + 1 + 1));
  std::vector<std::string> full_rows;
  while (!u.empty()) {
    TakeImage(&u, {0, 1, 2, 3});
    full_rows.emplace_back(TakeImage(&u, {0, 1, 2, 3}));
  }
  REQUIRE(full_rows.size() == 6);

  // PARTIAL_UPDATE_ROWS: before bitmap {id}, after bitmap {json_col, name, age}.
  sm::ByteReader p(partial);
  std::string_view head;
  REQUIRE(p.Bytes(10 + 1, &head));
  std::string_view before_bits, after_bits;
  REQUIRE(p.Bytes(1, &before_bits));
  REQUIRE(p.Bytes(1, &after_bits));
  REQUIRE(static_cast<uint8_t>(before_bits[0]) == 0x01);
  std::string spliced = std::string(head) + "\x0f" + std::string(after_bits);
  for (size_t k = 0; !p.empty(); ++k) {
    REQUIRE(k < full_rows.size());
    TakeImage(&p, {0});  // the recorded PK-only before-image, replaced by the full row
    std::string_view options_start = p.rest();
    uint64_t value_options = 0;
    REQUIRE(p.PackedInt(&value_options));
    REQUIRE(value_options == 1);  // PARTIAL_JSON_UPDATES
    REQUIRE(p.Skip(1));           // one bit per JSON column: one byte
    TakeImage(&p, {1, 2, 3});
    spliced += full_rows[k];
    spliced += std::string(options_start.substr(0, options_start.size() - p.rest().size()));
  }
  std::vector<sm::DecodedRow> rows;
  auto st = sm::DecodeRowsEvent(sm::event::kPartialUpdateRows, spliced, *map, *schema, &rows);
  REQUIRE_MESSAGE(st.ok(), st.ToString());
  REQUIRE(rows.size() == 6);
  const char* names[] = {"Joe", "Sue", "Pete", "Joe", "Sue", "Pete"};
  const int ages[] = {26, 34, 42, 26, 34, 42};
  const char* data[] = {"xxxxxxxxxx", "yyyyyyyyyy", "zzzzzzzzzz", "xxxxxxxxxx", "yyyyyyyyyy", "zzzzzzzzzz"};
  for (size_t k = 0; k < 6; ++k) {
    CAPTURE(k);
    const auto& after = rows[k].after;
    REQUIRE(after.Has(1));
    CHECK(after.values[1].text() == "{\"age\": " + std::to_string(ages[k]) + ", \"data\": \"" + data[k] +
                                        "\", \"name\": \"" + names[k] + "\"}");
    CHECK(after.values[3] == weft::change::Value::Int(ages[k]));  // the generated column agrees
    CHECK(rows[k].before.values[1].text().find("\"age\": " + std::to_string(ages[k] - 1) + ",") != std::string::npos);
  }
}

namespace {

std::string WriteTemp(const std::string& name, const std::string& bytes) {
  std::string dir = "/tmp/weft-binlog-file-test-" + std::to_string(getpid());
  std::filesystem::create_directories(dir);
  std::string path = dir + "/" + name;
  std::ofstream(path, std::ios::binary) << bytes;
  return path;
}

}  // namespace

TEST_CASE("binlog file reader: errors name the file and the event position") {
  const std::string good = m8::ReadAll(Path("mysql-8.0.28-enum-set-char-text-gtid"));
  REQUIRE(good.size() == 3331);
  auto fail = [&](const std::string& bytes) {
    std::string path = WriteTemp("binlog.000042", bytes);
    auto st = sm::ReadBinlogFile(path, "t", [](weft::source::SourceBatch&&) { return true; }, nullptr);
    std::filesystem::remove(path);
    return st;
  };
  // A flipped byte inside the WRITE_ROWS event at 1077: its CRC32 no longer matches.
  std::string damaged = good;
  damaged[1077 + 40] ^= 0x01;
  auto st = fail(damaged);
  CHECK(st.code() == weft::core::Code::kCorruption);
  CHECK_MESSAGE(st.message().find("binlog.000042 at 1077: ") == 0, st.message());
  CHECK(st.message().find("CRC32") != std::string::npos);
  // Cut inside an event: the file ends there (a file still being written).
  st = fail(good.substr(0, 1100));
  CHECK(st.code() == weft::core::Code::kCorruption);
  CHECK_MESSAGE(st.message().find("binlog.000042 at 1077: ") == 0, st.message());
  CHECK(st.message().find("runs past the end") != std::string::npos);
  // Not a binlog at all.
  st = fail("hello world");
  CHECK(st.code() == weft::core::Code::kCorruption);
  CHECK(st.message().find("not a binlog file") != std::string::npos);
  // Missing file.
  st = sm::ReadBinlogFile("/nonexistent/binlog.1", "t", [](weft::source::SourceBatch&&) { return true; }, nullptr);
  CHECK(st.code() == weft::core::Code::kInvalidArgument);
  CHECK(st.message().find("/nonexistent/binlog.1") != std::string::npos);
  // The whole file, cut exactly between events, reads fine (what a server writing it looks like).
  std::string path = WriteTemp("binlog.000043", good.substr(0, 1529));
  std::vector<weft::change::Change> got;
  CHECK(sm::ReadBinlogFile(path, "t", [&](weft::source::SourceBatch&& b) {
          for (auto& c : b.changes) got.push_back(std::move(c));
          return true;
        }, nullptr).ok());
  std::filesystem::remove(path);
  CHECK(got.size() == 2);  // the two DDL statements; the insert's transaction has no XID yet
}
