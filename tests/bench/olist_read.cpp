// olist_read: weft's own binlog reading path, without the pipeline, for the "reading" benchmark.
//   olist_read --port P [--host H] --user U [--password W] --file F --start POS --mode fetch|decode
// Reads F:POS to the current end of the binlog through weft's BinlogStream (replication connection,
// CRC32 verified, events split). --mode decode also decodes every TABLE_MAP and every rows event into
// row images (source/mysql/table_map.h, row_decoder.h), as weft's source does before building change
// records. Prints {"mode", "events", "rows", "bytes", "seconds", "events_per_s", "rows_per_s"}.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>
#include <unordered_map>
#include <vector>

#include "source/mysql/binlog/binlog_event.h"
#include "source/mysql/binlog/binlog_stream.h"
#include "source/mysql/decode/row_decoder.h"
#include "source/mysql/decode/table_map.h"

namespace mysql = weft::source::mysql;

namespace {

[[noreturn]] void Die(const std::string& why) {
  std::fprintf(stderr, "olist_read: %s\n", why.c_str());
  std::exit(1);
}

struct Table {
  std::string body;  // the TABLE_MAP body `map` was decoded from
  mysql::TableMap map;
  weft::change::TableSchemaPtr schema;
  std::vector<mysql::ColumnCodec> codecs;  // made once per map, as the source does
};

}  // namespace

int main(int argc, char** argv) {
  std::map<std::string, std::string> o{{"host", "127.0.0.1"}, {"mode", "decode"}};
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strncmp(argv[i], "--", 2) != 0) Die(std::string("bad argument ") + argv[i]);
    o[argv[i] + 2] = argv[i + 1];
  }
  const bool decode = o["mode"] == "decode";
  weft::config::SourceConfig config;
  config.name = "bench";
  config.host = o["host"];
  config.port = std::atoi(o["port"].c_str());
  config.user = o["user"];
  config.password = o["password"];
  config.server_id = 5497;
  mysql::Position start;
  start.file = o["file"];
  start.pos = std::strtoull(o["start"].c_str(), nullptr, 10);
  mysql::StreamOptions options;
  options.non_blocking = true;

  auto began = std::chrono::steady_clock::now();
  auto stream = mysql::BinlogStream::Open(config, start, options, nullptr);
  if (!stream.ok()) Die(stream.status().message());
  int64_t events = 0, rows = 0;
  std::unordered_map<uint64_t, Table> tables;
  std::vector<mysql::DecodedRow> decoded;
  for (;;) {
    auto next = (*stream)->Next();
    if (!next.ok()) Die(next.status().message());
    if (!next->has_value()) break;
    const mysql::Event& event = **next;
    ++events;
    if (!decode) continue;
    if (event.header.type == mysql::event::kTableMap) {
      // MariaDB logs every transaction's table map again; weft's source (TransactionAssembler)
      // decodes a map only when its bytes differ from the cached one for that table id: so here.
      if (event.body.size() >= 6) {
        uint64_t id = 0;
        for (int i = 5; i >= 0; --i) id = (id << 8) | static_cast<uint8_t>(event.body[i]);
        auto known = tables.find(id);
        if (known != tables.end() && known->second.body == event.body) continue;
      }
      auto map = mysql::DecodeTableMap(event.body);
      if (!map.ok()) Die(map.status().message());
      Table& table = tables[map->table_id];
      // The schema is rebuilt only when the table's map changes, as a reader caching it would.
      if (!table.schema || table.map.names != map->names || table.map.types != map->types) {
        table.schema = mysql::SchemaFromTableMap(*map, {});
      }
      table.map = std::move(map).value();
      table.body = std::string(event.body);
      table.codecs = mysql::MakeColumnCodecs(table.map, *table.schema);
    } else if (mysql::RowsEventTraitsOf(event.header.type).kind != mysql::RowsKind::kNone) {
      auto id = mysql::RowsEventTableId(event.header.type, event.body);
      if (!id.ok()) Die(id.status().message());
      if (*id == mysql::kDummyTableId) continue;
      auto it = tables.find(*id);
      if (it == tables.end()) Die("rows event without its TABLE_MAP");
      decoded.clear();
      auto status = mysql::DecodeRowsEvent(event.header.type, event.body, it->second.map, *it->second.schema,
                                           it->second.codecs, &decoded);
      if (!status.ok()) Die(status.message());
      rows += static_cast<int64_t>(decoded.size());
    }
  }
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count();
  std::printf("{\"mode\": \"%s\", \"events\": %lld, \"rows\": %lld, \"bytes\": %llu, \"seconds\": %.6f, "
              "\"events_per_s\": %.1f, \"rows_per_s\": %.1f}\n",
              decode ? "decode" : "fetch", static_cast<long long>(events), static_cast<long long>(rows),
              static_cast<unsigned long long>((*stream)->bytes_received()), seconds, events / seconds,
              rows / seconds);
  return 0;
}
