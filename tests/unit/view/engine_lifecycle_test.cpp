// ViewEngine around the edges of a batch: Create against an existing state, DDL and unknown
// tables, Forget/DiscardPending, and the state surviving a restart.

#include <doctest/doctest.h>

#include "seeds_schema.h"
#include "test_support.h"

using namespace weft;
using namespace weft::test;
using change::Value;

namespace {

std::vector<Value> Order(const std::string& id, const std::string& customer, const std::string& status) {
  return {Value::String(id), Value::String(customer), Value::String(status), Value::Null(), Value::Null(),
          Value::Null(), Value::Null(), Value::Null()};
}

std::vector<Value> Customer(const std::string& id, const std::string& city) {
  return {Value::String(id), Value::String("U"), Value::String("1"), Value::String(city), Value::String("NY")};
}

}  // namespace

TEST_CASE("TablesFor lists the root and lookup tables of a source's views") {
  TempDir dir;
  Harness h(dir.File("state.db"), {OrderSingleView()});
  CHECK(h.engine()->TablesFor("shop") ==
        std::vector<std::string>{"ecom_orders", "ecom_customers", "ecom_order_payments", "ecom_order_items",
                                 "ecom_products", "ecom_sellers"});
  CHECK(h.engine()->TablesFor("other").empty());
}

TEST_CASE("DDL, unknown tables and other sources change nothing") {
  TempDir dir;
  SeedsSchema s;
  Harness h(dir.File("state.db"), {OrderSingleView()});
  change::Change ddl;
  ddl.type = change::ChangeType::kDdl;
  ddl.source.table = "ecom_orders";
  ddl.statement = "ALTER TABLE ecom_orders ADD COLUMN x INT";
  auto other = Insert(Schema("not_used", {"id"}, {0}), {Value::Int(1)});
  CHECK(h.Batch({ddl, other}).empty());
  REQUIRE(h.db()->Begin().ok());
  REQUIRE(h.engine()->ApplyChange("elsewhere", Insert(s.orders, Order("O1", "C1", "new"))).ok());
  std::vector<view::PendingWrite> writes;
  REQUIRE(h.engine()->Flush(&writes).ok());
  REQUIRE(h.db()->Commit().ok());
  CHECK(writes.empty());
}

TEST_CASE("the state survives a restart: replicas, last-written hashes, offsets") {
  TempDir dir;
  SeedsSchema s;
  std::string path = dir.File("state.db");
  {
    Harness h(path, {OrderSingleView()});
    REQUIRE(h.db()->SetOffset("shop", "gtid:1").ok());
    CHECK(h.Batch({Insert(s.customers, Customer("C1", "Paris")), Insert(s.orders, Order("O1", "C1", "new"))}).size() ==
          1);
  }
  Harness h(path, {OrderSingleView()});
  CHECK(**h.db()->GetOffset("shop") == "gtid:1");  // same views: the offset stays
  CHECK(h.BuildAll().empty());                       // everything already written
  auto w = h.Batch({Update(s.customers, Customer("C1", "Paris"), Customer("C1", "Lyon"))});
  REQUIRE(w.size() == 1);
  CHECK(h.Collection("docs", "orderSingleView")["O1"].find("\"customer_city\":\"Lyon\"") != std::string::npos);
}

TEST_CASE("views that need new replicas make the source snapshot again; a new target rewrites all") {
  TempDir dir;
  SeedsSchema s;
  std::string path = dir.File("state.db");
  config::ViewConfig small;
  small.name = "orders";
  small.source = "shop";
  small.root = "ecom_orders";
  small.sink = "docs";
  {
    Harness h(path, {small});
    REQUIRE(h.db()->SetOffset("shop", "gtid:1").ok());
    CHECK(h.Batch({Insert(s.orders, Order("O1", "C1", "new"))}).size() == 1);
  }
  {
    // Same view, another sink: the offset stays, but every document is written again.
    small.sink = "local";
    Harness h(path, {small});
    CHECK(**h.db()->GetOffset("shop") == "gtid:1");
    CHECK(h.BuildAll().size() == 1);
  }
  // A lookup on a table the state never held: the offset is forgotten (the pipeline snapshots).
  small.lookups.push_back(Lookup("ecom_customers", "customer_info", "object", {{"customer_id", "customer_id"}}));
  Harness h(path, {small});
  CHECK(!(*h.db()->GetOffset("shop")).has_value());
}

TEST_CASE("Forget empties the source's replicas and hashes; DiscardPending drops recorded roots") {
  TempDir dir;
  SeedsSchema s;
  Harness h(dir.File("state.db"), {OrderSingleView()});
  CHECK(h.Batch({Insert(s.orders, Order("O1", "C1", "new"))}).size() == 1);

  REQUIRE(h.db()->Begin().ok());
  REQUIRE(h.engine()->ApplyChange("shop", Update(s.orders, Order("O1", "C1", "new"), Order("O1", "C1", "paid"))).ok());
  h.engine()->DiscardPending();
  std::vector<view::PendingWrite> writes;
  REQUIRE(h.engine()->Flush(&writes).ok());
  CHECK(writes.empty());
  REQUIRE(h.db()->Commit().ok());
  // The replica did take the change: a rebuild shows it.
  auto built = h.BuildAll();
  REQUIRE(built.size() == 1);
  CHECK(change::ToJson(*built[0].write.doc).find("\"paid\"") != std::string::npos);

  REQUIRE(h.db()->Begin().ok());
  REQUIRE(h.engine()->Forget("shop").ok());
  REQUIRE(h.db()->Commit().ok());
  CHECK(h.BuildAll().empty());  // no rows left
  // A snapshot reload writes the document again: the hashes were forgotten too.
  CHECK(h.Batch({Read(s.orders, Order("O1", "C1", "paid"))}).empty());
  CHECK(h.BuildAll().size() == 1);
}

TEST_CASE("an update of a child's primary key moves it; a deleted child leaves its parent") {
  TempDir dir;
  SeedsSchema s;
  Harness h(dir.File("state.db"), {OrderSingleView()});
  auto item = [](const std::string& order, int n, const std::string& product) {
    return std::vector<Value>{Value::String(order), Value::Int(n),       Value::String(product), Value::String("S1"),
                              Value::Null(),        Value::Decimal("1.00"), Value::Decimal("0.00")};
  };
  h.Batch({Insert(s.orders, Order("O1", "C1", "new")), Insert(s.orders, Order("O2", "C1", "new")),
           Insert(s.items, item("O1", 2, "P1")), Insert(s.items, item("O1", 10, "P2"))});
  auto& docs = h.Collection("docs", "orderSingleView");
  // Array order is the key's numeric order: 2 before 10.
  CHECK(docs["O1"].find("\"order_item_id\":2") < docs["O1"].find("\"order_item_id\":10"));
  auto w = h.Batch({Update(s.items, item("O1", 10, "P2"), item("O2", 1, "P2"))});
  CHECK(w.size() == 2);
  CHECK(docs["O1"].find("P2") == std::string::npos);
  CHECK(docs["O2"].find("\"order_items\":[{\"order_id\":\"O2\",\"order_item_id\":1,\"product_id\":\"P2\"") !=
        std::string::npos);
  w = h.Batch({Delete(s.items, item("O1", 2, "P1"))});
  REQUIRE(w.size() == 1);
  CHECK(docs["O1"].find("\"order_items\":[]") != std::string::npos);
  // A root's key change deletes the old _id and writes the new one.
  w = h.Batch({Update(s.orders, Order("O2", "C1", "new"), Order("O3", "C1", "new"))});
  REQUIRE(w.size() == 2);
  CHECK(!docs.count("O2"));
  CHECK(docs["O3"].find("\"order_items\":[]") != std::string::npos);  // its item still says O2
}

TEST_CASE("a stopped view writes nothing more; the others go on; TablesFor leaves out its own tables") {
  TempDir dir;
  SeedsSchema s;
  config::ViewConfig customers;
  customers.name = "customers";
  customers.source = "shop";
  customers.root = "ecom_customers";
  customers.sink = "docs";
  customers.collection = "customers";
  Harness h(dir.File("state.db"), {OrderSingleView(), customers});
  CHECK(h.Batch({Insert(s.customers, Customer("C1", "Paris")), Insert(s.orders, Order("O1", "C1", "new"))}).size() ==
        2);
  CHECK_FALSE(h.engine()->Stopped("order_single_view"));
  h.engine()->StopView("order_single_view");
  h.engine()->StopView("no such view");
  CHECK(h.engine()->Stopped("order_single_view"));
  CHECK_FALSE(h.engine()->Stopped("customers"));
  // ecom_customers is still read by "customers"; the order view's other tables are not read any more.
  CHECK(h.engine()->TablesFor("shop") == std::vector<std::string>{"ecom_customers"});

  auto w = h.Batch({Update(s.customers, Customer("C1", "Paris"), Customer("C1", "Lyon")),
                    Update(s.orders, Order("O1", "C1", "new"), Order("O1", "C1", "paid"))});
  REQUIRE(w.size() == 1);
  CHECK(w[0].view == "customers");
  CHECK(h.Collection("docs", "orderSingleView")["O1"].find("Paris") != std::string::npos);  // left as it was
  CHECK(h.Collection("docs", "customers")["C1"].find("Lyon") != std::string::npos);

  REQUIRE(h.db()->Begin().ok());
  REQUIRE(h.engine()->Forget("shop").ok());
  REQUIRE(h.db()->Commit().ok());
  h.Batch({Read(s.customers, Customer("C1", "Nice")), Read(s.orders, Order("O1", "C1", "paid"))});
  auto built = h.BuildAll();
  REQUIRE(built.size() == 1);
  CHECK(built[0].view == "customers");
}
