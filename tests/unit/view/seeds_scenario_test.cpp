// The seed's scenario (../shared/seeds/000_*): the inserts in the seed's order (customer, order,
// item, product, seller, payment), then its three updates; the exact order document after each.

#include <doctest/doctest.h>

#include "seeds_schema.h"
#include "test_support.h"

using namespace weft;
using namespace weft::test;
using change::Value;

namespace {

const char kCustomer[] =
    R"("customer_info":{"customer_id":"CUST12345","customer_unique_id":"UNIQUE_CUST_00123",)"
    R"("customer_zip_code_prefix":"10001","customer_city":"New York","customer_state":"NY"})";

std::string OrderHead(const std::string& status, const std::string& carrier) {
  return R"({"_id":"ORD789654","order_id":"ORD789654","customer_id":"CUST12345","order_status":")" + status +
         R"(","order_purchase_timestamp":"2024-11-02 10:20:00","order_approved_at":"2024-11-02 10:20:00",)"
         R"("order_delivered_carrier_date":)" +
         carrier + R"(,"order_delivered_customer_date":null,"order_estimated_delivery_date":"2024-11-10 00:00:00",)";
}

std::string Item(const std::string& price, const std::string& freight, const std::string& embedded) {
  return R"({"order_id":"ORD789654","order_item_id":1,"product_id":"PROD56789","seller_id":"SELL34567",)"
         R"("shipping_limit_date":"2024-11-05 00:00:00","price":)" +
         price + R"(,"freight_value":)" + freight + embedded + "}";
}

const char kProduct[] =
    R"(,"product":{"product_id":"PROD56789","product_category_name":"electronics","product_weight_g":1200,)"
    R"("product_length_cm":20,"product_height_cm":10,"product_width_cm":8})";
const char kSeller[] =
    R"(,"seller":{"seller_id":"SELL34567","seller_zip_code_prefix":"90001","seller_city":"Los Angeles",)"
    R"("seller_state":"CA"})";

std::string Payment(int installments, const std::string& value) {
  return R"({"order_id":"ORD789654","payment_sequential":1,"payment_type":"credit_card","payment_installments":)" +
         std::to_string(installments) + R"(,"payment_value":)" + value + "}";
}

std::vector<Value> OrderRow(const std::string& status, Value carrier) {
  return {Value::String("ORD789654"),
          Value::String("CUST12345"),
          Value::String(status),
          Value::DateTime("2024-11-02 10:20:00"),
          Value::DateTime("2024-11-02 10:20:00"),
          std::move(carrier),
          Value::Null(),
          Value::DateTime("2024-11-10 00:00:00")};
}

std::vector<Value> ItemRow(const std::string& price, const std::string& freight) {
  return {Value::String("ORD789654"),  Value::Int(1),        Value::String("PROD56789"),
          Value::String("SELL34567"),  Value::DateTime("2024-11-05 00:00:00"),
          Value::Decimal(price),       Value::Decimal(freight)};
}

std::vector<Value> PaymentRow(int installments, const std::string& value) {
  return {Value::String("ORD789654"), Value::Int(1), Value::String("credit_card"), Value::Int(installments),
          Value::Decimal(value)};
}

}  // namespace

TEST_CASE("the seed's scenario produces the seed's document step by step") {
  TempDir dir;
  SeedsSchema s;
  Harness h(dir.File("state.db"), {OrderSingleView()});
  auto& docs = h.Collection("docs", "orderSingleView");
  auto expect_one_write = [&](const std::vector<view::PendingWrite>& writes, const std::string& json) {
    REQUIRE(writes.size() == 1);
    CHECK(writes[0].view == "order_single_view");
    CHECK(writes[0].sink == "docs");
    CHECK(writes[0].write.collection == "orderSingleView");
    CHECK(writes[0].write.id == Value::String("ORD789654"));
    CHECK(writes[0].write.id_key == "ORD789654");
    REQUIRE(docs.size() == 1);
    CHECK(docs["ORD789654"] == json);
  };

  // 1. The customer alone: no order, no document.
  auto w = h.Batch({Insert(s.customers, {Value::String("CUST12345"), Value::String("UNIQUE_CUST_00123"),
                                         Value::String("10001"), Value::String("New York"), Value::String("NY")})});
  CHECK(w.empty());
  CHECK(docs.empty());

  // 2. The order embeds the customer that arrived before it.
  w = h.Batch({Insert(s.orders, OrderRow("pending", Value::Null()))});
  expect_one_write(w, OrderHead("pending", "null") + kCustomer + R"(,"order_payments":[],"order_items":[]})");

  // 3. The item, before its product and seller exist: no product/seller keys yet.
  w = h.Batch({Insert(s.items, ItemRow("199.99", "15.00"))});
  expect_one_write(w, OrderHead("pending", "null") + kCustomer + R"(,"order_payments":[],"order_items":[)" +
                          Item("199.99", "15.00", "") + "]}");

  // 4. The product arrives after the item that references it.
  w = h.Batch({Insert(s.products, {Value::String("PROD56789"), Value::String("electronics"), Value::Int(1200),
                                   Value::Int(20), Value::Int(10), Value::Int(8)})});
  expect_one_write(w, OrderHead("pending", "null") + kCustomer + R"(,"order_payments":[],"order_items":[)" +
                          Item("199.99", "15.00", kProduct) + "]}");

  // 5. The seller.
  w = h.Batch({Insert(s.sellers, {Value::String("SELL34567"), Value::String("90001"), Value::String("Los Angeles"),
                                  Value::String("CA")})});
  std::string items = Item("199.99", "15.00", std::string(kProduct) + kSeller);
  expect_one_write(w, OrderHead("pending", "null") + kCustomer + R"(,"order_payments":[],"order_items":[)" + items +
                          "]}");

  // 6. The payment.
  w = h.Batch({Insert(s.payments, PaymentRow(1, "199.99"))});
  expect_one_write(w, OrderHead("pending", "null") + kCustomer + R"(,"order_payments":[)" + Payment(1, "199.99") +
                          R"(],"order_items":[)" + items + "]}");

  // 7. Ship the order.
  w = h.Batch({Update(s.orders, OrderRow("pending", Value::Null()),
                      OrderRow("shipped", Value::DateTime("2024-11-02 18:00:00")))});
  expect_one_write(w, OrderHead("shipped", "\"2024-11-02 18:00:00\"") + kCustomer + R"(,"order_payments":[)" +
                          Payment(1, "199.99") + R"(],"order_items":[)" + items + "]}");

  // 8. Raise the payment.
  w = h.Batch({Update(s.payments, PaymentRow(1, "199.99"), PaymentRow(2, "220.00"))});
  expect_one_write(w, OrderHead("shipped", "\"2024-11-02 18:00:00\"") + kCustomer + R"(,"order_payments":[)" +
                          Payment(2, "220.00") + R"(],"order_items":[)" + items + "]}");

  // 9. Change the item's price and freight: the seed's final document.
  w = h.Batch({Update(s.items, ItemRow("199.99", "15.00"), ItemRow("210.00", "18.00"))});
  std::string final_doc = OrderHead("shipped", "\"2024-11-02 18:00:00\"") + kCustomer + R"(,"order_payments":[)" +
                          Payment(2, "220.00") + R"(],"order_items":[)" +
                          Item("210.00", "18.00", std::string(kProduct) + kSeller) + "]}";
  expect_one_write(w, final_doc);

  // An update that changes nothing the document shows is not rewritten.
  w = h.Batch({Update(s.sellers,
                      {Value::String("SELL34567"), Value::String("90001"), Value::String("Los Angeles"), Value::String("CA")},
                      {Value::String("SELL34567"), Value::String("90001"), Value::String("Los Angeles"), Value::String("CA")})});
  CHECK(w.empty());

  // The snapshot build over the same state has nothing new to write.
  CHECK(h.BuildAll().empty());

  // Deleting the root deletes its document; re-inserting it brings back every embedded row.
  w = h.Batch({Delete(s.orders, OrderRow("shipped", Value::DateTime("2024-11-02 18:00:00")))});
  REQUIRE(w.size() == 1);
  CHECK(!w[0].write.doc.has_value());
  CHECK(w[0].write.id == Value::String("ORD789654"));
  CHECK(docs.empty());
  w = h.Batch({Insert(s.orders, OrderRow("shipped", Value::DateTime("2024-11-02 18:00:00")))});
  expect_one_write(w, final_doc);

  // Several changes to one order in one batch: one write.
  w = h.Batch({Update(s.items, ItemRow("210.00", "18.00"), ItemRow("1.00", "2.00")),
               Update(s.items, ItemRow("1.00", "2.00"), ItemRow("210.00", "19.00")),
               Update(s.payments, PaymentRow(2, "220.00"), PaymentRow(3, "220.00"))});
  REQUIRE(w.size() == 1);
  CHECK(docs["ORD789654"].find(R"("freight_value":19.00)") != std::string::npos);
  CHECK(docs["ORD789654"].find(R"("payment_installments":3)") != std::string::npos);
}

TEST_CASE("a snapshot load builds the same document as streaming") {
  TempDir dir;
  SeedsSchema s;
  Harness h(dir.File("state.db"), {OrderSingleView()});
  // Snapshot rows only load the replicas; nothing is written until BuildAll.
  auto w = h.Batch({Read(s.items, ItemRow("210.00", "18.00")), Read(s.orders, OrderRow("pending", Value::Null())),
                    Read(s.payments, PaymentRow(2, "220.00"))});
  CHECK(w.empty());
  w = h.BuildAll();
  REQUIRE(w.size() == 1);
  CHECK(h.Collection("docs", "orderSingleView")["ORD789654"] ==
        OrderHead("pending", "null") + R"("order_payments":[)" + Payment(2, "220.00") + R"(],"order_items":[)" +
            Item("210.00", "18.00", "") + "]}");
  CHECK(h.BuildAll().empty());  // unchanged documents are not rewritten
}
