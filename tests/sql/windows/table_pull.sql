-- CREATE TABLE ... AS SELECT ... GROUP BY keeps the current row per key
-- in SQLite: a pull query answers from it once the query has caught up.
CREATE STREAM p (card VARCHAR, amount DOUBLE, ts TIMESTAMP)
  WITH (topic='p', timestamp='ts', key='card');
INSERT INTO p VALUES ('c1', 1, TIMESTAMP '2024-05-01 12:00:00'),
  ('c1', 2, TIMESTAMP '2024-05-01 12:00:30'),
  ('c2', 5, TIMESTAMP '2024-05-01 12:01:10'),
  ('c3', NULL, TIMESTAMP '2024-05-01 12:01:20');
CREATE TABLE totals AS
  SELECT card, COUNT(*) AS n, SUM(amount) AS total FROM p GROUP BY card;
-- c1: two payments, 1 + 2; c2: one of 5; c3: one with no amount.
SELECT * FROM totals;
SELECT card, total FROM totals WHERE n > 1;
