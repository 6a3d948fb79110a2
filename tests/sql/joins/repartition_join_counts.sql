-- A FULL join of streams with different partition counts (2 and 3) on a
-- column that is not either record key: both sides' repartition topics
-- get three partitions, the larger count (EXPLAIN fo), so that one key
-- is on the same partition number of both.  And a self-join on k, both
-- sides from one stream.
-- WITHIN 5 s on k: l a@1 meets r a@3; l d@2 and l b@3 meet nothing, nor
-- does r e@6.  FULL: 4 rows, 3 with a left side, 2 with a right one.
-- Self-join: each l row meets only itself (distinct keys): ids (1,1),
-- (2,2), (3,3), checksum sum(x * 10 + y) = 11 + 22 + 33 = 66.
CREATE STREAM l (id BIGINT, k VARCHAR, lv BIGINT, ts TIMESTAMP)
  WITH (topic='l', timestamp='ts', key='id', partitions=2);
CREATE STREAM r (id BIGINT, k VARCHAR, rv BIGINT, ts TIMESTAMP)
  WITH (topic='r', timestamp='ts', key='id', partitions=3);
INSERT INTO l VALUES
  (1, 'a', 1, TIMESTAMP '2024-01-01 00:00:01'),
  (2, 'd', 2, TIMESTAMP '2024-01-01 00:00:02'),
  (3, 'b', 3, TIMESTAMP '2024-01-01 00:00:03');
INSERT INTO r VALUES
  (11, 'a', 10, TIMESTAMP '2024-01-01 00:00:03'),
  (12, 'e', 21, TIMESTAMP '2024-01-01 00:00:06');
CREATE STREAM fo AS SELECT l.k AS lk, r.k AS rk, l.lv, r.rv
  FROM l FULL JOIN r WITHIN 5 SECONDS ON l.k = r.k;
CREATE STREAM sj AS SELECT a.id AS x, b.id AS y
  FROM l a JOIN l b WITHIN 5 SECONDS ON a.k = b.k;
SELECT COUNT(*) AS n, COUNT(lk) AS l, COUNT(rk) AS r FROM fo;
SELECT lk, rk, lv, rv FROM fo WHERE lk = 'a';
SELECT lk, rk, lv, rv FROM fo WHERE rk = 'e';
SELECT COUNT(*) AS n, SUM(x * 10 + y) AS chk FROM sj;
EXPLAIN fo;
