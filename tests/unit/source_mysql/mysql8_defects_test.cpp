// The defects issue 13 names, each pinned: DDL records have an op of their own; a JSON column's JSON
// null is told apart from SQL NULL in records; a YEAR(2) value reads the same from the snapshot and
// the binlog. Plus MySQL GTID sets (parse, print, encode, contain) and their hostile input.
#include <doctest/doctest.h>

#include <memory>

#include <nlohmann/json.hpp>

#include "change/change.h"
#include "source/mysql/binlog/binlog_stream.h"
#include "source/mysql/binlog/mysql_gtid.h"
#include "source/mysql/binlog/position.h"
#include "source/mysql/decode/column_types.h"
#include "source/mysql/decode/column_value.h"
#include "source/mysql/sql/text_value.h"

namespace sm = weft::source::mysql;
using weft::change::Change;
using weft::change::Value;
using Json = nlohmann::json;

namespace {

std::shared_ptr<weft::change::TableSchema> JsonTable() {
  auto s = std::make_shared<weft::change::TableSchema>();
  s->db = "shop";
  s->table = "t";
  s->columns = {{"id", "int(11)", false, false}, {"doc", "json", true, true}, {"note", "json", true, true}};
  s->primary_key = {0};
  return s;
}

}  // namespace

TEST_CASE("defect: a DDL record has op \"ddl\", not \"u\"") {
  Change c;
  c.type = weft::change::ChangeType::kDdl;
  c.op = weft::change::Op::kUpdate;  // what the assembler sets in memory; the record must not show it
  c.statement = "ALTER TABLE t ADD COLUMN x INT";
  Json r = Json::parse(weft::change::ChangeToJson(c));
  CHECK(r["op"] == "ddl");
  CHECK(r["type"] == "ddl");
  CHECK(r["statement"] == "ALTER TABLE t ADD COLUMN x INT");
}

TEST_CASE("defect: JSON null and SQL NULL are told apart in records") {
  Change c;
  c.op = weft::change::Op::kUpdate;
  c.schema = JsonTable();
  c.before.values = {Value::Int(1), Value::Null(), Value::Json("null")};
  c.after.values = {Value::Int(1), Value::Json("null"), Value::Null()};
  Json r = Json::parse(weft::change::ChangeToJson(c));
  // Both render as null inside the images (JSON has one null)...
  CHECK(r["before"]["doc"].is_null());
  CHECK(r["after"]["doc"].is_null());
  // ...and the record lists the columns that hold the JSON value null.
  CHECK(r["json_null"]["before"] == Json::array({"note"}));
  CHECK(r["json_null"]["after"] == Json::array({"doc"}));
  // The change from SQL NULL to JSON null is a change.
  CHECK(r["patch"]["$set"].contains("doc"));
  // No JSON null: no json_null field (records keep their shape).
  c.after.values = {Value::Int(1), Value::Json("{\"a\": null}"), Value::Null()};
  c.before.values = c.after.values;
  CHECK(!Json::parse(weft::change::ChangeToJson(c)).contains("json_null"));
  // A delete lists its before-image only.
  c.op = weft::change::Op::kDelete;
  c.before.values = {Value::Int(1), Value::Json("null"), Value::Null()};
  r = Json::parse(weft::change::ChangeToJson(c));
  CHECK(r["json_null"] == Json{{"before", {"doc"}}});
}

TEST_CASE("defect: YEAR(2) reads the same from the snapshot (\"84\") and the binlog (byte 84)") {
  weft::change::ColumnSchema year2{"y", "year(2)", true, false};
  weft::change::ColumnSchema year4{"y", "year(4)", true, false};
  auto kind2 = sm::ClassifyColumn(year2);
  CHECK(kind2 == sm::TextKind::kYear2);
  CHECK(sm::ClassifyColumn(year4) == sm::TextKind::kYear);
  // The binlog stores YEAR as year - 1900 in one byte, whatever the display width.
  sm::ColumnCodec codec;
  codec.type = codec.real_type = sm::type::kYear;
  for (auto [text, byte, year] : {std::tuple{"84", 84, 1984}, std::tuple{"05", 105, 2005}, std::tuple{"69", 169, 2069},
                                  std::tuple{"70", 70, 1970}, std::tuple{"99", 99, 1999}}) {
    CAPTURE(text);
    Value snapshot = sm::TextToValue(kind2, text, 2);
    std::string b(1, static_cast<char>(byte));
    sm::ByteReader r(b);
    Value binlog;
    REQUIRE(sm::DecodeColumnValue(codec, &r, &binlog).ok());
    CHECK(snapshot == Value::Int(year));
    CHECK(binlog == snapshot);
  }
  CHECK(sm::TextToValue(sm::TextKind::kYear, "1984", 4) == Value::Int(1984));
}

TEST_CASE("MySQL GTID sets: parse, print, add, contain, encode") {
  auto set = sm::MysqlGtidSet::Parse(
      "3E11FA47-71CA-11E1-9E33-C80AA9429562:1-5:7,\n55778904-0299-11f1-b1b8-4ef0c4956feb:1-13:mytag:1-2");
  REQUIRE_MESSAGE(set.ok(), set.status().ToString());
  CHECK(set->ToString() == "3e11fa47-71ca-11e1-9e33-c80aa9429562:1-5:7,55778904-0299-11f1-b1b8-4ef0c4956feb:1-13:mytag:1-2");
  sm::MysqlGtid g{"3e11fa47-71ca-11e1-9e33-c80aa9429562", "", 6};
  CHECK(!set->Contains(g));
  set->Add(g);
  CHECK(set->Contains(g));
  CHECK(set->ToString().rfind("3e11fa47-71ca-11e1-9e33-c80aa9429562:1-7,", 0) == 0);
  sm::MysqlGtid tagged{"55778904-0299-11f1-b1b8-4ef0c4956feb", "mytag", 3};
  CHECK(tagged.ToString() == "55778904-0299-11f1-b1b8-4ef0c4956feb:mytag:3");
  set->Add(tagged);
  CHECK(set->ToString().find(":mytag:1-3") != std::string::npos);
  auto purged = sm::MysqlGtidSet::Parse("3e11fa47-71ca-11e1-9e33-c80aa9429562:1-3");
  REQUIRE(purged.ok());
  CHECK(set->ContainsAll(*purged));
  auto beyond = sm::MysqlGtidSet::Parse("3e11fa47-71ca-11e1-9e33-c80aa9429562:1-9");
  REQUIRE(beyond.ok());
  CHECK(!set->ContainsAll(*beyond));
  CHECK(set->ContainsAll(sm::MysqlGtidSet()));
  // COM_BINLOG_DUMP_GTID's encoding is PREVIOUS_GTIDS' encoding: it reads back.
  auto back = sm::MysqlGtidSet::FromPreviousGtidsEvent(set->Encode());
  REQUIRE_MESSAGE(back.ok(), back.status().ToString());
  CHECK(back->ToString() == set->ToString());
  auto untagged = sm::MysqlGtidSet::Parse("3e11fa47-71ca-11e1-9e33-c80aa9429562:1-3");
  REQUIRE(untagged.ok());
  CHECK(untagged->Encode().size() == 8 + 16 + 8 + 16);
  CHECK(sm::MysqlGtidSet::FromPreviousGtidsEvent(untagged->Encode())->ToString() == untagged->ToString());
  // Hostile and malformed input: errors, not crashes.
  for (const char* bad : {"nonsense", "3e11fa47-71ca-11e1-9e33-c80aa9429562", "3e11fa47-71ca-11e1-9e33-c80aa9429562:5-1",
                          "3e11fa47-71ca-11e1-9e33-c80aa9429562:0", "3e11fa47-71ca-11e1-9e33-c80aa9429562:1-x",
                          "3e11fa47-71ca-11e1-9e33-c80aa9429562:9tag:1"}) {
    CAPTURE(bad);
    CHECK(!sm::MysqlGtidSet::Parse(bad).ok());
  }
  CHECK(sm::MysqlGtidSet::Parse("").ok());
  std::string enc = set->Encode();
  for (size_t cut = 0; cut < enc.size(); ++cut) CHECK(!sm::MysqlGtidSet::FromPreviousGtidsEvent(enc.substr(0, cut)).ok());
  CHECK(!sm::ParseMysqlGtidEvent(33, std::string(10, '\0')).ok());
  CHECK(!sm::ParseMysqlGtidEvent(42, std::string("\x02\x78\x00", 3)).ok());
}

TEST_CASE("offsets carry a MySQL GTID set as gtids=") {
  sm::Position p;
  p.file = "binlog.000003";
  p.pos = 1234;
  p.has_mysql_gtids = true;
  p.mysql_gtids = "3e11fa47-71ca-11e1-9e33-c80aa9429562:1-5";
  const std::string token = p.Encode();
  CHECK(token == "v1;file=binlog.000003;pos=1234;skip=0;gtids=3e11fa47-71ca-11e1-9e33-c80aa9429562:1-5");
  auto back = sm::Position::Parse(token);
  REQUIRE(back.ok());
  CHECK(*back == p);
  CHECK(!sm::Position::Parse("v1;file=f;pos=4;skip=0;gtids=garbage").ok());
  // A token with only a GTID set is resumable (by GTID).
  CHECK(sm::Position::Parse("v1;gtids=3e11fa47-71ca-11e1-9e33-c80aa9429562:1-5").ok());
}

TEST_CASE("COM_BINLOG_DUMP_GTID arguments: flags, server id, no file, position 4, the encoded set") {
  auto set = sm::MysqlGtidSet::Parse("3e11fa47-71ca-11e1-9e33-c80aa9429562:1-5");
  REQUIRE(set.ok());
  const std::string enc = set->Encode();
  const std::string args = sm::BinlogDumpGtidArguments(sm::kBinlogDumpNonBlock, 77, enc);
  REQUIRE(args.size() == 2 + 4 + 4 + 8 + 4 + enc.size());
  CHECK(static_cast<uint8_t>(args[0]) == (sm::kBinlogThroughGtid | sm::kBinlogDumpNonBlock));
  CHECK(args[1] == 0);
  CHECK(static_cast<uint8_t>(args[2]) == 77);
  CHECK(args.substr(6, 4) == std::string(4, '\0'));               // file name length 0
  CHECK(static_cast<uint8_t>(args[10]) == 4);                      // position 4
  CHECK(static_cast<uint8_t>(args[18]) == enc.size());             // data size
  CHECK(args.substr(22) == enc);
}
