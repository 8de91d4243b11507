// Issue 4, item 6, the part the loader owns: every config-level problem of views at once, each at
// file:line:col, before anything connects (a lookup whose parent path is not defined, duplicate
// names, a sink or source that is not defined). Problems against the live source database (tables,
// columns) are checked by pipeline/view_validation.h.
#include <doctest/doctest.h>

#include <sstream>
#include <string>
#include <vector>

#include "config/config.h"

namespace weft::config {
namespace {

std::vector<std::string> Problems(const std::string& text) {
  auto config = ParseConfig(text, "t.toml");
  REQUIRE_MESSAGE(!config.ok(), "expected the config to be rejected:\n" << text);
  std::vector<std::string> lines;
  std::istringstream in(config.status().message());
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

TEST_CASE("undefined source and sink, duplicate view, undefined lookup parent: all reported together") {
  std::string text =
      "[sources.shop]\n"                        // 1
      "kind = \"mysql\"\n"                      // 2
      "user = \"weft\"\n"                       // 3
      "database = \"shop\"\n"                   // 4
      "[sinks.local]\n"                         // 5
      "kind = \"sqlite\"\n"                     // 6
      "path = \"docs.db\"\n"                    // 7
      "[[views]]\n"                             // 8
      "name = \"orders\"\n"                     // 9
      "source = \"shopp\"\n"                    // 10
      "root = \"ecom_orders\"\n"                // 11
      "sink = \"mongo\"\n"                      // 12
      "  [[views.lookups]]\n"                   // 13
      "  table = \"ecom_products\"\n"           // 14
      "  path = \"order_items.product\"\n"      // 15
      "  type = \"object\"\n"                   // 16
      "  relation = [[\"order_items.product_id\", \"product_id\"]]\n"  // 17
      "[[views]]\n"                             // 18
      "name = \"orders\"\n"                     // 19
      "source = \"shop\"\n"                     // 20
      "root = \"ecom_orders\"\n"                // 21
      "sink = \"local\"\n"                      // 22
      "collection = \"other\"\n";               // 23
  CHECK(Problems(text) ==
        std::vector<std::string>{
            "t.toml:10:10: views[0].source: source \"shopp\" is not defined (no [sources.shopp]; defined: shop); "
            "did you mean \"shop\"?",
            "t.toml:12:8: views[0].sink: sink \"mongo\" is not defined (no [sinks.mongo]; defined: local)",
            "t.toml:15:10: views[0].lookups[0].path: \"order_items.product\" needs its parent \"order_items\" "
            "defined by an earlier lookup of this view",
            "t.toml:19:8: views[1].name: the view name \"orders\" is already used by the view at t.toml:9:8"});
}

TEST_CASE("a source or sink defined twice is a TOML error at its place") {
  auto twice = ParseConfig("[sources.shop]\nkind = \"mysql\"\nuser = \"a\"\ndatabase = \"d\"\n"
                           "[sources.shop]\nkind = \"mysql\"\nuser = \"b\"\ndatabase = \"d\"\n",
                           "t.toml");
  REQUIRE_FALSE(twice.ok());
  CHECK(twice.status().message().rfind("t.toml:5:", 0) == 0);
}

}  // namespace
}  // namespace weft::config
