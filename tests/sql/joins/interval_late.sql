-- An interval join WITHIN 5 s with a grace period of 2 s: a row is late
-- when its event time plus the grace is behind the watermark its own
-- stream left before it; a late row is dead-lettered (reason late) and
-- neither matches nor comes out unmatched.
-- Left:  l1 a@10 x=1, l2 b@10 x=2, l3 a@20 x=3 (the left watermark is
--        now 20), l4 a@17.999 x=4 (17.999 + 2 < 20: late), l5 a@18 x=5
--        (18 + 2 = 20: on time, the boundary).
-- Right: r1 a@15 y=10 (within 5 s of l1, l3 and l5), r2 a@30 y=20 (the
--        right watermark is now 30), r3 b@14 y=30 (14 + 2 < 30: late, so
--        l2 finds no match), r4 a@28 y=40 (28 + 2 = 30: on time; no left
--        row within 5 s).
-- INNER: (l1,r1) (l3,r1) (l5,r1).  LEFT adds l2 with NULLs; FULL also
-- r2 and r4.  l4 is in l.dlq and r3 in r.dlq, once per query.
CREATE STREAM l (id VARCHAR, x BIGINT, ts TIMESTAMP)
  WITH (topic='l', timestamp='ts', partitions=1);
CREATE STREAM r (id VARCHAR, y BIGINT, ts TIMESTAMP)
  WITH (topic='r', timestamp='ts', partitions=1);
INSERT INTO l VALUES
  ('a', 1, TIMESTAMP '2024-01-01 00:00:10'),
  ('b', 2, TIMESTAMP '2024-01-01 00:00:10'),
  ('a', 3, TIMESTAMP '2024-01-01 00:00:20'),
  ('a', 4, TIMESTAMP '2024-01-01 00:00:17.999'),
  ('a', 5, TIMESTAMP '2024-01-01 00:00:18');
INSERT INTO r VALUES
  ('a', 10, TIMESTAMP '2024-01-01 00:00:15'),
  ('a', 20, TIMESTAMP '2024-01-01 00:00:30'),
  ('b', 30, TIMESTAMP '2024-01-01 00:00:14'),
  ('a', 40, TIMESTAMP '2024-01-01 00:00:28');
SELECT l.id, x, y FROM l JOIN r WITHIN 5 SECONDS GRACE PERIOD 2 SECONDS
  ON l.id = r.id;
SELECT l.id, x, y FROM l LEFT JOIN r WITHIN 5 SECONDS GRACE PERIOD 2 SECONDS
  ON l.id = r.id;
SELECT l.id AS lid, r.id AS rid, x, y
  FROM l FULL JOIN r WITHIN 5 SECONDS GRACE PERIOD 2 SECONDS
  ON l.id = r.id;
PRINT 'l.dlq' FROM BEGINNING;
PRINT 'r.dlq' FROM BEGINNING;
