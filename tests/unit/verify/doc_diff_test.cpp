// The field-level diff `weft verify` prints for a differing document.
#include <doctest/doctest.h>

#include "verify/doc_diff.h"

using namespace weft;
using verify::DiffDocuments;
using verify::DiffOptions;

TEST_CASE("diff lists changed, absent and extra paths with expected and actual values") {
  std::string expected =
      R"({"_id":"O1","status":"shipped","items":[{"price":210.0,"product":{"cat":"toys"}},{"price":1}],"customer":{"city":"NY"}})";
  std::string actual =
      R"({"_id":"O1","status":"pending","items":[{"price":199.99,"product":{"cat":"toys","x":true}}],"extra":null})";
  size_t total = 0;
  auto diffs = DiffDocuments(expected, actual, DiffOptions{}, &total);
  REQUIRE(total == 6);
  REQUIRE(diffs.size() == 6);
  CHECK(diffs[0].path == "status");
  CHECK(*diffs[0].expected == "\"shipped\"");
  CHECK(*diffs[0].actual == "\"pending\"");
  CHECK(diffs[1].path == "items[0].price");
  CHECK(*diffs[1].expected == "210.0");  // number text kept: 210.0 is not silently 210
  CHECK(*diffs[1].actual == "199.99");
  CHECK(diffs[2].path == "items[0].product.x");
  CHECK_FALSE(diffs[2].expected.has_value());
  CHECK(diffs[3].path == "items[1]");
  CHECK_FALSE(diffs[3].actual.has_value());
  CHECK(diffs[4].path == "customer");
  CHECK(*diffs[4].expected == R"({"city":"NY"})");
  CHECK(diffs[5].path == "extra");
  CHECK(*diffs[5].actual == "null");
}

TEST_CASE("diff output is truncated and capped, with the full count") {
  std::string long_text(500, 'x');
  std::string expected = "{\"a\":\"" + long_text + "\",\"b\":1,\"c\":2,\"d\":3}";
  std::string actual = "{\"a\":\"y\",\"b\":2,\"c\":3,\"d\":4}";
  DiffOptions options;
  options.max_paths = 2;
  options.max_value = 20;
  std::string out = verify::FormatDocumentDiff("K1", expected, actual, options);
  CHECK(out.find("  differs  K1\n") == 0);
  CHECK(out.find("a: expected \"xxxxxxxxxxxxxxxxxxx...") != std::string::npos);
  CHECK(out.find("b: expected 1, actual 2") != std::string::npos);
  CHECK(out.find("c:") == std::string::npos);
  CHECK(out.find("... and 2 more") != std::string::npos);
  CHECK(out.size() < 300);
}

TEST_CASE("diff reports a field order difference and treats {\"$...\": x} as one value") {
  size_t total = 0;
  auto diffs = DiffDocuments(R"({"_id":1,"a":1,"b":2})", R"({"_id":1,"b":2,"a":1})", DiffOptions{}, &total);
  REQUIRE(total == 1);
  CHECK(diffs[0].order_only);
  CHECK(*diffs[0].expected == "_id,a,b");

  diffs = DiffDocuments(R"({"d":{"$date":"2024-11-10T00:00:00Z"}})", R"({"d":{"$date":"2024-11-11T00:00:00Z"}})",
                        DiffOptions{}, &total);
  REQUIRE(total == 1);
  CHECK(diffs[0].path == "d");
  CHECK(*diffs[0].expected == R"({"$date":"2024-11-10T00:00:00Z"})");

  CHECK(DiffDocuments(R"({"a":[1,{"b":"é"}]})", R"({"a":[1,{"b":"é"}]})", DiffOptions{}, &total).empty());
  CHECK(total == 0);
}

TEST_CASE("text that is not JSON, or JSON that differs only in spelling, is still a difference") {
  size_t total = 0;
  auto diffs = DiffDocuments(R"({"a":"\u00e9"})", R"({"a":"é"})", DiffOptions{}, &total);
  CHECK(total == 1);
  diffs = DiffDocuments("{\"a\":1}", "{\"a\":", DiffOptions{}, &total);
  REQUIRE(total == 1);
  CHECK(diffs[0].path.empty());
}

TEST_CASE("truncation never splits a UTF-8 character") {
  CHECK(verify::Truncate("abc", 5) == "abc");
  CHECK(verify::Truncate("a\xC3\xA9z", 2) == "a...");
  CHECK(verify::Truncate("a\xC3\xA9z", 3) == "a\xC3\xA9...");
}
