-- A training set from a stream: the WHERE keeps positive amounts, the
-- features are computed by the same operators a live query runs, and
-- the rows land in SQLite in arrival order, queryable as a table.
CREATE STREAM payments (id BIGINT, card VARCHAR, amount DOUBLE,
  ts TIMESTAMP) WITH (timestamp='ts', partitions=1);
INSERT INTO payments VALUES
  (1, 'c1', 10.0, TIMESTAMP '2024-01-01 00:00:01'),
  (2, 'c2', 250.5, TIMESTAMP '2024-01-01 01:00:02'),
  (3, 'c1', -1.0, TIMESTAMP '2024-01-01 02:00:03'),
  (4, 'c3', 99.0, TIMESTAMP '2024-01-01 03:00:04'),
  (5, NULL, 0.25, TIMESTAMP '2024-01-01 13:59:59.999');
CREATE TRAINING SET features AS
  SELECT id, UPPER(card) AS card, amount * 2 AS double_amount,
         EXTRACT(HOUR FROM ts) AS hour, amount > 50 AS big, ts
  FROM payments WHERE amount > 0;
-- Waits for the query: every row the stream held is there.
SELECT * FROM features;
SELECT id, card, double_amount FROM features WHERE big OR card IS NULL;
SHOW TRAINING SETS;
DESCRIBE features;
