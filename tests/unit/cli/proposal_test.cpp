// weft init's proposal: relation guesses from column names, the roots it picks, the lookup tree
// (objects for parents, arrays for children, nesting), cycles, the depth cap and fan-out.
#include "cli/init/proposal.h"

#include <doctest/doctest.h>

#include <string>

#include "cli/init/names.h"
#include "cli/init/relation_guess.h"
#include "init_test_graphs.h"

namespace weft::cli::init {
namespace {

using source::SchemaGraph;
using source::SchemaRelation;
using source::SchemaTable;

const ProposedLookup* Find(const ProposedView& v, const std::string& path) {
  for (const auto& l : v.lookups)
    if (l.path == path) return &l;
  return nullptr;
}

SchemaRelation Fk(const std::string& name, const std::string& child, const std::string& column,
                  const std::string& parent, const std::string& key) {
  SchemaRelation r;
  r.constraint = name;
  r.child = child;
  r.child_columns = {column};
  r.parent = parent;
  r.parent_columns = {key};
  return r;
}

}  // namespace

TEST_CASE("names: singulars, the common prefix, safe names") {
  CHECK(Singular("customers") == "customer");
  CHECK(Singular("categories") == "category");
  CHECK(Singular("addresses") == "address");
  CHECK(Singular("statuses") == "status");
  CHECK(Singular("status") == "status");
  CHECK(CommonPrefix({"ecom_orders", "ecom_order_items", "ecom_customers"}) == "ecom_");
  CHECK(CommonPrefix({"orders", "order_items"}) == "");
  CHECK(CommonPrefix({"orders"}) == "");
  CHECK(StripPrefix("ecom_orders", "ecom_") == "orders");
  CHECK(SafeName("a b.c") == "a_b_c");
  CHECK(SlotSafeName("My-Shop") == "my_shop");
}

TEST_CASE("the seed tables without foreign keys: guesses give the seeds' order document") {
  SchemaGraph g = testing::SeedGraph();
  CHECK(AddGuessedRelations(&g) == 5);
  for (const auto& r : g.relations) CHECK(r.guessed);
  Proposal p = Propose(g);
  REQUIRE(p.views.size() == 1);
  const ProposedView& v = p.views[0];
  CHECK(v.root == "ecom_orders");
  CHECK(v.name == "orders");
  CHECK(v.reason.find("aggregate root") != std::string::npos);
  REQUIRE(v.lookups.size() == 5);
  const ProposedLookup* customer = Find(v, "customer");
  REQUIRE(customer);
  CHECK(customer->table == "ecom_customers");
  CHECK_FALSE(customer->array);
  CHECK(customer->relation == std::vector<std::pair<std::string, std::string>>{{"customer_id", "customer_id"}});
  const ProposedLookup* items = Find(v, "order_items");
  REQUIRE(items);
  CHECK(items->array);
  CHECK(items->relation == std::vector<std::pair<std::string, std::string>>{{"order_id", "order_id"}});
  CHECK(items->fan_out == doctest::Approx(1.5));  // 4500 items / 3000 orders
  const ProposedLookup* payments = Find(v, "order_payments");
  REQUIRE(payments);
  CHECK(payments->array);
  const ProposedLookup* product = Find(v, "order_items.product");
  REQUIRE(product);
  CHECK_FALSE(product->array);
  CHECK(product->depth == 2);
  CHECK(product->relation ==
        std::vector<std::pair<std::string, std::string>>{{"order_items.product_id", "product_id"}});
  CHECK(product->fan_out == doctest::Approx(150.0));  // 4500 items embed 30 products
  const ProposedLookup* seller = Find(v, "order_items.seller");
  REQUIRE(seller);
  CHECK(seller->fan_out < 0);  // ecom_sellers has no statistics
  // Parents precede their children, as the config requires.
  CHECK(items - &v.lookups[0] < product - &v.lookups[0]);
  // An object lookup has no children of its own: the customer's other orders are not embedded.
  for (const auto& l : v.lookups) CHECK(l.path.rfind("customer.", 0) != 0);
}

TEST_CASE("declared foreign keys are not guessed again, and a 1:1 key is never guessed from") {
  SchemaGraph g = testing::SeedGraph();
  g.relations.push_back(Fk("fk_orders_customer", "ecom_orders", "customer_id", "ecom_customers", "customer_id"));
  // A 1:1 extension table shares the customers' key.
  g.tables.push_back({"ecom_customer_notes", {"customer_id", "note"}, {"customer_id"}, 10});
  CHECK(AddGuessedRelations(&g) == 4);
  int to_customers = 0;
  for (const auto& r : g.relations) {
    if (r.child == "ecom_orders" && r.child_columns[0] == "customer_id") ++to_customers;
    CHECK_FALSE((r.child == "ecom_customer_notes" || r.child == "ecom_customers"));
  }
  CHECK(to_customers == 1);
  Proposal p = Propose(g);
  REQUIRE(p.views.size() == 1);
  const ProposedLookup* customer = Find(p.views[0], "customer");
  REQUIRE(customer);
  CHECK_FALSE(customer->via.guessed);
  CHECK(customer->via.constraint == "fk_orders_customer");
}

TEST_CASE("surrogate keys: '<singular>_id' -> 'id' guesses, roles, the top-level tables and the hub as roots") {
  SchemaGraph g;
  g.tables = {{"addresses", {"id", "city"}, {"id"}, 10},
              {"customers", {"id", "name"}, {"id"}, 10},
              {"order_items", {"id", "order_id", "product_id"}, {"id"}, 100},
              {"orders", {"id", "customer_id", "shipping_address_id"}, {"id"}, 20},
              {"products", {"id", "title"}, {"id"}, 5}};
  CHECK(AddGuessedRelations(&g) == 4);
  bool role = false;
  for (const auto& r : g.relations)
    role = role || (r.child_columns[0] == "shipping_address_id" && r.parent == "addresses");
  CHECK(role);
  Proposal p = Propose(g);
  std::vector<std::string> roots;
  for (const auto& v : p.views) roots.push_back(v.root);
  // addresses, customers, products reference nothing; orders has the most relations (3).
  CHECK(roots == std::vector<std::string>{"addresses", "customers", "products", "orders"});
  const ProposedView& orders = p.views[3];
  CHECK(Find(orders, "customer"));
  CHECK(Find(orders, "shipping_address"));
  const ProposedLookup* items = Find(orders, "order_items");
  REQUIRE(items);
  CHECK(items->relation == std::vector<std::pair<std::string, std::string>>{{"id", "order_id"}});
  CHECK(Find(orders, "order_items.product"));
}

TEST_CASE("cycles are cut, the depth is capped, self references are skipped, keyless tables are no roots") {
  SchemaGraph g;
  g.tables = {{"a", {"id", "b_id"}, {"id"}, 1},
              {"b", {"id", "a_id"}, {"id"}, 1},
              {"c", {"id", "c_id", "parent_id"}, {"id"}, 1},
              {"logs", {"a_id", "line"}, {}, 1}};
  g.relations = {Fk("ab", "a", "b_id", "b", "id"), Fk("ba", "b", "a_id", "a", "id"),
                 Fk("cc", "c", "parent_id", "c", "id"), Fk("la", "logs", "a_id", "a", "id")};
  Proposal p = Propose(g);
  for (const auto& v : p.views) {
    CHECK(v.root != "logs");
    CHECK(v.root != "c");  // only a self reference: no relation to anything else
    for (const auto& l : v.lookups) CHECK(l.table != v.root);
  }
  bool keyless_note = false;
  for (const auto& n : p.notes) keyless_note = keyless_note || n.find("logs has no primary key") != std::string::npos;
  CHECK(keyless_note);
  bool cycle_note = false;
  for (const auto& v : p.views) {
    for (const auto& n : v.notes) cycle_note = cycle_note || n.find("a cycle") != std::string::npos;
  }
  CHECK(cycle_note);
  // For PostgreSQL a keyless table is no lookup either (it could not stream without a replica identity).
  ProposalOptions pg;
  pg.keyless_lookups = false;
  bool logs_embedded = false, logs_note = false;
  for (const auto& v : Propose(g, pg).views) {
    for (const auto& l : v.lookups) logs_embedded = logs_embedded || l.table == "logs";
    for (const auto& n : v.notes) logs_note = logs_note || n.find("logs REPLICA IDENTITY FULL") != std::string::npos;
  }
  CHECK_FALSE(logs_embedded);
  CHECK(logs_note);
  bool logs_in_mysql = false;
  for (const auto& v : p.views) {
    for (const auto& l : v.lookups) logs_in_mysql = logs_in_mysql || l.table == "logs";
  }
  CHECK(logs_in_mysql);

  // A chain five deep stops at max_depth, with a note.
  SchemaGraph chain;
  chain.tables = {{"t0", {"id"}, {"id"}, 1},
                  {"t1", {"id", "t0_id"}, {"id"}, 1},
                  {"t2", {"id", "t1_id"}, {"id"}, 1},
                  {"t3", {"id", "t2_id"}, {"id"}, 1},
                  {"t4", {"id", "t3_id"}, {"id"}, 1}};
  CHECK(AddGuessedRelations(&chain) == 4);
  ProposalOptions options;
  options.max_depth = 2;
  options.roots = {"t0"};
  Proposal deep = Propose(chain, options);
  REQUIRE(deep.views.size() == 1);
  CHECK(deep.views[0].reason == "chosen with --root");
  REQUIRE(deep.views[0].lookups.size() == 2);
  CHECK(deep.views[0].lookups[1].path == "t1.t2");
  REQUIRE(deep.views[0].notes.size() == 1);
  CHECK(deep.views[0].notes[0].find("deeper than 2 levels") != std::string::npos);
}

TEST_CASE("a path segment never shadows a column of its node, and sibling names stay unique") {
  SchemaGraph g;
  g.tables = {{"orders", {"id", "customer", "customer_id"}, {"id"}, 1}, {"customers", {"id"}, {"id"}, 1}};
  g.relations = {Fk("fk", "orders", "customer_id", "customers", "id")};
  Proposal p = Propose(g, {3, {"orders"}});
  REQUIRE(p.views.size() == 1);
  REQUIRE(p.views[0].lookups.size() == 1);
  CHECK(p.views[0].lookups[0].path == "customer_info");
}

TEST_CASE("fan-out needs both estimates") {
  SchemaTable many{"m", {}, {}, 10}, one{"o", {}, {}, 4}, unknown{"u", {}, {}, -1};
  CHECK(EstimateFanOut(&many, &one) == doctest::Approx(2.5));
  CHECK(EstimateFanOut(&many, &unknown) < 0);
  CHECK(EstimateFanOut(&unknown, &one) < 0);
}

}  // namespace weft::cli::init
