-- A little sample data for the demo: three customers, products, sellers and orders.
INSERT INTO ecom_customers VALUES
  ('CUST00001', 'UNIQUE_CUST_00001', '01310', 'Sao Paulo', 'SP'),
  ('CUST00002', 'UNIQUE_CUST_00002', '20040', 'Rio de Janeiro', 'RJ'),
  ('CUST00003', 'UNIQUE_CUST_00003', '30130', 'Belo Horizonte', 'MG');
INSERT INTO ecom_products VALUES
  ('PROD00001', 'books', 350, 22, 3, 15),
  ('PROD00002', 'toys', 800, 30, 20, 20),
  ('PROD00003', 'garden_tools', 2400, 60, 12, 12);
INSERT INTO ecom_sellers VALUES
  ('SELL00001', '13023', 'Campinas', 'SP'),
  ('SELL00002', '80010', 'Curitiba', 'PR');
INSERT INTO ecom_orders VALUES
  ('ORD000001', 'CUST00001', 'delivered', '2024-10-01 09:12:00', '2024-10-01 09:30:00', '2024-10-02 14:00:00', '2024-10-05 16:20:00', '2024-10-09 00:00:00'),
  ('ORD000002', 'CUST00002', 'shipped',   '2024-10-20 18:40:00', '2024-10-20 19:00:00', '2024-10-21 10:00:00', NULL, '2024-10-30 00:00:00'),
  ('ORD000003', 'CUST00001', 'pending',   '2024-11-01 08:05:00', NULL, NULL, NULL, '2024-11-12 00:00:00');
INSERT INTO ecom_order_items VALUES
  ('ORD000001', 1, 'PROD00001', 'SELL00001', '2024-10-03 00:00:00', 39.90, 8.50),
  ('ORD000001', 2, 'PROD00002', 'SELL00002', '2024-10-03 00:00:00', 129.00, 15.20),
  ('ORD000002', 1, 'PROD00003', 'SELL00001', '2024-10-22 00:00:00', 249.99, 32.00),
  ('ORD000003', 1, 'PROD00002', 'SELL00002', '2024-11-03 00:00:00', 129.00, 15.20);
INSERT INTO ecom_order_payments VALUES
  ('ORD000001', 1, 'credit_card', 3, 192.60),
  ('ORD000002', 1, 'boleto', 1, 281.99),
  ('ORD000003', 1, 'voucher', 1, 50.00),
  ('ORD000003', 2, 'credit_card', 2, 94.20);
