-- Pull queries on tables and training sets, SELECT without FROM, LIMIT.
CREATE TABLE merchants (id BIGINT PRIMARY KEY, name VARCHAR);
CREATE STREAM payments (merchant BIGINT, amount DOUBLE);
CREATE TABLE spend AS SELECT merchant, SUM(amount) AS total FROM payments
  GROUP BY merchant;
CREATE TRAINING SET rows AS SELECT merchant, amount FROM payments;
SELECT name FROM merchants WHERE id = 10;
SELECT * FROM spend WHERE total > 100 LIMIT 10;
SELECT COUNT(*) FROM rows;
SELECT * FROM prediction_log LIMIT 5;
SELECT 7 / 2 AS int_div, 7.0 / 2 AS dec_div, NOW() AS now;
SELECT merchant, amount FROM payments LIMIT 3;
