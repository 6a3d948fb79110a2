-- GROUP BY without a window into a table: its changelog, keyed by the
-- group key, goes to the table's topic.  A bounded run emits each group's
-- final row: a {1,2,2}: n 3, sum 5, distinct 2; b {NULL}: n 1, sum NULL,
-- distinct 0; c {5}.
CREATE STREAM ev (k VARCHAR, v BIGINT, ts TIMESTAMP)
  WITH (topic='ev', timestamp='ts', partitions=1);
INSERT INTO ev VALUES
  ('a', 1, TIMESTAMP '2024-01-01 00:00:00'),
  ('b', NULL, TIMESTAMP '2024-01-01 00:00:01'),
  ('a', 2, TIMESTAMP '2024-01-01 00:00:02'),
  ('a', 2, TIMESTAMP '2024-01-01 00:00:03'),
  ('c', 5, TIMESTAMP '2024-01-01 00:00:04');
CREATE TABLE totals AS
  SELECT k, COUNT(*) AS n, SUM(v) AS s, COUNT(DISTINCT v) AS nd
  FROM ev GROUP BY k;
-- A pull query waits for the query writing the table; no group 'zz'.
SELECT * FROM totals WHERE k = 'zz';
PRINT 'totals' FROM BEGINNING;
-- EMIT CHANGES: a row per record, in arrival order.
SET 'auto.offset.reset' = 'earliest';
SELECT k, COUNT(*) AS n, SUM(v) AS s FROM ev GROUP BY k EMIT CHANGES;
