#pragma once
// The six tables of the seeds' e-commerce schema (tests/data/seeds/schema.sql) and the seed's
// orderSingleView view (../shared/seeds/000_*), for the view engine's unit tests.

#include "test_support.h"

namespace weft::test {

struct SeedsSchema {
  change::TableSchemaPtr customers = Schema(
      "ecom_customers",
      {"customer_id", "customer_unique_id", "customer_zip_code_prefix", "customer_city", "customer_state"}, {0});
  change::TableSchemaPtr orders =
      Schema("ecom_orders",
             {"order_id", "customer_id", "order_status", "order_purchase_timestamp", "order_approved_at",
              "order_delivered_carrier_date", "order_delivered_customer_date", "order_estimated_delivery_date"},
             {0});
  change::TableSchemaPtr items = Schema("ecom_order_items",
                                        {"order_id", "order_item_id", "product_id", "seller_id",
                                         "shipping_limit_date", "price", "freight_value"},
                                        {0, 1});
  change::TableSchemaPtr products =
      Schema("ecom_products",
             {"product_id", "product_category_name", "product_weight_g", "product_length_cm", "product_height_cm",
              "product_width_cm"},
             {0});
  change::TableSchemaPtr sellers =
      Schema("ecom_sellers", {"seller_id", "seller_zip_code_prefix", "seller_city", "seller_state"}, {0});
  change::TableSchemaPtr payments = Schema(
      "ecom_order_payments",
      {"order_id", "payment_sequential", "payment_type", "payment_installments", "payment_value"}, {0, 1});
};

inline config::ViewConfig OrderSingleView() {
  config::ViewConfig v;
  v.name = "order_single_view";
  v.source = "shop";
  v.root = "ecom_orders";
  v.sink = "docs";
  v.collection = "orderSingleView";
  v.lookups.push_back(Lookup("ecom_customers", "customer_info", "object", {{"customer_id", "customer_id"}}));
  v.lookups.push_back(Lookup("ecom_order_payments", "order_payments", "array", {{"order_id", "order_id"}}));
  v.lookups.push_back(Lookup("ecom_order_items", "order_items", "array", {{"order_id", "order_id"}}));
  v.lookups.push_back(
      Lookup("ecom_products", "order_items.product", "object", {{"order_items.product_id", "product_id"}}));
  v.lookups.push_back(
      Lookup("ecom_sellers", "order_items.seller", "object", {{"order_items.seller_id", "seller_id"}}));
  return v;
}

}  // namespace weft::test
