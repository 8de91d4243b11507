// The in-memory join of `weft verify`, on hand-made rows: the document semantics of issue 3.
#include <doctest/doctest.h>

#include "verify/expected_builder.h"
#include "verify/view_tree.h"

using namespace weft;
using change::Value;
using verify::ExpectedBuilder;
using verify::Row;

namespace {

change::TableSchema Table(const std::string& name, std::vector<std::string> columns, std::vector<int> pk) {
  change::TableSchema s;
  s.db = "shop";
  s.table = name;
  for (auto& c : columns) s.columns.push_back({c, "varchar(20)", true, false});
  s.primary_key = std::move(pk);
  return s;
}

config::LookupConfig Lookup(std::string table, std::string path, std::string type,
                            std::vector<std::pair<std::string, std::string>> relation) {
  config::LookupConfig l;
  l.table = std::move(table);
  l.path = std::move(path);
  l.type = std::move(type);
  l.relation = std::move(relation);
  return l;
}

Value S(const char* s) { return Value::String(s); }
Value I(int64_t i) { return Value::Int(i); }

// Feeds full rows (every schema column) of `table` to every node reading it, projected to the
// node's load list, the way the verifier does.
void Feed(ExpectedBuilder& b, const std::map<std::string, change::TableSchema>& schemas, const std::string& table,
          const std::vector<Row>& rows) {
  const auto& tree = b.tree();
  for (size_t n = 1; n < tree.nodes.size(); ++n) {
    if (tree.nodes[n].table != table) continue;
    for (const auto& full : rows) {
      Row r;
      for (int c : tree.nodes[n].load) r.push_back(full[c]);
      b.AddRow(static_cast<int>(n), r);
    }
  }
}

Row Project(const verify::ViewNode& node, const Row& full) {
  Row r;
  for (int c : node.load) r.push_back(full[c]);
  return r;
}

struct Shop {
  std::map<std::string, change::TableSchema> schemas;
  config::ViewConfig view;
  Shop() {
    schemas["orders"] = Table("orders", {"order_id", "customer_id", "region", "note"}, {0});
    schemas["customers"] = Table("customers", {"customer_id", "name", "secret"}, {0});
    schemas["items"] = Table("items", {"order_id", "item_no", "product_id"}, {0, 1});
    schemas["products"] = Table("products", {"product_id", "maker_id", "category"}, {0});
    schemas["makers"] = Table("makers", {"maker_id", "country"}, {0});
    schemas["shipments"] = Table("shipments", {"ship_id", "order_id", "region"}, {0});
    view.name = "v";
    view.root = "orders";
    view.exclude = {"note"};
    auto customer = Lookup("customers", "customer_info", "object", {{"customer_id", "customer_id"}});
    customer.exclude = {"secret"};
    view.lookups = {
        customer,
        Lookup("items", "items", "array", {{"order_id", "order_id"}}),
        Lookup("products", "items.product", "object", {{"items.product_id", "product_id"}}),
        Lookup("makers", "items.product.maker", "object", {{"items.product.maker_id", "maker_id"}}),
        Lookup("shipments", "shipments", "array", {{"order_id", "order_id"}, {"region", "region"}}),
    };
  }
};

}  // namespace

TEST_CASE("lookups nest three levels, arrays follow the primary key, composite relations match exactly") {
  Shop shop;
  auto tree = verify::ResolveView(shop.view, shop.schemas);
  REQUIRE_MESSAGE(tree.ok(), tree.status().ToString());
  CHECK(tree->nodes[3].parent == 2);  // items.product under items
  CHECK(tree->nodes[4].parent == 3);  // items.product.maker under items.product
  ExpectedBuilder b(*tree);
  Feed(b, shop.schemas, "customers", {{S("C1"), S("Ann"), S("pw")}});
  // Item numbers out of order, and numeric: 1, 2, 10 (not "1", "10", "2").
  Feed(b, shop.schemas, "items",
       {{S("O1"), I(10), S("P2")}, {S("O1"), I(2), S("P1")}, {S("O1"), I(1), S("P9")}, {S("O2"), I(1), S("P1")}});
  Feed(b, shop.schemas, "products", {{S("P1"), S("M1"), S("toys")}, {S("P2"), Value::Null(), S("books")}});
  Feed(b, shop.schemas, "makers", {{S("M1"), S("NZ")}});
  Feed(b, shop.schemas, "shipments",
       {{I(7), S("O1"), S("EU")}, {I(3), S("O1"), S("EU")}, {I(5), S("O1"), S("eu")}, {I(6), S("O1"), S("US")},
        {I(8), S("O3"), Value::Null()}});
  b.Seal();

  Row o1 = Project(tree->nodes[0], {S("O1"), S("C1"), S("EU"), S("n")});
  CHECK(change::ToJson(b.Build(o1)) ==
        R"({"_id":"O1","order_id":"O1","customer_id":"C1","region":"EU",)"
        R"("customer_info":{"customer_id":"C1","name":"Ann"},)"
        R"("items":[{"order_id":"O1","item_no":1,"product_id":"P9"},)"
        R"({"order_id":"O1","item_no":2,"product_id":"P1","product":{"product_id":"P1","maker_id":"M1","category":"toys","maker":{"maker_id":"M1","country":"NZ"}}},)"
        R"({"order_id":"O1","item_no":10,"product_id":"P2","product":{"product_id":"P2","maker_id":null,"category":"books"}}],)"
        R"("shipments":[{"ship_id":3,"order_id":"O1","region":"EU"},{"ship_id":7,"order_id":"O1","region":"EU"}]})");

  // No customer: the path is absent. No items, no shipments: []. NULL region never matches NULL.
  Row o3 = Project(tree->nodes[0], {S("O3"), S("C404"), Value::Null(), S("n")});
  CHECK(change::ToJson(b.Build(o3)) ==
        R"({"_id":"O3","order_id":"O3","customer_id":"C404","region":null,"items":[],"shipments":[]})");
}

TEST_CASE("an object lookup embeds the matching row with the smallest primary key") {
  std::map<std::string, change::TableSchema> schemas;
  schemas["a"] = Table("a", {"id", "tag"}, {0});
  schemas["b"] = Table("b", {"bid", "tag", "v"}, {0});
  config::ViewConfig view;
  view.name = "v";
  view.root = "a";
  view.lookups = {Lookup("b", "first_b", "object", {{"tag", "tag"}})};
  auto tree = verify::ResolveView(view, schemas);
  REQUIRE(tree.ok());
  ExpectedBuilder b(*tree);
  Feed(b, schemas, "b", {{I(30), S("x"), S("third")}, {I(-4), S("x"), S("first")}, {I(12), S("x"), S("second")}});
  b.Seal();
  CHECK(change::ToJson(b.Build({I(1), S("x")})) ==
        R"({"_id":1,"id":1,"tag":"x","first_b":{"bid":-4,"tag":"x","v":"first"}})");
}

TEST_CASE("a composite root key makes an object _id and id_key is its JSON; fields narrow in table order") {
  std::map<std::string, change::TableSchema> schemas;
  schemas["r"] = Table("r", {"x", "k2", "k1", "y"}, {2, 1});
  config::ViewConfig view;
  view.name = "v";
  view.root = "r";
  view.fields = {"y", "x"};
  auto tree = verify::ResolveView(view, schemas);
  REQUIRE(tree.ok());
  ExpectedBuilder b(*tree);
  b.Seal();
  Row row = Project(tree->nodes[0], {S("X"), I(2), S("a"), S("Y")});
  Value doc = b.Build(row);
  CHECK(change::ToJson(doc) == R"({"_id":{"k1":"a","k2":2},"x":"X","y":"Y"})");
  CHECK(doc.object().front().first == "_id");
}

TEST_CASE("view resolution names the broken relation") {
  Shop shop;
  shop.view.lookups[2].relation = {{"product_id", "product_id"}};  // missing the "items." prefix
  auto tree = verify::ResolveView(shop.view, shop.schemas);
  REQUIRE_FALSE(tree.ok());
  CHECK(tree.status().message().find("must start with 'items.'") != std::string::npos);

  Shop shop2;
  shop2.view.lookups[1].relation = {{"order_id", "no_such"}};
  auto tree2 = verify::ResolveView(shop2.view, shop2.schemas);
  REQUIRE_FALSE(tree2.ok());
  CHECK(tree2.status().message().find("'no_such' is not a column of table 'items'") != std::string::npos);

  Shop shop3;
  shop3.schemas.erase("makers");
  CHECK_FALSE(verify::ResolveView(shop3.view, shop3.schemas).ok());
}
