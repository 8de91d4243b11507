#pragma once
// Schema graphs for the `weft init` unit tests, shaped as the readers return them.

#include "source/schema_graph.h"

namespace weft::cli::init::testing {

// The seeds' six e-commerce tables (tests/data/seeds/schema.sql): primary keys, no foreign keys.
inline source::SchemaGraph SeedGraph() {
  source::SchemaGraph g;
  g.database = "shop";
  g.tables = {
      {"ecom_customers",
       {"customer_id", "customer_unique_id", "customer_zip_code_prefix", "customer_city", "customer_state"},
       {"customer_id"},
       1000},
      {"ecom_order_items",
       {"order_id", "order_item_id", "product_id", "seller_id", "shipping_limit_date", "price", "freight_value"},
       {"order_id", "order_item_id"},
       4500},
      {"ecom_order_payments",
       {"order_id", "payment_sequential", "payment_type", "payment_installments", "payment_value"},
       {"order_id", "payment_sequential"},
       3000},
      {"ecom_orders", {"order_id", "customer_id", "order_status", "order_purchase_timestamp"}, {"order_id"}, 3000},
      {"ecom_products", {"product_id", "product_category_name", "product_weight_g"}, {"product_id"}, 30},
      {"ecom_sellers", {"seller_id", "seller_zip_code_prefix", "seller_city", "seller_state"}, {"seller_id"}, -1},
  };
  return g;
}

}  // namespace weft::cli::init::testing
