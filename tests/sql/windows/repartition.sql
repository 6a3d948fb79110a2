-- GROUP BY a column that is not the record key, in persistent queries:
-- the rows go through the repartition topic _sluice-sluice-<query id>-
-- repartition-0, keyed by k (two partitions, as many as ev's), and the
-- window and the table keep their state per partition of it (EXPLAIN w).
-- A transient SELECT keeps one state for all partitions instead; the
-- rows are the same.  Event times increase, so no record is late
-- whichever partition it lands on.
-- Tumbling 10 s by k: [0,10): a {1,2,4} n 3 sum 7, b {3} n 1 sum 3;
-- [10,20): a {5,6} n 2 sum 11; [20,30): d {7} n 1 sum 7.  Four windows,
-- n 7, sum 28.  Table t: a n 5 sum 18, b n 1 sum 3, d n 1 sum 7.  (a is
-- created before b whichever partition of ev is read first: ids 1 and 3
-- share one.)
CREATE STREAM ev (id BIGINT, k VARCHAR, v BIGINT, ts TIMESTAMP)
  WITH (topic='ev', timestamp='ts', key='id', partitions=2);
INSERT INTO ev VALUES
  (1, 'a', 1, TIMESTAMP '2024-01-01 00:00:01'),
  (2, 'a', 2, TIMESTAMP '2024-01-01 00:00:02'),
  (3, 'b', 3, TIMESTAMP '2024-01-01 00:00:03'),
  (4, 'a', 4, TIMESTAMP '2024-01-01 00:00:04'),
  (5, 'a', 5, TIMESTAMP '2024-01-01 00:00:15'),
  (6, 'a', 6, TIMESTAMP '2024-01-01 00:00:16'),
  (7, 'd', 7, TIMESTAMP '2024-01-01 00:00:25');
-- Results keyed by k: one key's rows are in order on one partition.
CREATE STREAM w WITH (topic='w', key='k') AS
  SELECT k, WINDOW_START, COUNT(*) AS n, SUM(v) AS s
  FROM ev WINDOW TUMBLING (SIZE 10 SECONDS) GROUP BY k;
CREATE TABLE t WITH (topic='t') AS
  SELECT k, COUNT(*) AS n, SUM(v) AS s FROM ev GROUP BY k;
SELECT k, window_start, n, s FROM w WHERE k = 'a';
SELECT k, window_start, n, s FROM w WHERE k = 'b';
SELECT k, window_start, n, s FROM w WHERE k = 'd';
SELECT COUNT(*) AS windows, SUM(n) AS n, SUM(s) AS s FROM w;
SELECT k, n, s FROM t WHERE k = 'a';
SELECT k, n, s FROM t WHERE k = 'd';
SELECT k, WINDOW_START, COUNT(*) AS n, SUM(v) AS s
  FROM ev WINDOW TUMBLING (SIZE 10 SECONDS) GROUP BY k;
EXPLAIN w;
