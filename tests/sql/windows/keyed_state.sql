-- GROUP BY the record key of a two-partition stream: ev is keyed by k,
-- declared NOT NULL, so every record of one key is on one partition
-- (murmur2 of the key: a and b on partition 0, d and f on 1) and the
-- window keeps its state per partition, as EXPLAIN says.  ev_any reads
-- the same topic with k nullable: a record without a key could land on
-- either partition, so its window keeps one state for all of them.
-- Both give the same rows.  Each window holds keys of one partition
-- only, so the order of rows closing together is their arrival order.
-- [0,10): a {1,3} n 2 sum 4, b {4} n 1 sum 4;
-- [10,20): d {5,6} n 2 sum 11, f {9} n 1 sum 9; [20,30): a {7} n 1 sum 7.
CREATE STREAM ev (k VARCHAR NOT NULL, v BIGINT, ts TIMESTAMP)
  WITH (topic='ev', timestamp='ts', key='k', partitions=2);
CREATE STREAM ev_any (k VARCHAR, v BIGINT, ts TIMESTAMP)
  WITH (topic='ev', timestamp='ts', key='k');
INSERT INTO ev VALUES
  ('a', 1, TIMESTAMP '2024-01-01 00:00:01'),
  ('a', 3, TIMESTAMP '2024-01-01 00:00:04'),
  ('b', 4, TIMESTAMP '2024-01-01 00:00:05'),
  ('d', 5, TIMESTAMP '2024-01-01 00:00:12'),
  ('d', 6, TIMESTAMP '2024-01-01 00:00:13'),
  ('f', 9, TIMESTAMP '2024-01-01 00:00:14'),
  ('a', 7, TIMESTAMP '2024-01-01 00:00:25');
SELECT k, MIN(ROWPARTITION) AS p, COUNT(DISTINCT ROWPARTITION) AS n
  FROM ev GROUP BY k HAVING k = 'a';
SELECT k, MIN(ROWPARTITION) AS p, COUNT(DISTINCT ROWPARTITION) AS n
  FROM ev GROUP BY k HAVING k = 'd';
SELECT k, WINDOW_START, COUNT(*) AS n, SUM(v) AS s
  FROM ev WINDOW TUMBLING (SIZE 10 SECONDS) GROUP BY k;
SELECT k, WINDOW_START, COUNT(*) AS n, SUM(v) AS s
  FROM ev_any WINDOW TUMBLING (SIZE 10 SECONDS) GROUP BY k;
EXPLAIN SELECT k, WINDOW_START, COUNT(*) AS n, SUM(v) AS s
  FROM ev WINDOW TUMBLING (SIZE 10 SECONDS) GROUP BY k;
