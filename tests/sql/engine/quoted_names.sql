-- Quoted column names match JSON field names exactly, unquoted ones
-- ignoring case.  Three writers spell the fields differently:
--   1: AMOUNT, total, QTY  ->  "amount" and "Total" NULL, qty 3
--   2: amount, Total, Qty  ->  every value
--   3: Amount, TOTAL, qty  ->  "amount" and "Total" NULL, qty 7
CREATE STREAM w1 (id BIGINT, "AMOUNT" DOUBLE, "total" DOUBLE, "QTY" INT,
                  ts TIMESTAMP) WITH (topic='orders', timestamp='ts');
CREATE STREAM w2 (id BIGINT, "amount" DOUBLE, "Total" DOUBLE, "Qty" INT,
                  ts TIMESTAMP) WITH (topic='orders', timestamp='ts');
CREATE STREAM w3 (id BIGINT, "Amount" DOUBLE, "TOTAL" DOUBLE, qty INT,
                  ts TIMESTAMP) WITH (topic='orders', timestamp='ts');
INSERT INTO w1 VALUES (1, 1.5, 10.5, 3, TIMESTAMP '2024-05-01 12:00:01');
INSERT INTO w2 VALUES (2, 2.5, 20.5, 5, TIMESTAMP '2024-05-01 12:00:02');
INSERT INTO w3 VALUES (3, 3.5, 30.5, 7, TIMESTAMP '2024-05-01 12:00:03');
CREATE STREAM orders (id BIGINT, "amount" DOUBLE, "Total" DOUBLE, qty INT,
                      ts TIMESTAMP) WITH (topic='orders', timestamp='ts');
SELECT id, "amount", "Total", qty FROM orders;
-- A sink writes the declared spellings.
CREATE STREAM orders_out AS SELECT * FROM orders WHERE id = 2;
SELECT id, "amount", "Total", qty FROM orders_out;
PRINT 'orders_out' FROM BEGINNING;
-- A CSV header follows the same rule: AMOUNT and total match no column,
-- Total matches "Total" and QTY matches qty.
LOAD '${dir}/quoted_names.csv' INTO orders;
SELECT id, "amount", "Total", qty FROM orders WHERE id > 3;
