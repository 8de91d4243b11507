// libFuzzer target for the MySQL 8/9 decoders: binary JSON (text and tree renderings must agree and
// parse as JSON), partial-JSON diffs applied to a document, TRANSACTION_PAYLOAD inflation and inner
// event framing, GTID events, PREVIOUS_GTIDS and GTID-set text, and whole event sequences through
// the TransactionAssembler (payloads, PARTIAL_UPDATE_ROWS, tagged GTIDs on the path the live source
// and `weft tail --binlog-file` use). Built only with -DWEFT_FUZZ=ON and clang.
//
// Input layout: byte 0 picks the mode (mod 5).
//   0: binary JSON.   1: [2 bytes LE n][n bytes binary JSON][diff vector].
//   2: a TRANSACTION_PAYLOAD body.   3: [event type byte][GTID / PREVIOUS_GTIDS body], also as GTID-set text.
//   4: a sequence of events (19-byte headers, no CRC) fed to a TransactionAssembler capturing everything.
// Seeds: tests/fuzz/make_mysql8_seeds.py (the recorded MySQL 8 fixtures' events and JSON vectors).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "change/json_parse.h"
#include "source/mysql/binlog/binlog_event.h"
#include "source/mysql/binlog/mysql_gtid.h"
#include "source/mysql/binlog/transaction_assembler.h"
#include "source/mysql/binlog/transaction_payload.h"
#include "source/mysql/decode/json_binary.h"
#include "source/mysql/decode/json_diff.h"

namespace sm = weft::source::mysql;

namespace {

void Die(const char* what, const std::string& detail) {
  std::fprintf(stderr, "mysql8_fuzz: %s: %s\n", what, detail.substr(0, 400).c_str());
  std::abort();
}

void CheckJson(const std::string& text) {
  if (!weft::change::ParseJsonValue(text).ok()) Die("rendered JSON does not parse", text);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  std::string_view in(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 5) {
    case 0: {
      std::string text, tree_text;
      bool ok = sm::MysqlJsonToText(in, &text).ok();
      sm::JsonNode node;
      bool tree_ok = sm::MysqlJsonToNode(in, &node).ok();
      if (ok != tree_ok) Die("text and tree decoders disagree on validity", text);
      if (!ok) return 0;
      sm::AppendJsonNode(node, &tree_text);
      if (text != tree_text) Die("text and tree renderings differ", text + " vs " + tree_text);
      CheckJson(text);
      return 0;
    }
    case 1: {
      if (in.size() < 2) return 0;
      size_t n = static_cast<uint8_t>(in[0]) | static_cast<size_t>(static_cast<uint8_t>(in[1])) << 8;
      in.remove_prefix(2);
      if (n > in.size()) return 0;
      sm::JsonNode node;
      if (!sm::MysqlJsonToNode(in.substr(0, n), &node).ok()) return 0;
      auto diffs = sm::ParseJsonDiffs(in.substr(n));
      if (!diffs.ok()) return 0;
      (void)sm::ApplyJsonDiffs(*diffs, &node);
      std::string text;
      sm::AppendJsonNode(node, &text);
      CheckJson(text);
      return 0;
    }
    case 2: {
      std::string inflated;
      if (!sm::InflateTransactionPayload(in, &inflated).ok()) return 0;
      (void)sm::ForEachPayloadEvent(inflated, [](const sm::Event&) { return weft::core::Status::Ok(); });
      return 0;
    }
    case 3: {
      if (in.empty()) return 0;
      const uint8_t type = static_cast<uint8_t>(in[0]);
      std::string_view body = in.substr(1);
      if (auto g = sm::ParseMysqlGtidEvent(type & 1 ? 42 : 33, body); g.ok()) {
        sm::MysqlGtidSet set;
        set.Add(*g);
        if (!set.Contains(*g)) Die("a GTID is not in the set it was added to", g->ToString());
      }
      if (auto set = sm::MysqlGtidSet::FromPreviousGtidsEvent(body); set.ok()) {
        auto again = sm::MysqlGtidSet::FromPreviousGtidsEvent(set->Encode());
        if (!again.ok() || again->ToString() != set->ToString()) Die("PREVIOUS_GTIDS does not round-trip", set->ToString());
      }
      if (auto set = sm::MysqlGtidSet::Parse(body); set.ok()) {
        auto again = sm::MysqlGtidSet::Parse(set->ToString());
        if (!again.ok() || !(*again == *set)) Die("GTID-set text does not round-trip", set->ToString());
      }
      return 0;
    }
    default: {
      sm::Position start;
      start.file = "fuzz.000001";
      start.pos = 4;
      sm::TransactionAssembler assembler(
          "fuzz", sm::TableFilter::All(), start,
          [](const std::string&) { return weft::core::Result<std::vector<std::string>>(std::vector<std::string>{}); },
          nullptr, [](weft::source::SourceBatch&& batch) {
            for (const auto& c : batch.changes) {
              std::string json = weft::change::ChangeToJson(c);
              (void)json;  // renders without crashing (MariaDB text JSON may embed invalid JSON)
            }
            return true;
          });
      size_t at = 0;
      while (in.size() - at >= sm::kCommonHeaderLength) {
        uint32_t event_size = 0;
        for (int i = 3; i >= 0; --i) event_size = (event_size << 8) | static_cast<uint8_t>(in[at + 9 + i]);
        if (event_size < sm::kCommonHeaderLength || event_size > in.size() - at) break;
        auto ev = sm::SplitEvent(in.substr(at, event_size), false);
        at += event_size;
        if (!ev.ok()) break;
        if (!assembler.OnEvent(*ev).ok()) break;
      }
      return 0;
    }
  }
}
