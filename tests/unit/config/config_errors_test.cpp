// Every kind of config problem, each reported at its exact file:line:col, and all of them at once.
#include <doctest/doctest.h>

#include <sstream>
#include <string>
#include <vector>

#include "config/config.h"

namespace weft::config {
namespace {

// Lines 1-4: a valid source, so a test's own lines start at line 5.
const std::string kBase =
    "[sources.shop]\n"
    "kind = \"mysql\"\n"
    "user = \"weft\"\n"
    "database = \"shop\"\n";

// Lines 5-11 (with kBase): two sinks views can name.
const std::string kSinks =
    "[sinks.docs]\n"
    "kind = \"mongodb\"\n"
    "uri = \"mongodb://127.0.0.1:27017\"\n"
    "database = \"ecommerce\"\n"
    "[sinks.local]\n"
    "kind = \"sqlite\"\n"
    "path = \"docs.db\"\n";

std::vector<std::string> Problems(const std::string& text) {
  auto config = ParseConfig(text, "t.toml");
  REQUIRE_MESSAGE(!config.ok(), "expected the config to be rejected:\n" << text);
  CHECK(config.status().code() == core::Code::kInvalidArgument);
  std::vector<std::string> lines;
  std::istringstream in(config.status().message());
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

using Lines = std::vector<std::string>;

TEST_CASE("unknown keys list the allowed keys and suggest a near miss") {
  CHECK(Problems(kBase + "hots = \"db1\"\n") ==
        Lines{"t.toml:5:1: unknown key 'hots' in [sources.shop]; did you mean 'host'? (allowed keys: "
              "kind, host, port, user, password, database, tables, server_id, on_lost_position, tls)"});
  CHECK(Problems(kBase + "colour = 1\n") ==
        Lines{"t.toml:5:1: unknown key 'colour' in [sources.shop] (allowed keys: kind, host, port, "
              "user, password, database, tables, server_id, on_lost_position, tls)"});
  CHECK(Problems("sauces = 1\n" + kBase) ==
        Lines{"t.toml:1:1: unknown key 'sauces' in the top level; did you mean 'sources'? (allowed "
              "keys: state, sources, sinks, status, log, views)"});
  // The allowed keys of a sink depend on its kind.
  CHECK(Problems(kBase + "[sinks.local]\nkind = \"sqlite\"\npath = \"d.db\"\nuri = \"mongodb://x\"\n") ==
        Lines{"t.toml:8:1: unknown key 'uri' in [sinks.local] (kind sqlite) (allowed keys: kind, path)"});
  CHECK(Problems(kBase + "[sources.shop.tls]\nmod = \"required\"\n") ==
        Lines{"t.toml:6:1: unknown key 'mod' in [sources.shop.tls]; did you mean 'mode'? (allowed "
              "keys: mode, ca, cert, key)"});
}

TEST_CASE("missing required keys name the table and the key") {
  CHECK(Problems("[sources.shop]\nkind = \"mysql\"\ndatabase = \"shop\"\n") ==
        Lines{"t.toml:1:1: [sources.shop] is missing the required key 'user'"});
  CHECK(Problems(kBase + "[sinks.docs]\nkind = \"mongodb\"\n") ==
        Lines{"t.toml:5:1: [sinks.docs] is missing the required key 'uri'",
              "t.toml:5:1: [sinks.docs] is missing the required key 'database'"});
  CHECK(Problems(kBase + kSinks + "[[views]]\nname = \"v\"\nsource = \"shop\"\nroot = \"r\"\n") ==
        Lines{"t.toml:12:1: [[views]] \"v\" is missing the required key 'sink'"});
  CHECK(Problems(kBase + kSinks +
                 "[[views]]\nname = \"v\"\nsource = \"shop\"\nroot = \"r\"\nsink = \"docs\"\n"
                 "[[views.lookups]]\ntable = \"c\"\npath = \"c\"\ntype = \"object\"\n") ==
        Lines{"t.toml:17:1: [[views.lookups]] \"c\" is missing the required key 'relation'"});
  CHECK(Problems("") == Lines{"t.toml:1:1: no source is defined: add a [sources.NAME] table (see "
                              "conf/weft.toml)"});
  // A required string that expands to nothing is as good as missing.
  CHECK(Problems("[sources.shop]\nkind = \"mysql\"\nuser = \"\"\ndatabase = \"shop\"\n") ==
        Lines{"t.toml:3:8: sources.shop.user: must not be empty"});
}

TEST_CASE("wrong types say what was expected and what was found") {
  CHECK(Problems(kBase + "port = \"3306\"\n") ==
        Lines{"t.toml:5:8: sources.shop.port: expected an integer, got a string"});
  CHECK(Problems(kBase + "port = 3306.0\n") ==
        Lines{"t.toml:5:8: sources.shop.port: expected an integer, got a float"});
  CHECK(Problems(kBase + "tables = \"ecom_orders\"\n") ==
        Lines{"t.toml:5:10: sources.shop.tables: expected an array of strings, got a string"});
  CHECK(Problems(kBase + "tables = [\"a\", 7]\n") ==
        Lines{"t.toml:5:16: sources.shop.tables[1]: expected a string, got an integer"});
  CHECK(Problems("state = 5\n" + kBase) ==
        Lines{"t.toml:1:9: state: expected a table ([state]), got an integer"});
  CHECK(Problems(kBase + "[[views]]\nname = true\n") ==
        Lines{"t.toml:5:1: [[views]] views[0] is missing the required key 'source'",
              "t.toml:5:1: [[views]] views[0] is missing the required key 'root'",
              "t.toml:5:1: [[views]] views[0] is missing the required key 'sink'",
              "t.toml:6:8: views[0].name: expected a string, got a boolean"});
  CHECK(Problems(kBase + "[sinks.docs]\nkind = \"mongodb\"\nuri = \"mongodb://h\"\ndatabase = \"d\"\n"
                         "write_concern = \"most\"\n") ==
        Lines{"t.toml:9:17: sinks.docs.write_concern: \"most\" is not \"majority\" or a number of "
              "nodes (0, 1, 2, ...)"});
}

TEST_CASE("an undefined ${VAR} names the variable") {
  unsetenv("WEFT_TEST_UNSET_A");
  unsetenv("WEFT_TEST_UNSET_B");
  CHECK(Problems(kBase + "password = \"${WEFT_TEST_UNSET_A}-${WEFT_TEST_UNSET_B}\"\n") ==
        Lines{"t.toml:5:12: sources.shop.password: environment variable WEFT_TEST_UNSET_A is not set "
              "(referenced as ${WEFT_TEST_UNSET_A}; export it, or write \"$${\" for a literal \"${\")",
              "t.toml:5:12: sources.shop.password: environment variable WEFT_TEST_UNSET_B is not set "
              "(referenced as ${WEFT_TEST_UNSET_B}; export it, or write \"$${\" for a literal \"${\")"});
  CHECK(Problems(kBase + "host = \"${OOPS\"\n") ==
        Lines{"t.toml:5:8: sources.shop.host: unterminated \"${\" (close it with '}', or write \"$${\" "
              "for a literal \"${\")"});
  // Inside arrays too.
  CHECK(Problems(kBase + "tables = [\"${WEFT_TEST_UNSET_A}\"]\n") ==
        Lines{"t.toml:5:11: sources.shop.tables[0]: environment variable WEFT_TEST_UNSET_A is not set "
              "(referenced as ${WEFT_TEST_UNSET_A}; export it, or write \"$${\" for a literal \"${\")"});
}

TEST_CASE("bad enum values list the allowed ones") {
  CHECK(Problems(kBase + "on_lost_position = \"never\"\n") ==
        Lines{"t.toml:5:20: sources.shop.on_lost_position: \"never\" is not one of fail, resnapshot"});
  CHECK(Problems(kBase + "[sinks.docs]\nkind = \"mongo\"\n") ==
        Lines{"t.toml:6:8: sinks.docs.kind: \"mongo\" is not one of mongodb, sqlite, jsonl, kafka (did you "
              "mean \"mongodb\"?)"});
  CHECK(Problems(kBase + "[sources.shop.tls]\nmode = \"strict\"\n") ==
        Lines{"t.toml:6:8: sources.shop.tls.mode: \"strict\" is not one of disabled, preferred, "
              "required, verify_ca, verify_identity"});
  CHECK(Problems(kBase + "[log]\nlevel = \"verbose\"\n") ==
        Lines{"t.toml:6:9: log.level: \"verbose\" is not one of debug, info, warn, error"});
}

TEST_CASE("ports and server ids out of range") {
  CHECK(Problems(kBase + "port = 0\n") ==
        Lines{"t.toml:5:8: sources.shop.port: 0 is out of range (1..65535)"});
  CHECK(Problems(kBase + "port = 65536\n") ==
        Lines{"t.toml:5:8: sources.shop.port: 65536 is out of range (1..65535)"});
  CHECK(Problems(kBase + "server_id = 0\n") ==
        Lines{"t.toml:5:13: sources.shop.server_id: 0 is out of range (1..4294967295)"});
  CHECK(Problems(kBase + "server_id = 4294967296\n") ==
        Lines{"t.toml:5:13: sources.shop.server_id: 4294967296 is out of range (1..4294967295)"});
  auto top = ParseConfig(kBase + "server_id = 4294967295\nport = 65535\n", "t.toml");
  REQUIRE_MESSAGE(top.ok(), top.status().message());
  CHECK(top->sources[0].server_id == 4294967295u);
  CHECK(top->sources[0].port == 65535);
  CHECK(Problems(kBase + "[status]\nlisten = \"0.0.0.0:99999\"\n") ==
        Lines{"t.toml:6:10: status.listen: port \"99999\" is not a number in 1..65535"});
  CHECK(Problems(kBase + "[status]\nlisten = \"example.com:80\"\n") ==
        Lines{"t.toml:6:10: status.listen: host \"example.com\" is not an IPv4 address (write an IPv6 "
              "one as \"[::1]:8089\")"});
  CHECK(Problems(kBase + "[status]\nlisten = \"8089\"\n") ==
        Lines{"t.toml:6:10: status.listen: expected \"host:port\" (e.g. \"127.0.0.1:8089\") or \"off\""});
}

TEST_CASE("status.preview: loopback by default, on, off; anything else is an error at its value") {
  auto plain = ParseConfig(kBase, "t.toml");
  REQUIRE_MESSAGE(plain.ok(), plain.status().message());
  CHECK(plain->status.preview == "loopback");
  auto on = ParseConfig(kBase + "[status]\nlisten = \"0.0.0.0:8089\"\npreview = \"on\"\n", "t.toml");
  REQUIRE_MESSAGE(on.ok(), on.status().message());
  CHECK(on->status.preview == "on");
  std::vector<std::string> bad = Problems(kBase + "[status]\npreview = \"yes\"\n");
  REQUIRE(bad.size() == 1);
  CHECK(bad[0].rfind("t.toml:6:11: status.preview: ", 0) == 0);
  INFO(bad[0]);
  CHECK(bad[0].find("loopback") != std::string::npos);
  CHECK(bad[0].find("off") != std::string::npos);
}

TEST_CASE("status.listen forms that are accepted") {
  struct Case {
    const char* listen;
    bool enabled;
    const char* host;
    int port;
  };
  for (const Case& c : {Case{"off", false, "127.0.0.1", 8089}, Case{"localhost:9100", true, "127.0.0.1", 9100},
                        Case{"0.0.0.0:80", true, "0.0.0.0", 80}, Case{"[::1]:8089", true, "::1", 8089}}) {
    CAPTURE(c.listen);
    auto config = ParseConfig(kBase + "[status]\nlisten = \"" + c.listen + "\"\n", "t.toml");
    REQUIRE_MESSAGE(config.ok(), config.status().message());
    CHECK(config->status.enabled == c.enabled);
    CHECK(config->status.host == c.host);
    CHECK(config->status.port == c.port);
  }
}

TEST_CASE("a syntax error is reported at its place") {
  auto lines = Problems(kBase + "port = = 3\n");
  REQUIRE(lines.size() == 1);
  CHECK(lines[0].rfind("t.toml:5:", 0) == 0);
}

}  // namespace
}  // namespace weft::config
