-- The "full refresh" a user would otherwise run: MariaDB builds every orderSingleView document (the
-- seeds' view: the order, its customer_info object, its order_payments array and its order_items
-- array, each item with its product and seller objects) in one query. SUM(LENGTH(...)) makes the
-- server build every document without shipping them (and without a temporary table);
-- run-bench.sh times it next to weft's snapshot.
-- JSON_EXTRACT(..., '$') keeps a subquery's JSON an object instead of a quoted string.
SELECT COUNT(*) AS documents, SUM(LENGTH(
  JSON_OBJECT(
    '_id', o.order_id,
    'order_id', o.order_id,
    'customer_id', o.customer_id,
    'order_status', o.order_status,
    'order_purchase_timestamp', o.order_purchase_timestamp,
    'order_approved_at', o.order_approved_at,
    'order_delivered_carrier_date', o.order_delivered_carrier_date,
    'order_delivered_customer_date', o.order_delivered_customer_date,
    'order_estimated_delivery_date', o.order_estimated_delivery_date,
    'customer_info', JSON_EXTRACT((
      SELECT JSON_OBJECT('customer_id', c.customer_id, 'customer_unique_id', c.customer_unique_id,
                         'customer_zip_code_prefix', c.customer_zip_code_prefix,
                         'customer_city', c.customer_city, 'customer_state', c.customer_state)
      FROM ecom_customers c WHERE c.customer_id = o.customer_id), '$'),
    'order_payments', JSON_EXTRACT(COALESCE((
      SELECT JSON_ARRAYAGG(JSON_OBJECT('order_id', p.order_id, 'payment_sequential', p.payment_sequential,
                                       'payment_type', p.payment_type,
                                       'payment_installments', p.payment_installments,
                                       'payment_value', p.payment_value)
                           ORDER BY p.payment_sequential)
      FROM ecom_order_payments p WHERE p.order_id = o.order_id), '[]'), '$'),
    'order_items', JSON_EXTRACT(COALESCE((
      SELECT JSON_ARRAYAGG(JSON_OBJECT(
               'order_id', i.order_id, 'order_item_id', i.order_item_id, 'product_id', i.product_id,
               'seller_id', i.seller_id, 'shipping_limit_date', i.shipping_limit_date,
               'price', i.price, 'freight_value', i.freight_value,
               'product', JSON_EXTRACT((
                 SELECT JSON_OBJECT('product_id', pr.product_id, 'product_category_name', pr.product_category_name,
                                    'product_weight_g', pr.product_weight_g, 'product_length_cm', pr.product_length_cm,
                                    'product_height_cm', pr.product_height_cm, 'product_width_cm', pr.product_width_cm)
                 FROM ecom_products pr WHERE pr.product_id = i.product_id), '$'),
               'seller', JSON_EXTRACT((
                 SELECT JSON_OBJECT('seller_id', s.seller_id, 'seller_zip_code_prefix', s.seller_zip_code_prefix,
                                    'seller_city', s.seller_city, 'seller_state', s.seller_state)
                 FROM ecom_sellers s WHERE s.seller_id = i.seller_id), '$'))
             ORDER BY i.order_item_id)
      FROM ecom_order_items i WHERE i.order_id = o.order_id), '[]'), '$')
  )
)) AS bytes
FROM ecom_orders o;
