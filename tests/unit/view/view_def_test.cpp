#include <doctest/doctest.h>

#include "seeds_schema.h"
#include "test_support.h"
#include "view/view_def.h"

using namespace weft;
using namespace weft::test;

TEST_CASE("lookup parents are the longest earlier path prefix, segment-wise") {
  config::ViewConfig v = OrderSingleView();
  // "order_itemsX" is not under "order_items"; "order_items.product.maker" is under the product.
  v.lookups.push_back(Lookup("t_x", "order_itemsX", "object", {{"order_id", "x"}}));
  v.lookups.push_back(Lookup("t_m", "order_items.product.maker", "object", {{"order_items.product.maker_id", "id"}}));
  auto set = view::BuildViewSet({v});
  REQUIRE_MESSAGE(set.ok(), set.status().ToString());
  const auto& nodes = set->views[0].nodes;
  REQUIRE(nodes.size() == 8);
  CHECK(nodes[1].parent == 0);  // customer_info
  CHECK(nodes[3].parent == 0);  // order_items
  CHECK(nodes[4].parent == 3);  // order_items.product
  CHECK(nodes[4].place == std::vector<std::string>{"product"});
  CHECK(nodes[4].parent_columns == std::vector<std::string>{"product_id"});
  CHECK(nodes[6].parent == 0);  // order_itemsX
  CHECK(nodes[7].parent == 4);
  CHECK(nodes[7].parent_columns == std::vector<std::string>{"maker_id"});
  CHECK(nodes[0].children == std::vector<int>{1, 2, 3, 6});
  CHECK(nodes[3].children == std::vector<int>{4, 5});
  CHECK(set->views[0].collection == "orderSingleView");
}

TEST_CASE("replicas: one per table, key columns and indexes on both sides of every relation") {
  auto set = view::BuildViewSet({OrderSingleView()});
  REQUIRE(set.ok());
  REQUIRE(set->tables.size() == 6);
  int orders = set->FindTable("shop", "ecom_orders");
  int items = set->FindTable("shop", "ecom_order_items");
  REQUIRE(orders >= 0);
  REQUIRE(items >= 0);
  CHECK(set->FindTable("other", "ecom_orders") < 0);
  // orders: probed by customer_id (customer changes) and order_id (item and payment changes).
  const auto& o = set->tables[orders].layout;
  CHECK(o.key_columns == std::vector<std::string>{"customer_id", "order_id"});
  CHECK(o.indexes.size() == 2);
  // items: by order_id (assembly), product_id and seller_id (walking up from products/sellers).
  const auto& it = set->tables[items].layout;
  CHECK(it.key_columns == std::vector<std::string>{"order_id", "product_id", "seller_id"});
  CHECK(it.indexes == std::vector<std::vector<int>>{{0}, {1}, {2}});
}

TEST_CASE("stored columns are the union of what the views show plus relation columns") {
  config::ViewConfig a;
  a.name = "a";
  a.source = "shop";
  a.root = "t";
  a.fields = {"x"};
  a.lookups.push_back(Lookup("u", "us", "array", {{"k", "tk"}}));
  a.lookups.back().exclude = {"big", "blob"};
  config::ViewConfig b = a;
  b.name = "b";
  b.lookups.back().exclude = {"blob"};
  auto set = view::BuildViewSet({a, b});
  REQUIRE(set.ok());
  const auto& t = set->tables[set->FindTable("shop", "t")];
  CHECK(t.Stores("x"));
  CHECK(t.Stores("k"));  // relation column, though no view shows it
  CHECK(!t.Stores("y"));
  const auto& u = set->tables[set->FindTable("shop", "u")];
  CHECK(u.Stores("big"));  // view b shows it
  CHECK(!u.Stores("blob"));
  CHECK(u.Stores("anything"));
}

TEST_CASE("invalid views are rejected with the lookup named") {
  auto error_of = [](config::ViewConfig v) {
    auto set = view::BuildViewSet({v});
    REQUIRE(!set.ok());
    return set.status().message();
  };
  config::ViewConfig v = OrderSingleView();
  v.lookups[3].relation = {{"product_id", "product_id"}};  // missing the parent's path prefix
  v.lookups[3].location = {"weft.toml", 40, 3};
  std::string m = error_of(v);
  CHECK(m.find("weft.toml:40:3") != std::string::npos);
  CHECK(m.find("order_items.product") != std::string::npos);
  CHECK(m.find("'order_items.<column>'") != std::string::npos);

  v = OrderSingleView();
  v.lookups[0].type = "list";
  CHECK(error_of(v).find("\"object\" or \"array\"") != std::string::npos);
  v = OrderSingleView();
  v.lookups[0].relation.clear();
  CHECK(error_of(v).find("relation is empty") != std::string::npos);
  v = OrderSingleView();
  v.lookups[1].path = "customer_info";
  CHECK(error_of(v).find("same path") != std::string::npos);
  v = OrderSingleView();
  v.lookups[1].path = "a..b";
  CHECK(error_of(v).find("dotted names") != std::string::npos);

  auto twice = view::BuildViewSet({OrderSingleView(), OrderSingleView()});
  REQUIRE(!twice.ok());
  CHECK(twice.status().message().find("already exists") != std::string::npos);
}
