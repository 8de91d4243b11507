// The pieces of aggregate views without a server: exact decimals, SQL expressions (filter/having)
// through SQLite, and the Aggregator's retractions over a real StateDb (MIN/MAX multisets, COUNT
// DISTINCT reference counts, group moves and deletes, top-N ranks with ties).
#include <doctest/doctest.h>

#include <map>

#include "change/value.h"
#include "state/aggregate_store.h"
#include "state/state_db.h"
#include "view/aggregate/aggregator.h"
#include "view/aggregate/exact_decimal.h"
#include "view/aggregate/path_check.h"
#include "view/aggregate/sql_expr.h"
#include "view/key_order.h"
#include "view/view_def.h"

namespace weft::view {
namespace {

using change::Value;

ExactDecimal D(const char* text) {
  auto d = ExactDecimal::Parse(text);
  REQUIRE(d.has_value());
  return *d;
}

Value Doc(std::initializer_list<change::Field> fields) { return Value::MakeObject(change::Object(fields)); }

// A test "sink": the aggregator's writes applied by _id.
struct Sink {
  std::map<std::string, std::string> docs;
  Aggregator::Each each() {
    return [this](Value id, std::optional<Value> doc) {
      if (doc) {
        docs[IdKey(id)] = change::ToJson(*doc);
      } else {
        docs.erase(IdKey(id));
      }
      return core::Status::Ok();
    };
  }
};

config::ViewConfig SalesView() {
  config::ViewConfig v;
  v.name = "sales";
  v.source = "shop";
  v.root = "orders";
  v.sink = "local";
  v.group_by = {{"country", "country", 0, {}}};
  v.aggregates = {{"n", "count", "*", {}},
                  {"revenue", "sum", "total", {}},
                  {"avg", "avg", "total", {}},
                  {"low", "min", "total", {}},
                  {"high", "max", "total", {}},
                  {"buyers", "count_distinct", "customer_id", {}}};
  return v;
}

struct Fixture {
  std::unique_ptr<state::StateDb> db;
  std::optional<state::AggregateStore> store;
  ViewSet set;
  std::unique_ptr<Aggregator> agg;
  Sink sink;

  explicit Fixture(const config::ViewConfig& v) {
    auto opened = state::StateDb::Open(":memory:");
    REQUIRE(opened.ok());
    db = std::move(*opened);
    auto s = state::AggregateStore::Open(db.get());
    REQUIRE(s.ok());
    store.emplace(std::move(*s));
    auto built = BuildViewSet({v});
    REQUIRE_MESSAGE(built.ok(), built.status().message());
    set = std::move(*built);
    agg = std::make_unique<Aggregator>(v.name, set.views[0].aggregate.get(), &*store, nullptr);
  }
  void Row(int pk, const std::string& country, const char* total, int customer) {
    Value doc = Doc({{"id", Value::Int(pk)},
                     {"country", Value::String(country)},
                     {"total", Value::Decimal(total)},
                     {"customer_id", Value::Int(customer)}});
    REQUIRE(agg->Update(OrderedKey({Value::Int(pk)}), &doc).ok());
  }
  void Gone(int pk) { REQUIRE(agg->Update(OrderedKey({Value::Int(pk)}), nullptr).ok()); }
  void Flush() { REQUIRE(agg->Emit(sink.each()).ok()); }
};

}  // namespace

TEST_CASE("exact decimals add and retract without drift, and divide rounding half away from zero") {
  ExactDecimal sum;
  for (int i = 0; i < 1000; ++i) REQUIRE(sum.Add(D("0.10")).ok());
  CHECK(sum.ToString() == "100.00");
  for (int i = 0; i < 1000; ++i) REQUIRE(sum.Subtract(D("0.10")).ok());
  CHECK(sum.ToString() == "0.00");
  ExactDecimal x = D("-1.5");
  REQUIRE(x.Add(D("0.25")).ok());
  CHECK(x.ToString() == "-1.25");
  CHECK(D("30.35").DivideBy(3, 6)->ToString() == "10.116667");
  CHECK(D("-0.05").DivideBy(2, 2)->ToString() == "-0.03");
  CHECK(D("7").DivideBy(2, 4)->ToString() == "3.5000");
  CHECK(D("0.001").ToString() == "0.001");
  CHECK(D("12").AsInt64() == 12);
  CHECK(!ExactDecimal::Parse("1e5"));
  CHECK(!ExactDecimal::Parse("12a"));
  ExactDecimal big = D("99999999999999999999999999999999999999");
  CHECK(big.Add(D("1")).ok());  // 38 digits always fit ...
  CHECK(!big.Add(big).ok());     // ... past 128 bits it is an error, never a wrapped sum
}

TEST_CASE("SQL expressions: names resolve to the root and to object lookups, errors point into the string") {
  config::Location at{"t.toml", 14, 10};
  auto e = SqlExpression::Compile("status <> 'canceled' AND customer.country IN ('France', 'China') AND total > 10",
                                  {"orders", {"customer"}}, at, "filter");
  REQUIRE_MESSAGE(e.ok(), e.status().message());
  CHECK((*e)->columns().size() == 3);
  Value doc = Doc({{"status", Value::String("paid")},
                   {"total", Value::Decimal("10.50")},
                   {"customer", Doc({{"country", Value::String("France")}})}});
  CHECK(*(*e)->Matches(doc) == true);
  doc.Set("status", Value::String("canceled"));
  CHECK(*(*e)->Matches(doc) == false);
  doc.Set("status", Value::Null());  // NULL <> 'canceled' is NULL: not in the view, like WHERE
  CHECK(*(*e)->Matches(doc) == false);
  doc.Set("status", Value::String("paid"));
  doc.Erase("customer");  // no customer: its columns are NULL
  CHECK(*(*e)->Matches(doc) == false);

  auto qualified = SqlExpression::Compile("orders.total >= 10", {"orders", {}}, at, "filter");
  REQUIRE(qualified.ok());
  CHECK(*(*qualified)->Matches(Doc({{"total", Value::Int(10)}})) == true);

  auto bad = SqlExpression::Compile("status <> 'x' AND AND total", {"orders", {}}, at, "view 'v': filter");
  REQUIRE(!bad.ok());
  CHECK(bad.status().message().find("t.toml:14:") == 0);
  CHECK(bad.status().message().find("syntax error") != std::string::npos);
  // The column points at the second AND (offset 18 in the expression, after the opening quote).
  CHECK(bad.status().message().find("t.toml:14:29:") == 0);

  auto unknown = SqlExpression::Compile("seller.city = 'x'", {"orders", {"customer"}}, at, "filter");
  REQUIRE(!unknown.ok());
  CHECK(unknown.status().message().find("'seller' is not one of the root table 'orders', 'customer'") !=
        std::string::npos);
  CHECK(!SqlExpression::Compile("1; DROP TABLE x", {"orders", {}}, at, "filter").ok());
  CHECK(!SqlExpression::Compile("nosuchfn(total)", {"orders", {}}, at, "filter").ok());
}

TEST_CASE("the aggregator retracts exactly: deleting the maximum finds the next, distinct counts, moves") {
  Fixture f(SalesView());
  f.Row(1, "France", "10.00", 7);
  f.Row(2, "France", "30.00", 7);
  f.Row(3, "France", "30.00", 8);  // two equal maxima
  f.Row(4, "China", "5.50", 9);
  f.Flush();
  CHECK(f.sink.docs["France"] ==
        R"({"_id":"France","country":"France","n":3,"revenue":70.00,"avg":23.333333,"low":10.00,"high":30.00,"buyers":2})");
  f.Gone(3);  // one of the two maxima leaves: the max stays 30.00
  f.Flush();
  CHECK(f.sink.docs["France"] ==
        R"({"_id":"France","country":"France","n":2,"revenue":40.00,"avg":20.000000,"low":10.00,"high":30.00,"buyers":1})");
  f.Gone(2);  // the last maximum leaves: the next one is found
  f.Flush();
  CHECK(f.sink.docs["France"] ==
        R"({"_id":"France","country":"France","n":1,"revenue":10.00,"avg":10.000000,"low":10.00,"high":10.00,"buyers":1})");
  f.Row(1, "China", "10.00", 9);  // the row moves to another group (same buyer as China's)
  f.Flush();
  CHECK(f.sink.docs.count("France") == 0);  // its last row left: deleted
  CHECK(f.sink.docs["China"] ==
        R"({"_id":"China","country":"China","n":2,"revenue":15.50,"avg":7.750000,"low":5.50,"high":10.00,"buyers":1})");
  // Replaying the same contribution changes nothing (a transaction replayed after a crash).
  f.Row(1, "China", "10.00", 9);
  f.Flush();
  CHECK(f.sink.docs["China"].find("\"n\":2") != std::string::npos);
  // Everything leaves: the state is empty again.
  f.Gone(1);
  f.Gone(4);
  f.Flush();
  CHECK(f.sink.docs.empty());
  std::vector<std::string> left;
  REQUIRE(f.store->ScanGroups("sales", [&](const std::string& g, const std::string&) {
                   left.push_back(g);
                   return core::Status::Ok();
                 }).ok());
  CHECK(left.empty());
  CHECK(!f.store->MinMax("sales", 3, OrderedKey({Value::String("France")}), false)->has_value());
}

TEST_CASE("top-N keeps the best groups per partition in order, ties broken by group key") {
  config::ViewConfig v = SalesView();
  v.group_by = {{"country", "country", 0, {}}, {"customer", "customer_id", 0, {}}};
  v.aggregates = {{"spent", "sum", "total", {}}};
  v.top.n = 2;
  v.top.by = "spent";
  v.top.partition_by = {"country"};
  Fixture f(v);
  f.Row(1, "France", "10.00", 3);
  f.Row(2, "France", "10.00", 2);  // ties with customer 3: customer 2 ranks first
  f.Row(3, "France", "1.00", 1);
  f.Flush();
  CHECK(f.sink.docs["France"] ==
        R"({"_id":"France","country":"France","top":[{"customer":2,"spent":10.00},{"customer":3,"spent":10.00}]})");
  f.Row(3, "France", "11.00", 1);  // customer 1 climbs to the top
  f.Flush();
  CHECK(f.sink.docs["France"] ==
        R"({"_id":"France","country":"France","top":[{"customer":1,"spent":11.00},{"customer":2,"spent":10.00}]})");
  f.Gone(3);
  f.Gone(2);
  f.Flush();
  CHECK(f.sink.docs["France"] == R"({"_id":"France","country":"France","top":[{"customer":3,"spent":10.00}]})");
  f.Gone(1);
  f.Flush();
  CHECK(f.sink.docs.count("France") == 0);
}

TEST_CASE("tumble buckets and paths through array lookups") {
  GroupKeyDef minute{"minute", {"ts"}, 60};
  CHECK(ToJson(KeyValue(minute, Doc({{"ts", Value::DateTime("2026-01-01 10:00:59.999")}}))) == "\"2026-01-01 10:00:00\"");
  CHECK(ToJson(KeyValue(minute, Doc({{"ts", Value::DateTime("2026-01-01 10:01:00")}}))) == "\"2026-01-01 10:01:00\"");
  GroupKeyDef day{"day", {"ts"}, 86400};
  CHECK(ToJson(KeyValue(day, Doc({{"ts", Value::Date("2024-02-29")}}))) == "\"2024-02-29 00:00:00\"");
  CHECK(KeyValue(minute, Doc({{"ts", Value::String("soon")}})).is_null());
  CHECK(ToJson(DateTimeOf(*EpochSeconds(Value::DateTime("1969-12-31 23:59:30")) / 60 * 60 - 60)) ==
        "\"1969-12-31 23:59:00\"");

  Value customer = Doc({{"orders", Value::MakeArray({Doc({{"total", Value::Decimal("1.50")}}),
                                                     Doc({{"total", Value::Null()}}),
                                                     Doc({{"total", Value::Decimal("2.00")}})})}});
  std::vector<const Value*> values;
  CollectValues(customer, {"orders", "total"}, &values);
  CHECK(values.size() == 3);
}

TEST_CASE("BuildViewSet checks aggregate paths against the lookups and having against the fields") {
  config::ViewConfig v = SalesView();
  v.root = "customers";
  config::LookupConfig orders;
  orders.table = "orders";
  orders.path = "orders";
  orders.type = "array";
  orders.relation = {{"id", "customer_id"}};
  v.lookups = {orders};
  v.group_by = {{"total", "orders.total", 0, {"t.toml", 20, 9}}};
  auto r = BuildViewSet({v});
  REQUIRE(!r.ok());
  CHECK(r.status().message().find("t.toml:20:9: view 'sales', group_by.total: \"orders.total\" passes an array lookup") == 0);

  v.group_by = {{"country", "country", 0, {}}};
  v.aggregates = {{"revenue", "sum", "orders", {"t.toml", 21, 11}}};
  r = BuildViewSet({v});
  REQUIRE(!r.ok());
  CHECK(r.status().message().find("is the lookup itself") != std::string::npos);

  v.aggregates = {{"revenue", "sum", "orders.total", {}}};
  v.having = "revnue > 0";
  v.having_location = {"t.toml", 9, 10};
  r = BuildViewSet({v});
  REQUIRE(!r.ok());
  CHECK(r.status().message().find("having names \"revnue\", which is not a field of its documents") != std::string::npos);
  v.having = "revenue > 0";
  CHECK(BuildViewSet({v}).ok());
}

}  // namespace weft::view

namespace weft::view {

TEST_CASE("the columns keys, aggregates and filters read are checked against the source's tables") {
  config::ViewConfig v;
  v.name = "revenue";
  v.root = "orders";
  config::LookupConfig customer;
  customer.table = "customers";
  customer.path = "customer";
  customer.type = "object";
  v.lookups = {customer};
  v.group_by = {{"country", "customer.contry", 0, {"t.toml", 20, 11}}};
  v.aggregates = {{"revenue", "sum", "totl", {"t.toml", 22, 11}}, {"n", "count", "*", {}}};
  v.filter = "status <> 'x' AND customer.vip = 1";
  v.filter_location = {"t.toml", 8, 10};
  std::map<std::string, std::vector<std::string>> tables = {{"orders", {"id", "customer_id", "total", "status"}},
                                                            {"customers", {"id", "country"}}};
  auto problems = CheckViewPaths(v, [&](const std::string& t) -> const std::vector<std::string>* {
    auto it = tables.find(t);
    return it == tables.end() ? nullptr : &it->second;
  });
  REQUIRE(problems.size() == 3);
  CHECK(problems[0] ==
        "t.toml:20:11: view 'revenue', group_by.country reads \"customer.contry\": table `customers` of lookup "
        "'customer' has no column 'contry' (columns: id, country); fix the path or restore the column");
  CHECK(problems[1].find("t.toml:22:11: view 'revenue', aggregates.revenue reads \"totl\": the root table `orders` "
                         "has no column 'totl'") == 0);
  CHECK(problems[2].find("t.toml:8:10: view 'revenue', filter: table `customers` of lookup 'customer' has no column "
                         "'vip'") == 0);
  v.group_by[0].path = "customer.country";
  v.aggregates[0].path = "total";
  v.filter = "status <> 'x'";
  CHECK(CheckViewPaths(v, [&](const std::string& t) -> const std::vector<std::string>* { return &tables[t]; }).empty());
}

}  // namespace weft::view
