// Views and lookups: cross references and the shape of the lookup tree, each at file:line:col.
#include <doctest/doctest.h>

#include <sstream>
#include <string>
#include <vector>

#include "config/config.h"

namespace weft::config {
namespace {

// Lines 1-11: a source and two sinks.
const std::string kHead =
    "[sources.shop]\n"
    "kind = \"mysql\"\n"
    "user = \"weft\"\n"
    "database = \"shop\"\n"
    "[sinks.docs]\n"
    "kind = \"mongodb\"\n"
    "uri = \"mongodb://127.0.0.1:27017\"\n"
    "database = \"ecommerce\"\n"
    "[sinks.local]\n"
    "kind = \"sqlite\"\n"
    "path = \"docs.db\"\n";

// Lines 12-16 (after kHead): a valid view header.
std::string View(const std::string& name, const std::string& sink = "docs",
                 const std::string& source = "shop") {
  return "[[views]]\nname = \"" + name + "\"\nsource = \"" + source + "\"\nroot = \"ecom_orders\"\n" +
         "sink = \"" + sink + "\"\n";
}

// 5 lines.
std::string Lookup(const std::string& table, const std::string& path, const std::string& type,
                   const std::string& parent_field, const std::string& column) {
  return "[[views.lookups]]\ntable = \"" + table + "\"\npath = \"" + path + "\"\ntype = \"" + type +
         "\"\nrelation = [[\"" + parent_field + "\", \"" + column + "\"]]\n";
}

std::vector<std::string> Problems(const std::string& text) {
  auto config = ParseConfig(text, "t.toml");
  REQUIRE_MESSAGE(!config.ok(), "expected the config to be rejected:\n" << text);
  std::vector<std::string> lines;
  std::istringstream in(config.status().message());
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

using Lines = std::vector<std::string>;

TEST_CASE("a view's source and sink must be defined") {
  CHECK(Problems(kHead + View("v", "doc", "shp")) ==
        Lines{"t.toml:14:10: views[0].source: source \"shp\" is not defined (no [sources.shp]; defined: "
              "shop); did you mean \"shop\"?",
              "t.toml:16:8: views[0].sink: sink \"doc\" is not defined (no [sinks.doc]; defined: docs, "
              "local); did you mean \"docs\"?"});
}

TEST_CASE("duplicate view names and shared collections") {
  CHECK(Problems(kHead + View("v") + View("v", "local")) ==
        Lines{"t.toml:18:8: views[1].name: the view name \"v\" is already used by the view at "
              "t.toml:13:8"});
  // Same sink, same collection: --oneshot of one would delete the other's documents.
  CHECK(Problems(kHead + View("a") + "collection = \"c\"\n" + View("b") + "collection = \"c\"\n") ==
        Lines{"t.toml:23:14: views[1]: collection \"c\" of sink \"docs\" is already written by the view "
              "at t.toml:17:14; give each view its own collection"});
}

TEST_CASE("collection defaults to the view name") {
  auto config = ParseConfig(kHead + View("order_single_view"), "t.toml");
  REQUIRE_MESSAGE(config.ok(), config.status().message());
  CHECK(config->views[0].collection == "order_single_view");
  CHECK(config->views[0].location.ToString() == "t.toml:12:1");
}

TEST_CASE("lookup paths are unique and parents come first") {
  // Lines 17-21, 22-26, 27-31.
  std::string text = kHead + View("v") +
                     Lookup("ecom_products", "order_items.product", "object", "order_items.product_id",
                            "product_id") +
                     Lookup("ecom_order_items", "order_items", "array", "order_id", "order_id") +
                     Lookup("ecom_x", "order_items", "array", "order_id", "order_id");
  CHECK(Problems(text) ==
        Lines{"t.toml:19:8: views[0].lookups[0].path: \"order_items.product\" needs its parent "
              "\"order_items\" defined by an earlier lookup of this view (it is defined later, at "
              "t.toml:24:8; move that lookup before this one)",
              "t.toml:29:8: views[0].lookups[2].path: \"order_items\" is already the path of the lookup "
              "at t.toml:24:8"});
  CHECK(Problems(kHead + View("v") +
                 Lookup("ecom_products", "items.product", "object", "items.product_id", "product_id")) ==
        Lines{"t.toml:19:8: views[0].lookups[0].path: \"items.product\" needs its parent \"items\" "
              "defined by an earlier lookup of this view"});
}

TEST_CASE("relation parent fields must point into the parent") {
  std::string text = kHead + View("v") +
                     Lookup("ecom_order_items", "order_items", "array", "order_id", "order_id") +
                     Lookup("ecom_products", "order_items.product", "object", "product_id", "product_id") +
                     Lookup("ecom_customers", "customer_info", "object", "x.customer_id", "customer_id");
  CHECK(Problems(text) ==
        Lines{"t.toml:26:13: views[0].lookups[1].relation[0][0]: \"product_id\" must name a column of "
              "the parent lookup \"order_items\", written \"order_items.<column>\" (e.g. "
              "\"order_items.product_id\")",
              "t.toml:31:13: views[0].lookups[2].relation[0][0]: \"x.customer_id\": lookup "
              "\"customer_info\" hangs off the root, so its parent field is a column of the root table "
              "'ecom_orders' and holds no '.'"});
}

TEST_CASE("lookup type, relation shape, fields and exclude") {
  CHECK(Problems(kHead + View("v") + Lookup("c", "c", "obj", "customer_id", "customer_id")) ==
        Lines{"t.toml:20:8: views[0].lookups[0].type: \"obj\" is not one of object, array (did you mean "
              "\"object\"?)"});
  CHECK(Problems(kHead + View("v") +
                 "[[views.lookups]]\ntable = \"c\"\npath = \"c\"\ntype = \"object\"\nrelation = [\"a\"]\n") ==
        Lines{"t.toml:21:13: views[0].lookups[0].relation[0]: expected a pair of strings [parent field, "
              "column of c]"});
  CHECK(Problems(kHead + View("v") +
                 "[[views.lookups]]\ntable = \"c\"\npath = \"c\"\ntype = \"object\"\nrelation = []\n") ==
        Lines{"t.toml:21:12: views[0].lookups[0].relation: expected an array of [parent field, column] "
              "pairs, e.g. [[\"order_id\", \"order_id\"]], got an empty array"});
  CHECK(Problems(kHead + View("v") + "fields = [\"a\"]\nexclude = [\"b\"]\n") ==
        Lines{"t.toml:18:11: views[0]: give 'fields' (only these columns) or 'exclude' (all but "
              "these), not both"});
  CHECK(Problems(kHead + View("v") + Lookup("c", "c", "object", "customer_id", "customer_id") +
                 "fields = [\"a\"]\nexclude = [\"b\"]\n") ==
        Lines{"t.toml:23:11: views[0].lookups[0]: give 'fields' (only these columns) or 'exclude' (all "
              "but these), not both"});
  CHECK(Problems(kHead + View("v") + Lookup("c", "a..b", "object", "customer_id", "customer_id")) ==
        Lines{"t.toml:19:8: views[0].lookups[0].path: \"a..b\" is not a document path (dot-separated "
              "field names, none empty or starting with '$', and not \"_id\")"});
}

TEST_CASE("a deep lookup tree gets its parents and multi-column relations") {
  std::string text = kHead + View("v") +
                     Lookup("a", "a", "array", "id", "root_id") +
                     Lookup("b", "a.b", "array", "a.id", "a_id") +
                     Lookup("c", "a.b.c", "object", "a.b.c_id", "id") +
                     Lookup("d", "d", "object", "d_id", "id") +
                     "relation = [[\"d_id\", \"id\"], [\"d_kind\", \"kind\"]]\n";
  // The last line redefines relation of lookup "d": TOML rejects the duplicate key.
  auto dup = ParseConfig(text, "t.toml");
  CHECK_FALSE(dup.ok());

  text = kHead + View("v") + Lookup("a", "a", "array", "id", "root_id") +
         Lookup("b", "a.b", "array", "a.id", "a_id") + Lookup("c", "a.b.c", "object", "a.b.c_id", "id") +
         "[[views.lookups]]\ntable = \"d\"\npath = \"d\"\ntype = \"object\"\n"
         "relation = [[\"d_id\", \"id\"], [\"d_kind\", \"kind\"]]\nexclude = [\"secret\"]\n";
  auto config = ParseConfig(text, "t.toml");
  REQUIRE_MESSAGE(config.ok(), config.status().message());
  const auto& lookups = config->views[0].lookups;
  REQUIRE(lookups.size() == 4);
  CHECK(lookups[0].parent == -1);
  CHECK(lookups[1].parent == 0);
  CHECK(lookups[2].parent == 1);
  CHECK(lookups[3].parent == -1);
  REQUIRE(lookups[3].relation.size() == 2);
  CHECK(lookups[3].relation[1] == std::make_pair(std::string("d_kind"), std::string("kind")));
  CHECK(lookups[3].exclude == std::vector<std::string>{"secret"});
  CHECK(lookups[2].location.ToString() == "t.toml:27:1");
}

TEST_CASE("many problems are reported together, in file order") {
  std::string text =
      "[state]\n"                                   // 1
      "outbx_limit = 3\n"                           // 2
      "[sources.shop]\n"                            // 3
      "kind = \"mysql\"\n"                          // 4
      "port = 70000\n"                              // 5
      "password = \"${WEFT_TEST_UNSET_C}\"\n"       // 6
      "database = \"shop\"\n"                       // 7
      "[sinks.local]\n"                             // 8
      "kind = \"sqlite\"\n"                         // 9
      "[[views]]\n"                                 // 10
      "name = \"v\"\n"                              // 11
      "source = \"shop\"\n"                         // 12
      "root = \"r\"\n"                              // 13
      "sink = \"docs\"\n"                           // 14
      "[log]\n"                                     // 15
      "level = \"loud\"\n";                         // 16
  unsetenv("WEFT_TEST_UNSET_C");
  auto lines = Problems(text);
  REQUIRE(lines.size() == 7);
  CHECK(lines[0].rfind("t.toml:2:1: unknown key 'outbx_limit' in [state]; did you mean 'outbox_limit'?", 0) == 0);
  CHECK(lines[1] == "t.toml:3:1: [sources.shop] is missing the required key 'user'");
  CHECK(lines[2] == "t.toml:5:8: sources.shop.port: 70000 is out of range (1..65535)");
  CHECK(lines[3].rfind("t.toml:6:12: sources.shop.password: environment variable WEFT_TEST_UNSET_C is not set", 0) == 0);
  CHECK(lines[4] == "t.toml:8:1: [sinks.local] is missing the required key 'path'");
  CHECK(lines[5] == "t.toml:14:8: views[0].sink: sink \"docs\" is not defined (no [sinks.docs]; "
                    "defined: local)");
  CHECK(lines[6] == "t.toml:16:9: log.level: \"loud\" is not one of debug, info, warn, error");
}

}  // namespace
}  // namespace weft::config
