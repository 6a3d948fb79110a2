CREATE STREAM orders (id BIGINT, ts TIMESTAMP);
CREATE STREAM payments (order_id BIGINT, ts TIMESTAMP);
SELECT o.id FROM orders o JOIN payments p ON o.id = p.order_id;
