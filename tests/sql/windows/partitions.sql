-- GROUP BY a column that is not the record key, over two partitions: the
-- records of one group may land on either partition, and the query still
-- gives one row per group and window (it reads every partition in one
-- task with one state, as EXPLAIN says).  Event times increase, so no
-- record is late whichever partition it lands on.
-- [0,10): a {1,2,4} n 3 sum 7, b {3} n 1; [10,20): a {5,6} n 2 sum 11.
CREATE STREAM ev (id BIGINT, k VARCHAR, v BIGINT, ts TIMESTAMP)
  WITH (topic='ev', timestamp='ts', key='id', partitions=2);
INSERT INTO ev VALUES
  (1, 'a', 1, TIMESTAMP '2024-01-01 00:00:01'),
  (2, 'a', 2, TIMESTAMP '2024-01-01 00:00:02'),
  (3, 'b', 3, TIMESTAMP '2024-01-01 00:00:03'),
  (4, 'a', 4, TIMESTAMP '2024-01-01 00:00:04'),
  (5, 'a', 5, TIMESTAMP '2024-01-01 00:00:15'),
  (6, 'a', 6, TIMESTAMP '2024-01-01 00:00:16');
SELECT COUNT(DISTINCT ROWPARTITION) AS partitions_used FROM ev GROUP BY k
  HAVING k = 'a';
SELECT k, WINDOW_START, COUNT(*) AS n, SUM(v) AS s
  FROM ev WINDOW TUMBLING (SIZE 10 SECONDS) GROUP BY k;
EXPLAIN SELECT k, WINDOW_START, COUNT(*) AS n, SUM(v) AS s
  FROM ev WINDOW TUMBLING (SIZE 10 SECONDS) GROUP BY k;
