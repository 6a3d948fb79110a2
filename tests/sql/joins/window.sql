-- Window joins: two tumbling 10 s aggregations joined on their key and
-- their window bounds.  Windows are [start, end): an event at exactly 10 s
-- is in [10,20).
-- views:  a@00.000, a@09.999, b@05.000, a@10.000, c@20.000
-- clicks: a@01.000, a@10.000, b@10.000, d@25.000
-- Per key and window, views: a[0,10) 2, b[0,10) 1, a[10,20) 1,
-- c[20,30) 1; clicks: a[0,10) 1, a[10,20) 1, b[10,20) 1, d[20,30) 1.
-- INNER: a[0,10) 2 views 1 click, a[10,20) 1 and 1 (b's view and click
-- are in different windows: no match).  LEFT adds b[0,10) and c[20,30)
-- with no clicks; RIGHT adds b[10,20) and d[20,30) with no views; FULL
-- adds all four.  Joining on WINDOW_END gives the INNER rows again.
-- Both topics are read in event-time order, so the [0,10) windows close,
-- and b[0,10)'s row comes, before a[10,20) is complete.
CREATE STREAM views (ad VARCHAR, ts TIMESTAMP)
  WITH (topic='views', timestamp='ts', partitions=1);
CREATE STREAM clicks (ad VARCHAR, ts TIMESTAMP)
  WITH (topic='clicks', timestamp='ts', partitions=1);
INSERT INTO views VALUES
  ('a', TIMESTAMP '2024-01-01 00:00:00'),
  ('a', TIMESTAMP '2024-01-01 00:00:09.999'),
  ('b', TIMESTAMP '2024-01-01 00:00:05'),
  ('a', TIMESTAMP '2024-01-01 00:00:10'),
  ('c', TIMESTAMP '2024-01-01 00:00:20');
INSERT INTO clicks VALUES
  ('a', TIMESTAMP '2024-01-01 00:00:01'),
  ('a', TIMESTAMP '2024-01-01 00:00:10'),
  ('b', TIMESTAMP '2024-01-01 00:00:10'),
  ('d', TIMESTAMP '2024-01-01 00:00:25');
WITH v AS (SELECT ad, COUNT(*) AS n, WINDOW_START, WINDOW_END FROM views
           WINDOW TUMBLING (SIZE 10 SECONDS) GROUP BY ad),
     c AS (SELECT ad, COUNT(*) AS n, WINDOW_START, WINDOW_END FROM clicks
           WINDOW TUMBLING (SIZE 10 SECONDS) GROUP BY ad)
SELECT v.ad, v.window_start, v.window_end, v.n AS views, c.n AS clicks
FROM v JOIN c ON v.ad = c.ad AND v.window_start = c.window_start;
WITH v AS (SELECT ad, COUNT(*) AS n, WINDOW_START, WINDOW_END FROM views
           WINDOW TUMBLING (SIZE 10 SECONDS) GROUP BY ad),
     c AS (SELECT ad, COUNT(*) AS n, WINDOW_START, WINDOW_END FROM clicks
           WINDOW TUMBLING (SIZE 10 SECONDS) GROUP BY ad)
SELECT v.ad, v.window_start, v.n AS views, c.n AS clicks
FROM v LEFT JOIN c ON v.ad = c.ad AND v.window_start = c.window_start;
WITH v AS (SELECT ad, COUNT(*) AS n, WINDOW_START, WINDOW_END FROM views
           WINDOW TUMBLING (SIZE 10 SECONDS) GROUP BY ad),
     c AS (SELECT ad, COUNT(*) AS n, WINDOW_START, WINDOW_END FROM clicks
           WINDOW TUMBLING (SIZE 10 SECONDS) GROUP BY ad)
SELECT c.ad, c.window_start, v.n AS views, c.n AS clicks
FROM v RIGHT JOIN c ON v.ad = c.ad AND v.window_start = c.window_start;
WITH v AS (SELECT ad, COUNT(*) AS n, WINDOW_START, WINDOW_END FROM views
           WINDOW TUMBLING (SIZE 10 SECONDS) GROUP BY ad),
     c AS (SELECT ad, COUNT(*) AS n, WINDOW_START, WINDOW_END FROM clicks
           WINDOW TUMBLING (SIZE 10 SECONDS) GROUP BY ad)
SELECT v.ad AS vad, c.ad AS cad, v.window_start AS vstart,
       c.window_start AS cstart, v.n AS views, c.n AS clicks
FROM v FULL JOIN c ON v.ad = c.ad AND v.window_start = c.window_start;
WITH v AS (SELECT ad, COUNT(*) AS n, WINDOW_START, WINDOW_END FROM views
           WINDOW TUMBLING (SIZE 10 SECONDS) GROUP BY ad),
     c AS (SELECT ad, COUNT(*) AS n, WINDOW_START, WINDOW_END FROM clicks
           WINDOW TUMBLING (SIZE 10 SECONDS) GROUP BY ad)
SELECT v.ad, v.window_end, v.n AS views, c.n AS clicks
FROM v JOIN c ON v.ad = c.ad AND v.window_end = c.window_end;
