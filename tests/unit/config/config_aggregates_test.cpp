// Aggregate views and filters in the config (issue 11): the vocabulary parses in file order, and
// every mistake is reported at its file:line:col with the fix.
#include <doctest/doctest.h>

#include <string>

#include "config/config.h"

namespace weft::config {
namespace {

// Lines 1-11.
const std::string kHead =
    "[sources.shop]\nkind = \"mysql\"\nuser = \"weft\"\ndatabase = \"shop\"\n"
    "[sinks.local]\nkind = \"sqlite\"\npath = \"docs.db\"\n"
    "[[views]]\nname = \"sales\"\nsource = \"shop\"\nroot = \"orders\"\n";
// Line 12 onwards.
const std::string kSink = "sink = \"local\"\n";

std::string Errors(const std::string& text) {
  auto c = ParseConfig(text, "t.toml");
  return c.ok() ? std::string() : c.status().message();
}

}  // namespace

TEST_CASE("an aggregate view's keys and aggregates parse in file order, with tumble, having, top and filter") {
  auto c = ParseConfig(kHead + kSink +
                           "filter = \"status <> 'canceled'\"\n"
                           "having = \"orders > 1\"\n"
                           "[views.group_by]\n"
                           "minute = \"tumble(sale_ts, '5 MINUTES')\"\n"
                           "country = \"customer.country\"\n"
                           "[views.aggregates]\n"
                           "revenue = \"sum(total)\"\n"
                           "orders = \"COUNT(*)\"\n"
                           "buyers = \"count_distinct(customer_id)\"\n"
                           "avg_order = \"avg( total )\"\n"
                           "[views.top]\nn = 5\nby = \"revenue\"\npartition_by = [\"minute\"]\n",
                       "t.toml");
  REQUIRE_MESSAGE(c.ok(), c.status().message());
  const ViewConfig& v = c->views[0];
  CHECK(v.is_aggregate());
  CHECK(v.filter == "status <> 'canceled'");
  CHECK(v.filter_location.line == 13);
  REQUIRE(v.group_by.size() == 2);
  CHECK(v.group_by[0].name == "minute");  // file order, not toml++'s sorted order
  CHECK(v.group_by[0].path == "sale_ts");
  CHECK(v.group_by[0].tumble_seconds == 300);
  CHECK(v.group_by[1].path == "customer.country");
  REQUIRE(v.aggregates.size() == 4);
  CHECK(v.aggregates[0].name == "revenue");
  CHECK(v.aggregates[1].function == "count");
  CHECK(v.aggregates[1].path == "*");
  CHECK(v.aggregates[3].path == "total");
  CHECK(v.top.n == 5);
  CHECK(v.top.descending);
  CHECK(v.top.partition_by == std::vector<std::string>{"minute"});
}

TEST_CASE("aggregate mistakes are reported at their place with the fix") {
  std::string e = Errors(kHead + kSink + "[views.aggregates]\nrevenue = \"total(amount)\"\n");
  CHECK(e.find("t.toml:14:11: views[0].aggregates.revenue: unknown function \"total\"") != std::string::npos);

  e = Errors(kHead + kSink + "[views.aggregates]\nrevenue = \"sums(total)\"\n");
  CHECK(e.find("did you mean \"sum\"?") != std::string::npos);

  e = Errors(kHead + kSink + "[views.aggregates]\nrevenue = \"sum(*)\"\n");
  CHECK(e.find("only count takes *") != std::string::npos);

  e = Errors(kHead + kSink + "[views.group_by]\nminute = \"tumble(ts, '1 fortnight')\"\n[views.aggregates]\nn = \"count(*)\"\n");
  CHECK(e.find("t.toml:14:10:") != std::string::npos);
  CHECK(e.find("is not an interval") != std::string::npos);

  e = Errors(kHead + kSink + "[views.group_by]\nc = \"country\"\n");
  CHECK(e.find("only an aggregate view has group_by; add [views.aggregates]") != std::string::npos);

  e = Errors(kHead + kSink + "[views.aggregates]\nn = \"count(*)\"\n[views.top]\nn = 3\nby = \"revenue\"\n");
  CHECK(e.find("views[0].top.by: \"revenue\" is not an aggregate of this view (aggregates: n)") != std::string::npos);

  e = Errors(kHead + kSink + "[views.aggregates]\nn = \"count(*)\"\n[views.top]\nn = 3\nby = \"n\"\nranks = 1\n");
  CHECK(e.find("ranks") != std::string::npos);  // unknown keys of [views.top] are errors

  e = Errors(kHead + kSink + "fields = [\"a\"]\n[views.aggregates]\nn = \"count(*)\"\n");
  CHECK(e.find("drop fields/exclude") != std::string::npos);

  e = Errors(kHead + kSink + "[views.group_by]\nn = \"country\"\n[views.aggregates]\nn = \"count(*)\"\n");
  CHECK(e.find("already a group_by key") != std::string::npos);
}

}  // namespace weft::config
