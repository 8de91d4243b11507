// Offset tokens, GTID states, SHOW GRANTS parsing and the text-protocol value mapping: pure
// functions, no server.
#include <doctest/doctest.h>

#include <cstring>

#include "source/mysql/binlog/position.h"
#include "source/mysql/sql/server_check.h"
#include "source/mysql/sql/text_value.h"

namespace sm = weft::source::mysql;
using weft::change::Value;

TEST_CASE("offset tokens round-trip, escape their separators, and say what is wrong") {
  sm::Position p{"mariadb-bin.000002", 1234, 3, true, "0-1-41,1-2-7", false, ""};
  CHECK(p.Encode() == "v1;file=mariadb-bin.000002;pos=1234;skip=3;gtid=0-1-41,1-2-7");
  auto back = sm::Position::Parse(p.Encode());
  REQUIRE(back.ok());
  CHECK(*back == p);

  sm::Position odd{"we;ird=%name", 4, 0, false, "", false, ""};
  auto odd_back = sm::Position::Parse(odd.Encode());
  REQUIRE(odd_back.ok());
  CHECK(odd_back->file == "we;ird=%name");
  CHECK(odd.Encode().find("gtid") == std::string::npos);  // MySQL tokens resume by file:pos

  sm::Position empty_gtid{"f", 4, 0, true, "", false, ""};  // MariaDB before its first GTID: still GTID mode
  auto e = sm::Position::Parse(empty_gtid.Encode());
  REQUIRE(e.ok());
  CHECK(e->has_gtid);
  CHECK(e->gtid.empty());

  CHECK(sm::Position::Parse("v2;file=x;pos=4").status().message().find("v1") != std::string::npos);
  CHECK(sm::Position::Parse("v1;file=x;pos=abc").status().message().find("pos is not a number") != std::string::npos);
  CHECK(sm::Position::Parse("v1;file=x;pos=4;color=red").status().message().find("unknown field 'color'") !=
        std::string::npos);
  CHECK(sm::Position::Parse("v1;gtid=0-1").status().message().find("not a MariaDB GTID") != std::string::npos);
  CHECK(sm::Position::Parse("v1;skip=2").status().message().find("needs file and pos") != std::string::npos);
  CHECK(sm::Position::Parse("v1;file=x%4;pos=4").status().code() == weft::core::Code::kInvalidArgument);
  CHECK(sm::Position::Parse("v1;gtid=0-1-5").ok());
}

TEST_CASE("GTID state keeps the last GTID per domain, in domain order") {
  auto state = sm::GtidState::Parse("1-2-7, 0-1-41");
  REQUIRE(state.ok());
  CHECK(state->ToString() == "0-1-41,1-2-7");
  state->Update(sm::Gtid{0, 3, 42});
  state->Update(sm::Gtid{5, 1, 1});
  CHECK(state->ToString() == "0-3-42,1-2-7,5-1-1");
  CHECK(sm::GtidState::Parse("").ok());
  CHECK(sm::GtidState::Parse("")->empty());
  CHECK_FALSE(sm::GtidState::Parse("0-1-x").ok());
}

TEST_CASE("SHOW GRANTS lines: privileges and target, roles and PROXY ignored") {
  std::vector<std::string> privs;
  std::string target;
  REQUIRE(sm::ParseGrantLine("GRANT SELECT, RELOAD, REPLICATION SLAVE, BINLOG MONITOR ON *.* TO `weft`@`%` "
                             "IDENTIFIED BY PASSWORD '*ABC'",
                             &privs, &target));
  CHECK(privs == std::vector<std::string>{"SELECT", "RELOAD", "REPLICATION SLAVE", "BINLOG MONITOR"});
  CHECK(target == "*.*");
  REQUIRE(sm::ParseGrantLine("GRANT SELECT (`a`, `b`), INSERT ON `shop`.`t` TO 'x'@'%'", &privs, &target));
  CHECK(privs == std::vector<std::string>{"SELECT (`A`, `B`)", "INSERT"});
  CHECK(target == "`shop`.`t`");
  REQUIRE(sm::ParseGrantLine("GRANT ALL PRIVILEGES ON `shop`.* TO `u`@`h`", &privs, &target));
  CHECK(privs == std::vector<std::string>{"ALL PRIVILEGES"});
  CHECK_FALSE(sm::ParseGrantLine("GRANT `role1` TO `weft`@`%`", &privs, &target));
  CHECK_FALSE(sm::ParseGrantLine("GRANT PROXY ON ''@'%' TO 'root'@'localhost' WITH GRANT OPTION", &privs, &target));
  CHECK_FALSE(sm::ParseGrantLine("GRANT EXECUTE ON PROCEDURE `shop`.`p` TO `u`@`%`", &privs, &target));
}

namespace {

Value FromText(const char* type, const char* text, bool is_json = false) {
  weft::change::ColumnSchema c;
  c.name = "c";
  c.type = type;
  c.is_json = is_json;
  return sm::TextToValue(sm::ClassifyColumn(c), text, text ? std::strlen(text) : 0);
}

}  // namespace

TEST_CASE("text-protocol values map to the kinds the binlog decoder gives") {
  CHECK(FromText("bigint(20) unsigned", "18446744073709551615") == Value::UInt(18446744073709551615ull));
  CHECK(FromText("bigint(20)", "-9223372036854775808") == Value::Int(INT64_MIN));
  CHECK(FromText("tinyint(1)", "1") == Value::Int(1));
  CHECK(FromText("decimal(10,2)", "-0.50") == Value::Decimal("-0.50"));
  CHECK(FromText("float", "3.1415927410125732") == Value::Float(3.1415927f));
  CHECK(FromText("double", "0.30000000000000004") == Value::Double(0.1 + 0.2));
  CHECK(FromText("year(4)", "2155") == Value::Int(2155));
  CHECK(FromText("bit(10)", "\x02\xAA") == Value::UInt(682));
  CHECK(FromText("date", "2024-11-10") == Value::Date("2024-11-10"));
  CHECK(FromText("timestamp(6)", "2024-11-02 10:20:00.000001") == Value::DateTime("2024-11-02 10:20:00.000001"));
  CHECK(FromText("time(3)", "-00:00:01.500") == Value::Time("-00:00:01.500"));
  CHECK(FromText("varbinary(10)", "ab") == Value::Bytes("ab"));
  CHECK(FromText("enum('a','b')", "b") == Value::String("b"));
  CHECK(FromText("longtext", "{\"a\": 1}", true) == Value::Json("{\"a\": 1}"));
  CHECK(FromText("longtext", "{\"a\": 1}") == Value::String("{\"a\": 1}"));
  CHECK(FromText("point", "\x01\x01") == Value::Bytes("\x01\x01"));
  CHECK(FromText("int(11)", nullptr).is_null());

  weft::change::ColumnSchema f{"price`x", "float", true, false};
  CHECK(sm::SelectExpression(f) == "CAST(`price``x` AS DOUBLE)");
  weft::change::ColumnSchema g{"shape", "geometry", true, false};
  CHECK(sm::SelectExpression(g) == "ST_AsBinary(`shape`)");
  weft::change::ColumnSchema i{"id", "int(11)", false, false};
  CHECK(sm::SelectExpression(i) == "`id`");
}
