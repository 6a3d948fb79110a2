-- A stream-stream join of two streams keyed by the join key, each on two
-- partitions: partition p of both holds the same keys (murmur2: a and b
-- on 0, d and f on 1), so the join keeps its state per partition (EXPLAIN
-- says so).  r3 holds the same right rows on three partitions: its
-- partition p does not hold l's keys, so at start that join falls back to
-- one state for all partitions (EXPLAIN j3 of the running query says
-- so).  Both give the same pairs.
-- WITHIN 5 s on k: a@1 meets a@3 (not a@7: 6 s), d@2 meets d@6 (not
-- d@9: 7 s), f@10 meets f@12, b@3 meets nothing (b@20).  Pairs (a,1,10),
-- (d,2,21), (f,4,40): n 3, checksum sum(lv * 100 + rv) = 110 + 221 + 440
-- = 771, lowest lv 1, highest rv 40.
CREATE STREAM l (k VARCHAR, lv BIGINT, ts TIMESTAMP)
  WITH (topic='l', timestamp='ts', key='k', partitions=2);
CREATE STREAM r (k VARCHAR, rv BIGINT, ts TIMESTAMP)
  WITH (topic='r', timestamp='ts', key='k', partitions=2);
CREATE STREAM r3 (k VARCHAR, rv BIGINT, ts TIMESTAMP)
  WITH (topic='r3', timestamp='ts', key='k', partitions=3);
INSERT INTO l VALUES
  ('a', 1, TIMESTAMP '2024-01-01 00:00:01'),
  ('d', 2, TIMESTAMP '2024-01-01 00:00:02'),
  ('b', 3, TIMESTAMP '2024-01-01 00:00:03'),
  ('f', 4, TIMESTAMP '2024-01-01 00:00:10');
INSERT INTO r VALUES
  ('a', 10, TIMESTAMP '2024-01-01 00:00:03'),
  ('d', 21, TIMESTAMP '2024-01-01 00:00:06'),
  ('a', 11, TIMESTAMP '2024-01-01 00:00:07'),
  ('d', 20, TIMESTAMP '2024-01-01 00:00:09'),
  ('f', 40, TIMESTAMP '2024-01-01 00:00:12'),
  ('b', 30, TIMESTAMP '2024-01-01 00:00:20');
INSERT INTO r3 VALUES
  ('a', 10, TIMESTAMP '2024-01-01 00:00:03'),
  ('d', 21, TIMESTAMP '2024-01-01 00:00:06'),
  ('a', 11, TIMESTAMP '2024-01-01 00:00:07'),
  ('d', 20, TIMESTAMP '2024-01-01 00:00:09'),
  ('f', 40, TIMESTAMP '2024-01-01 00:00:12'),
  ('b', 30, TIMESTAMP '2024-01-01 00:00:20');
CREATE STREAM j WITH (topic='j', partitions=1) AS
  SELECT l.k AS k, l.lv AS lv, r.rv AS rv
  FROM l JOIN r WITHIN 5 SECONDS ON l.k = r.k;
CREATE STREAM j3 WITH (topic='j3', partitions=1) AS
  SELECT l.k AS k, l.lv AS lv, r3.rv AS rv
  FROM l JOIN r3 WITHIN 5 SECONDS ON l.k = r3.k;
SELECT COUNT(*) AS n, SUM(lv * 100 + rv) AS chk, MIN(lv) AS lo,
       MAX(rv) AS hi FROM j;
SELECT COUNT(*) AS n, SUM(lv * 100 + rv) AS chk, MIN(lv) AS lo,
       MAX(rv) AS hi FROM j3;
SELECT COUNT(DISTINCT ROWPARTITION) AS partitions FROM r3;
EXPLAIN SELECT l.k AS k, l.lv AS lv, r.rv AS rv
  FROM l JOIN r WITHIN 5 SECONDS ON l.k = r.k;
EXPLAIN j3;
