// libFuzzer target for the binlog decoders: TABLE_MAP, rows events against the decoded map, and
// MySQL binary JSON. Built only with -DWEFT_FUZZ=ON and clang (tests/fuzz/CMakeLists.txt).
//
// Input layout: byte 0 picks the mode.
//   0: the rest is a TABLE_MAP body.
//   1: the rest is binary JSON.
//   2+: [2 bytes LE n][n bytes TABLE_MAP body][1 byte event type selector][rows event body]; the map
//       must decode, then the rows body is decoded against it (selector % 12 picks one of the 12
//       rows event types, so every framing is reached).
// Seed corpus: tests/fuzz/make_corpus.py writes one file per recorded fixture event.
// Beyond "no crash": every value of every decoded row renders (change::AppendJson, what `weft tail`
// and the JSONL/SQLite sinks write) to text that parses as JSON, whatever the bytes were. The one
// exception is a MariaDB JSON column (a LONGTEXT the server checks with JSON_VALID): its text is
// embedded as the server stored it, so arbitrary bytes there render as they are.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "change/json_parse.h"
#include "change/value.h"
#include "source/mysql/binlog/binlog_event.h"
#include "source/mysql/decode/json_binary.h"
#include "source/mysql/decode/row_decoder.h"
#include "source/mysql/decode/table_map.h"

namespace sm = weft::source::mysql;

namespace {

void CheckRendersAsJson(const weft::change::RowImage& image, const sm::TableMap& map) {
  for (size_t i = 0; i < image.values.size(); ++i) {
    const auto& value = image.values[i];
    bool server_text_json = value.kind() == weft::change::ValueKind::kJson &&
                            (i >= map.types.size() || map.types[i] != sm::type::kJson);
    if (server_text_json) continue;
    std::string json = weft::change::ToJson(value);
    if (!weft::change::ParseJsonValue(json).ok()) {
      std::fprintf(stderr, "row_decoder_fuzz: a decoded %s value renders as invalid JSON: %s\n",
                   weft::change::ValueKindName(value.kind()), json.c_str());
      std::abort();
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  std::string_view in(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0]) {
    case 0: {
      auto map = sm::DecodeTableMap(in, sm::ServerFlavor::kMariaDB);
      if (map.ok()) (void)sm::SchemaFromTableMap(*map, {});
      (void)sm::DecodeTableMap(in, sm::ServerFlavor::kMySQL);
      return 0;
    }
    case 1: {
      std::string out;
      (void)sm::MysqlJsonToText(in, &out);
      return 0;
    }
    default: {
      if (in.size() < 3) return 0;
      size_t n = static_cast<uint8_t>(in[0]) | static_cast<size_t>(static_cast<uint8_t>(in[1])) << 8;
      in.remove_prefix(2);
      if (n + 1 > in.size()) return 0;
      auto map = sm::DecodeTableMap(in.substr(0, n));
      if (!map.ok()) return 0;
      static const uint8_t kTypes[] = {
          sm::event::kWriteRowsV1, sm::event::kUpdateRowsV1, sm::event::kDeleteRowsV1,
          sm::event::kWriteRowsV2, sm::event::kUpdateRowsV2, sm::event::kDeleteRowsV2,
          sm::event::kWriteRowsCompressedV1, sm::event::kUpdateRowsCompressedV1, sm::event::kDeleteRowsCompressedV1,
          sm::event::kWriteRowsCompressed, sm::event::kUpdateRowsCompressed, sm::event::kDeleteRowsCompressed};
      uint8_t type = kTypes[static_cast<uint8_t>(in[n]) % 12];
      std::string_view rows_body = in.substr(n + 1);
      // Selectors with the high bit set mark every column JSON, so the JSON rendering path is reached.
      std::vector<std::string> json_columns;
      if (static_cast<uint8_t>(in[n]) & 0x80) json_columns = map->names;
      auto schema = sm::SchemaFromTableMap(*map, json_columns);
      (void)sm::RowsEventTableId(type, rows_body);
      std::vector<sm::DecodedRow> rows;
      (void)sm::DecodeRowsEvent(type, rows_body, *map, *schema, &rows);
      for (const auto& row : rows) {
        CheckRendersAsJson(row.before, *map);
        CheckRendersAsJson(row.after, *map);
      }
      return 0;
    }
  }
}
