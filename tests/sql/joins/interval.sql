-- Stream-stream joins WITHIN (5 s before, 10 s after): a left row at t
-- meets right rows with t - 5 s <= ts <= t + 10 s, bounds included.
-- Left:  l1 a@100 x=1, l2 b@100 x=2, l3 a@200 x=3 (seconds past 00:00).
-- Right: r1 a@94.999 y=10 (1 ms before l1's range), r2 a@95 y=20 (its
--        lower bound), r3 a@110 y=30 (its upper bound), r4 a@110.001
--        y=40 (1 ms after), r5 c@150 y=50 (no such key on the left),
--        r6 a@210 y=60 (l3's upper bound).
-- INNER: (l1,r2) (l1,r3) (l3,r6).  LEFT adds l2 with NULLs once its range
-- has closed; RIGHT adds r1, r4, r5; FULL all of them, each unmatched row
-- once, after its range closed, never beside a match.
-- WITHIN 10 s is (10 s, 10 s): l1 meets r1, r2, r3; l3 meets r6.
-- The task reads both topics in event-time order, so rows come as the
-- records and the closing ranges do: l2's and r4's ranges close when l3
-- comes (the watermark then reaches r5's 150 s), before r6 meets l3.
CREATE STREAM l (id VARCHAR, x BIGINT, ts TIMESTAMP)
  WITH (topic='l', timestamp='ts', partitions=1);
CREATE STREAM r (id VARCHAR, y BIGINT, ts TIMESTAMP)
  WITH (topic='r', timestamp='ts', partitions=1);
INSERT INTO l VALUES
  ('a', 1, TIMESTAMP '2024-01-01 00:01:40'),
  ('b', 2, TIMESTAMP '2024-01-01 00:01:40'),
  ('a', 3, TIMESTAMP '2024-01-01 00:03:20');
INSERT INTO r VALUES
  ('a', 10, TIMESTAMP '2024-01-01 00:01:34.999'),
  ('a', 20, TIMESTAMP '2024-01-01 00:01:35'),
  ('a', 30, TIMESTAMP '2024-01-01 00:01:50'),
  ('a', 40, TIMESTAMP '2024-01-01 00:01:50.001'),
  ('c', 50, TIMESTAMP '2024-01-01 00:02:30'),
  ('a', 60, TIMESTAMP '2024-01-01 00:03:30');
SELECT l.id, x, y FROM l JOIN r WITHIN (5 SECONDS, 10 SECONDS) ON l.id = r.id;
SELECT l.id, x, y FROM l LEFT JOIN r WITHIN (5 SECONDS, 10 SECONDS) ON l.id = r.id;
SELECT r.id, x, y FROM l RIGHT JOIN r WITHIN (5 SECONDS, 10 SECONDS) ON l.id = r.id;
SELECT l.id AS lid, r.id AS rid, x, y
  FROM l FULL JOIN r WITHIN (5 SECONDS, 10 SECONDS) ON l.id = r.id;
SELECT l.id, x, y FROM l JOIN r WITHIN 10 SECONDS ON l.id = r.id;
