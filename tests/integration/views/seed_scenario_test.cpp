// The seeds' scenario end to end: the exact SQL of ../shared/seeds/000_* run against a live
// `weft run`; after every step the order's document in the SQLite sink equals the expected one.
#include <doctest/doctest.h>
#include <signal.h>

#include <chrono>
#include <thread>

#include "integration/harness/mariadb_server.h"
#include "integration/harness/seed_fixture.h"
#include "integration/harness/weft_process.h"

using namespace weft::test;

namespace {

std::string WaitForDoc(const std::string& docs_path, const std::string& id, const std::string& expected,
                       WeftProcess& weft) {
  std::string last;
  for (int i = 0; i < 400; ++i) {
    auto docs = ReadSqliteDocs(docs_path, "orderSingleView");
    auto it = docs.find(id);
    last = it == docs.end() ? "" : it->second;
    if (last == expected) return last;
    if (!weft.running()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return last;
}

}  // namespace

TEST_CASE("the seed's inserts and updates reach the orderSingleView document, step by step") {
  MariaDBServer server;
  REQUIRE_MESSAGE(server.Start(), server.error());
  CreateSeedSchema(server);
  std::string dir = MakeTempDir("weft-seed-");
  std::string config = WriteSeedConfig(dir, server);
  std::string docs = dir + "/docs.db";

  WeftProcess weft;
  REQUIRE(weft.Start({"run", "-c", config}, dir));

  auto run_step = [&](const std::string& name) { server.Execute("USE shop;\n" + SeedScenarioStep(name)); };

  run_step("insert customer");
  std::string customer =
      R"({"customer_id":"CUST12345","customer_unique_id":"UNIQUE_CUST_00123","customer_zip_code_prefix":"10001","customer_city":"New York","customer_state":"NY"})";
  run_step("insert order");
  std::string t_purchase = server.QueryValue("SELECT order_purchase_timestamp FROM shop.ecom_orders WHERE order_id='ORD789654'");
  REQUIRE(t_purchase.size() == 19);
  auto order = [&](const std::string& status, const std::string& carrier) {
    return R"({"_id":"ORD789654","order_id":"ORD789654","customer_id":"CUST12345","order_status":")" + status +
           R"(","order_purchase_timestamp":")" + t_purchase + R"(","order_approved_at":")" + t_purchase +
           R"(","order_delivered_carrier_date":)" + carrier +
           R"(,"order_delivered_customer_date":null,"order_estimated_delivery_date":"2024-11-10 00:00:00","customer_info":)" +
           customer;
  };
  std::string expected = order("pending", "null") + R"(,"order_payments":[],"order_items":[]})";
  CHECK_MESSAGE(WaitForDoc(docs, "ORD789654", expected, weft) == expected, weft.Stderr());

  std::string item_head =
      R"({"order_id":"ORD789654","order_item_id":1,"product_id":"PROD56789","seller_id":"SELL34567","shipping_limit_date":"2024-11-05 00:00:00",)";
  std::string product =
      R"("product":{"product_id":"PROD56789","product_category_name":"electronics","product_weight_g":1200,"product_length_cm":20,"product_height_cm":10,"product_width_cm":8})";
  std::string seller =
      R"("seller":{"seller_id":"SELL34567","seller_zip_code_prefix":"90001","seller_city":"Los Angeles","seller_state":"CA"})";

  // One order item, with whatever of its product and seller has arrived.
  auto items = [&](const std::string& price, const std::string& freight, const std::string& embedded) {
    return R"("order_items":[)" + item_head + R"("price":)" + price + R"(,"freight_value":)" + freight + embedded + "}]";
  };
  std::string both = "," + product + "," + seller;

  run_step("insert order item");  // before its product and seller exist
  expected = order("pending", "null") + R"(,"order_payments":[],)" + items("199.99", "15.00", "") + "}";
  CHECK_MESSAGE(WaitForDoc(docs, "ORD789654", expected, weft) == expected, weft.Stderr());

  run_step("insert product");
  expected = order("pending", "null") + R"(,"order_payments":[],)" + items("199.99", "15.00", "," + product) + "}";
  CHECK_MESSAGE(WaitForDoc(docs, "ORD789654", expected, weft) == expected, weft.Stderr());

  run_step("insert seller");
  expected = order("pending", "null") + R"(,"order_payments":[],)" + items("199.99", "15.00", both) + "}";
  CHECK_MESSAGE(WaitForDoc(docs, "ORD789654", expected, weft) == expected, weft.Stderr());

  run_step("insert payment");
  auto payments = [](const std::string& installments, const std::string& value) {
    return R"("order_payments":[{"order_id":"ORD789654","payment_sequential":1,"payment_type":"credit_card","payment_installments":)" +
           installments + R"(,"payment_value":)" + value + "}]";
  };
  expected = order("pending", "null") + "," + payments("1", "199.99") + "," + items("199.99", "15.00", both) + "}";
  CHECK_MESSAGE(WaitForDoc(docs, "ORD789654", expected, weft) == expected, weft.Stderr());

  run_step("ship the order");
  std::string t_carrier =
      server.QueryValue("SELECT order_delivered_carrier_date FROM shop.ecom_orders WHERE order_id='ORD789654'");
  expected = order("shipped", "\"" + t_carrier + "\"") + "," + payments("1", "199.99") + "," + items("199.99", "15.00", both) + "}";
  CHECK_MESSAGE(WaitForDoc(docs, "ORD789654", expected, weft) == expected, weft.Stderr());

  run_step("raise the payment");
  expected = order("shipped", "\"" + t_carrier + "\"") + "," + payments("2", "220.00") + "," + items("199.99", "15.00", both) + "}";
  CHECK_MESSAGE(WaitForDoc(docs, "ORD789654", expected, weft) == expected, weft.Stderr());

  run_step("change the item's price and freight");
  expected = order("shipped", "\"" + t_carrier + "\"") + "," + payments("2", "220.00") + "," + items("210.00", "18.00", both) + "}";
  CHECK_MESSAGE(WaitForDoc(docs, "ORD789654", expected, weft) == expected, weft.Stderr());

  // SIGTERM is graceful: exit 0 well within 10 s.
  weft.Signal(SIGTERM);
  CHECK(weft.Wait(10000) == 0);

  // And the independent recomputation agrees.
  WeftResult verify = RunWeft({"verify", "-c", config});
  CHECK_MESSAGE(verify.exit_code == 0, verify.out << verify.err);
  RemoveTree(dir);
}
