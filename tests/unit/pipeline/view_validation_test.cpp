// ValidateViews: the views of a config against a source database's tables and columns.
#include "pipeline/view_validation.h"

#include <doctest/doctest.h>

#include "config/config.h"

using namespace weft;
using pipeline::SourceCatalog;
using pipeline::ValidateViews;
using pipeline::ViewProblem;

namespace {

SourceCatalog Shop() {
  SourceCatalog c;
  c.database = "shop";
  c.tables["ecom_orders"] = {"order_id", "customer_id", "order_status"};
  c.tables["ecom_customers"] = {"customer_id", "customer_city", "customer_state"};
  c.tables["ecom_order_items"] = {"order_id", "order_item_id", "product_id", "price"};
  c.tables["ecom_products"] = {"product_id", "product_weight_g"};
  return c;
}

const std::string kHead =
    "[sources.shop]\nkind = \"mysql\"\nuser = \"weft\"\ndatabase = \"shop\"\n"    // 1-4
    "[sources.other]\nkind = \"mysql\"\nuser = \"weft\"\ndatabase = \"other\"\n"  // 5-8
    "[sinks.local]\nkind = \"sqlite\"\npath = \"docs.db\"\n";                     // 9-11

config::Config Parse(const std::string& views) {
  auto config = config::ParseConfig(kHead + views, "t.toml");
  REQUIRE_MESSAGE(config.ok(), config.status().message());
  return *config;
}

std::vector<std::string> Messages(const std::vector<ViewProblem>& problems) {
  std::vector<std::string> out;
  for (const auto& p : problems) out.push_back(p.message);
  return out;
}

// Lines 12-16.
std::string View(const std::string& name, const std::string& root, const std::string& source = "shop") {
  return "[[views]]\nname = \"" + name + "\"\nsource = \"" + source + "\"\nroot = \"" + root + "\"\nsink = \"local\"\n";
}

// 5 lines.
std::string Lookup(const std::string& table, const std::string& path, const std::string& type,
                   const std::string& field, const std::string& column) {
  return "[[views.lookups]]\ntable = \"" + table + "\"\npath = \"" + path + "\"\ntype = \"" + type +
         "\"\nrelation = [[\"" + field + "\", \"" + column + "\"]]\n";
}

const std::string kOrderColumns = "order_id, customer_id, order_status";

}  // namespace

TEST_CASE("views that match the source have no problems") {
  auto config = Parse(View("v", "ecom_orders") + "exclude = [\"order_status\"]\n" +
                      Lookup("ecom_customers", "customer", "object", "customer_id", "customer_id") +
                      "fields = [\"customer_city\"]\n" +
                      Lookup("ecom_order_items", "items", "array", "order_id", "order_id") +
                      Lookup("ecom_products", "items.product", "object", "items.product_id", "product_id"));
  CHECK(ValidateViews(config.views, "shop", Shop()).empty());
}

TEST_CASE("a missing root table lists the database's tables, with a near miss") {
  auto config = Parse(View("v", "ecom_ordrs"));
  auto problems = ValidateViews(config.views, "shop", Shop());
  REQUIRE(problems.size() == 1);
  CHECK(problems[0].view == "v");
  CHECK(problems[0].kind == ViewProblem::Kind::kTable);
  CHECK(problems[0].message ==
        "t.toml:12:1: view 'v': root table 'ecom_ordrs' does not exist in database `shop`; did you mean "
        "'ecom_orders'? (tables of shop: ecom_customers, ecom_order_items, ecom_orders, ecom_products); restore "
        "the table or fix `root` in the config");
  // No suggestion for a name that is merely similar (a dropped table is not a typo of another).
  config = Parse(View("v", "ecom_sellers"));
  CHECK(Messages(ValidateViews(config.views, "shop", Shop())) ==
        std::vector<std::string>{"t.toml:12:1: view 'v': root table 'ecom_sellers' does not exist in database `shop` "
                                 "(tables of shop: ecom_customers, ecom_order_items, ecom_orders, ecom_products); "
                                 "restore the table or fix `root` in the config"});
}

TEST_CASE("every problem at once: lookup tables, both sides of relations, fields and exclude") {
  auto config = Parse(View("v", "ecom_orders") + "exclude = [\"order_statuss\"]\n" +           // 12-17
                      Lookup("ecom_customers", "customer", "object", "customer_idd", "customer_id") +  // 18-22
                      "fields = [\"customer_city\", \"city\"]\n" +                               // 23
                      Lookup("ecom_order_item", "items", "array", "order_id", "order_id") +     // 24-28
                      Lookup("ecom_products", "items.product", "object", "items.product_id", "productid") +
                      View("w", "ecom_nothing", "other"));  // another source: not checked here
  auto problems = ValidateViews(config.views, "shop", Shop());
  std::vector<ViewProblem::Kind> kinds;
  for (const auto& p : problems) kinds.push_back(p.kind);
  using K = ViewProblem::Kind;
  // Per view: the root (fields, exclude), then each lookup (table, relation, fields, exclude).
  CHECK(kinds == std::vector<K>{K::kExclude, K::kRelation, K::kFields, K::kTable, K::kRelation});
  CHECK(Messages(problems) ==
        std::vector<std::string>{
            "t.toml:12:1: view 'v': `exclude` names column 'order_statuss', which table `ecom_orders` does not "
            "have; did you mean 'order_status'? (columns of ecom_orders: " + kOrderColumns +
                "); fix `exclude` or restore the column",
            "t.toml:18:1: view 'v', lookup 'customer': relation field 'customer_idd' names column 'customer_idd', "
            "which table `ecom_orders` does not have; did you mean 'customer_id'? (columns of ecom_orders: " +
                kOrderColumns + "); fix `relation` or restore the column",
            "t.toml:18:1: view 'v', lookup 'customer': `fields` names column 'city', which table `ecom_customers` "
            "does not have (columns of ecom_customers: customer_id, customer_city, customer_state); fix `fields` or "
            "restore the column",
            "t.toml:24:1: view 'v', lookup 'items': table 'ecom_order_item' does not exist in database `shop`; did "
            "you mean 'ecom_order_items'? (tables of shop: ecom_customers, ecom_order_items, ecom_orders, "
            "ecom_products); restore the table or fix `table` in the config",
            // The parent's table is missing: only this lookup's own column can be checked.
            "t.toml:29:1: view 'v', lookup 'items.product': relation column 'productid' does not exist in table "
            "`ecom_products`; did you mean 'product_id'? (columns of ecom_products: product_id, product_weight_g); "
            "fix `relation` or restore the column"});
  CHECK(ValidateViews(config.views, "other", Shop()).size() == 1);  // w's root
}

TEST_CASE("long lists are cut short") {
  SourceCatalog big;
  big.database = "big";
  for (int i = 0; i < 45; ++i) big.tables["t" + std::to_string(100 + i)] = {"id"};
  auto config = Parse(View("v", "missing_table"));
  auto problems = ValidateViews(config.views, "shop", big);
  REQUIRE(problems.size() == 1);
  CHECK(problems[0].message.find("t138, t139 and 5 more); restore the table") != std::string::npos);
}
