-- The e-commerce tables of the seeds (../shared/seeds/000_*), shaped like the Olist data set the
-- TapFlow demo used. Used by the demo, the end-to-end tests and the benchmarks.
CREATE TABLE ecom_customers (
  customer_id              VARCHAR(32) NOT NULL PRIMARY KEY,
  customer_unique_id       VARCHAR(32) NOT NULL,
  customer_zip_code_prefix VARCHAR(10),
  customer_city            VARCHAR(64),
  customer_state           CHAR(2)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE ecom_orders (
  order_id                      VARCHAR(32) NOT NULL PRIMARY KEY,
  customer_id                   VARCHAR(32) NOT NULL,
  order_status                  VARCHAR(20) NOT NULL,
  order_purchase_timestamp      DATETIME,
  order_approved_at             DATETIME,
  order_delivered_carrier_date  DATETIME,
  order_delivered_customer_date DATETIME,
  order_estimated_delivery_date DATETIME,
  KEY idx_orders_customer (customer_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE ecom_order_items (
  order_id            VARCHAR(32) NOT NULL,
  order_item_id       INT NOT NULL,
  product_id          VARCHAR(32) NOT NULL,
  seller_id           VARCHAR(32) NOT NULL,
  shipping_limit_date DATETIME,
  price               DECIMAL(10,2),
  freight_value       DECIMAL(10,2),
  PRIMARY KEY (order_id, order_item_id),
  KEY idx_items_product (product_id),
  KEY idx_items_seller (seller_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE ecom_products (
  product_id            VARCHAR(32) NOT NULL PRIMARY KEY,
  product_category_name VARCHAR(64),
  product_weight_g      INT,
  product_length_cm     INT,
  product_height_cm     INT,
  product_width_cm      INT
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE ecom_sellers (
  seller_id              VARCHAR(32) NOT NULL PRIMARY KEY,
  seller_zip_code_prefix VARCHAR(10),
  seller_city            VARCHAR(64),
  seller_state           CHAR(2)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE ecom_order_payments (
  order_id             VARCHAR(32) NOT NULL,
  payment_sequential   INT NOT NULL,
  payment_type         VARCHAR(20),
  payment_installments INT,
  payment_value        DECIMAL(10,2),
  PRIMARY KEY (order_id, payment_sequential)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
