// `weft tail --binlog-file` on MariaDB: the recorded MariaDB 10.11 events (tests/data/binlog) laid
// out as a binlog file (magic, their FORMAT_DESCRIPTION, each step's events and an XID closing it)
// read through the file reader + TransactionAssembler give the same row images, in the same order,
// as the row decoder the recorded-fixture tests check against SELECT (fixture_check.h).
#include <doctest/doctest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "fixture_check.h"
#include "source/mysql/binlog/binlog_file.h"

namespace fx = weft::test::binlog_fixture;
namespace sm = weft::source::mysql;

namespace {

std::string Xid(uint32_t log_pos) {
  std::string ev(19 + 8, '\0');
  ev[4] = static_cast<char>(sm::event::kXid);
  const uint32_t size = 19 + 8 + 4;
  for (int i = 0; i < 4; ++i) ev[9 + i] = static_cast<char>((size >> (8 * i)) & 0xff);
  for (int i = 0; i < 4; ++i) ev[13 + i] = static_cast<char>((log_pos >> (8 * i)) & 0xff);
  const uint32_t crc = sm::BinlogCrc32(ev);
  for (int i = 0; i < 4; ++i) ev.push_back(static_cast<char>((crc >> (8 * i)) & 0xff));
  return ev;
}

bool SameValue(const weft::change::Value& a, const weft::change::Value& b) {
  if (a == b) return true;
  // The file reader has no information_schema: MariaDB JSON (LONGTEXT) columns come out as text.
  using weft::change::ValueKind;
  auto textual = [](ValueKind k) { return k == ValueKind::kJson || k == ValueKind::kString; };
  return textual(a.kind()) && textual(b.kind()) && a.text() == b.text();
}

}  // namespace

TEST_CASE("binlog file reader on MariaDB: the recorded events as a file decode like the row decoder") {
  const std::string dir = std::string(WEFT_SOURCE_DIR) + "/tests/data/binlog";
  for (const char* name : {"types.json", "partial.json", "compressed.json", "old_temporal.json"}) {
    CAPTURE(name);
    fx::Fixture f = fx::DecodeAndCheck(dir, name);
    std::string file = "\xfe" "bin";
    file += fx::Unhex(f.doc["format_description"]);
    size_t raw = 0;
    for (const auto& step : f.doc["steps"]) {
      for (size_t e = 0; e < step["events"].size(); ++e) file += f.raw_events.at(raw++);
      file += Xid(static_cast<uint32_t>(file.size() + 31));
    }
    const std::string path = "/tmp/weft-mariadb-file-" + std::to_string(getpid()) + ".bin";
    std::ofstream(path, std::ios::binary) << file;
    std::vector<weft::change::Change> got;
    auto st = sm::ReadBinlogFile(path, "t", [&](weft::source::SourceBatch&& b) {
      for (auto& c : b.changes) got.push_back(std::move(c));
      return true;
    }, nullptr);
    std::filesystem::remove(path);
    REQUIRE_MESSAGE(st.ok(), st.ToString());
    REQUIRE(got.size() == f.changes.size());
    size_t compared = 0;
    for (size_t i = 0; i < got.size(); ++i) {
      const auto& want = f.changes[i].row;
      for (auto [g, w] : {std::pair{&got[i].before, &want.before}, std::pair{&got[i].after, &want.after}}) {
        REQUIRE(g->values.size() == w->values.size());
        CHECK(g->present == w->present);
        for (size_t c = 0; c < g->values.size(); ++c) {
          CHECK_MESSAGE(SameValue(g->values[c], w->values[c]), got[i].source.table << " record " << i << " column " << c);
          ++compared;
        }
      }
    }
    CHECK(compared > 0);
  }
}
