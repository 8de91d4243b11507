// [sources.NAME] with kind = "postgresql": its keys, defaults, and the commented example in
// conf/weft.toml (uncommented here, so the documentation cannot drift from the parser).
#include <doctest/doctest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "config/config.h"

namespace weft::config {
namespace {

const std::string kSinkAndView =
    "[sinks.local]\nkind = \"sqlite\"\npath = \"docs.db\"\n";

// The "# [sources.pg]" block of the reference config with its "# " prefixes removed.
std::string ReferencePostgresBlock() {
  std::ifstream in(std::string(WEFT_SOURCE_DIR) + "/conf/weft.toml");
  std::string line, out;
  bool inside = false;
  while (std::getline(in, line)) {
    if (line == "# [sources.pg]") inside = true;
    if (!inside) continue;
    if (line.rfind("#", 0) != 0) break;  // the block ends at the first uncommented line
    std::string text = line.size() >= 2 ? line.substr(2) : "";
    out += text + "\n";
  }
  return out;
}

TEST_CASE("the reference config's PostgreSQL example parses and means what it says") {
  std::string block = ReferencePostgresBlock();
  REQUIRE(block.find("kind = \"postgresql\"") != std::string::npos);
  setenv("WEFT_PG_PASSWORD", "pg-secret", 1);
  auto config = ParseConfig(block + kSinkAndView, "ref.toml");
  unsetenv("WEFT_PG_PASSWORD");
  REQUIRE_MESSAGE(config.ok(), config.status().message());
  REQUIRE(config->sources.size() == 1);
  const SourceConfig& pg = config->sources[0];
  CHECK(pg.kind == "postgresql");
  CHECK(pg.port == 5432);
  CHECK(pg.password == "pg-secret");
  CHECK(pg.schema == "public");
  CHECK(pg.publication == "weft_pg");
  CHECK(pg.slot == "weft_pg");
  CHECK(pg.on_lost_position == "fail");
  CHECK(pg.tls.mode == "preferred");
}

TEST_CASE("postgresql defaults: port 5432, schema public, publication and slot from the name") {
  auto config = ParseConfig(
      "[sources.Shop-EU]\nkind = \"postgresql\"\nuser = \"weft\"\ndatabase = \"shop\"\n" + kSinkAndView, "t.toml");
  REQUIRE_MESSAGE(config.ok(), config.status().message());
  const SourceConfig& pg = config->sources[0];
  CHECK(pg.port == 5432);
  CHECK(pg.schema == "public");
  CHECK(pg.publication == "weft_Shop-EU");
  CHECK(pg.slot == "weft_shop_eu");  // slot names allow only a-z, 0-9 and '_'
  CHECK(pg.on_lost_position == "fail");
}

TEST_CASE("postgresql keys: explicit values, and errors at file:line:col") {
  auto config = ParseConfig("[sources.pg]\nkind = \"postgresql\"\nuser = \"weft\"\ndatabase = \"shop\"\nport = 6543\n"
                            "schema = \"sales\"\npublication = \"pub1\"\nslot = \"slot_1\"\n"
                            "on_lost_position = \"resnapshot\"\n" + kSinkAndView,
                            "t.toml");
  REQUIRE_MESSAGE(config.ok(), config.status().message());
  CHECK(config->sources[0].port == 6543);
  CHECK(config->sources[0].schema == "sales");
  CHECK(config->sources[0].publication == "pub1");
  CHECK(config->sources[0].slot == "slot_1");
  CHECK(config->sources[0].on_lost_position == "resnapshot");

  const std::string base = "[sources.pg]\nkind = \"postgresql\"\nuser = \"weft\"\ndatabase = \"shop\"\n";
  auto bad = ParseConfig(base + "server_id = 7\n" + kSinkAndView, "t.toml");
  REQUIRE(!bad.ok());
  CHECK(bad.status().message() ==
        "t.toml:5:1: unknown key 'server_id' in [sources.pg] (kind postgresql) (allowed keys: kind, host, port, "
        "user, password, database, tables, schema, publication, slot, on_lost_position, tls)");
  auto bad_slot = ParseConfig(base + "slot = \"Bad-Slot\"\n" + kSinkAndView, "t.toml");
  REQUIRE(!bad_slot.ok());
  CHECK(bad_slot.status().message() ==
        "t.toml:5:8: sources.pg.slot: \"Bad-Slot\" is not a replication slot name (1-63 of a-z, 0-9, '_')");
}

}  // namespace
}  // namespace weft::config
