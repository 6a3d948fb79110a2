-- Stream-stream joins on a column that is not either stream's record
-- key, in persistent queries: each side goes through its own
-- repartition topic (_sluice-sluice-<query id>-repartition-0 for l,
-- -1 for r), both keyed by k with two partitions (the larger of l's and
-- r's counts, two each), and the join keeps its state per partition of
-- them (EXPLAIN ji).  A transient SELECT keeps one state for all
-- partitions instead; the rows are the same.  Event times increase
-- within each stream, so no record is late whichever partition it
-- lands on.
-- WITHIN 5 s on k: a@1 meets a@3 (not a@7: 6 s), d@2 meets d@6 (not
-- d@9: 7 s), f@10 meets f@12, b@3 meets nothing (b@20), g@30 meets
-- nothing (g@36: 6 s), the NULL key @31 never matches.
-- Inner: (a,1,10), (d,2,21), (f,4,40): n 3, checksum sum(lv * 100 + rv)
-- = 110 + 221 + 440 = 771.  Left: those and (b,3,NULL), (g,5,NULL),
-- (NULL,6,NULL): n 6, 3 without a match, sum(lv) 21.
CREATE STREAM l (id BIGINT, k VARCHAR, lv BIGINT, ts TIMESTAMP)
  WITH (topic='l', timestamp='ts', key='id', partitions=2);
CREATE STREAM r (id BIGINT, k VARCHAR, rv BIGINT, ts TIMESTAMP)
  WITH (topic='r', timestamp='ts', key='id', partitions=2);
INSERT INTO l VALUES
  (1, 'a', 1, TIMESTAMP '2024-01-01 00:00:01'),
  (2, 'd', 2, TIMESTAMP '2024-01-01 00:00:02'),
  (3, 'b', 3, TIMESTAMP '2024-01-01 00:00:03'),
  (4, 'f', 4, TIMESTAMP '2024-01-01 00:00:10'),
  (5, 'g', 5, TIMESTAMP '2024-01-01 00:00:30'),
  (6, NULL, 6, TIMESTAMP '2024-01-01 00:00:31');
INSERT INTO r VALUES
  (11, 'a', 10, TIMESTAMP '2024-01-01 00:00:03'),
  (12, 'd', 21, TIMESTAMP '2024-01-01 00:00:06'),
  (13, 'a', 11, TIMESTAMP '2024-01-01 00:00:07'),
  (14, 'd', 20, TIMESTAMP '2024-01-01 00:00:09'),
  (15, 'f', 40, TIMESTAMP '2024-01-01 00:00:12'),
  (16, 'b', 30, TIMESTAMP '2024-01-01 00:00:20'),
  (17, 'g', 50, TIMESTAMP '2024-01-01 00:00:36');
CREATE STREAM ji WITH (topic='ji') AS
  SELECT l.k AS k, l.lv AS lv, r.rv AS rv
  FROM l JOIN r WITHIN 5 SECONDS ON l.k = r.k;
CREATE STREAM jl WITH (topic='jl') AS
  SELECT l.k AS k, l.lv AS lv, r.rv AS rv
  FROM l LEFT JOIN r WITHIN 5 SECONDS ON l.k = r.k;
SELECT COUNT(DISTINCT ROWPARTITION) AS l_partitions FROM l;
SELECT COUNT(DISTINCT ROWPARTITION) AS r_partitions FROM r;
SELECT COUNT(*) AS n, SUM(lv * 100 + rv) AS chk, MIN(lv) AS lo,
       MAX(rv) AS hi FROM ji;
SELECT k, lv, rv FROM ji WHERE k = 'a';
SELECT k, lv, rv FROM ji WHERE k = 'd';
SELECT k, lv, rv FROM ji WHERE k = 'f';
SELECT COUNT(*) AS n, COUNT(rv) AS matched, SUM(lv) AS lv_sum FROM jl;
SELECT k, lv, rv FROM jl WHERE k = 'a';
SELECT k, lv, rv FROM jl WHERE k = 'b';
SELECT k, lv, rv FROM jl WHERE k = 'd';
SELECT k, lv, rv FROM jl WHERE k = 'f';
SELECT k, lv, rv FROM jl WHERE k = 'g';
SELECT k, lv, rv FROM jl WHERE k IS NULL;
SELECT COUNT(*) AS n, COUNT(r.rv) AS matched, SUM(l.lv) AS lv_sum,
       SUM(l.lv * 100 + r.rv) AS chk
  FROM l LEFT JOIN r WITHIN 5 SECONDS ON l.k = r.k;
EXPLAIN ji;
