-- A window join of two windowed counts, each over a two-partition stream
-- keyed by the grouping key (NOT NULL): the windows keep their state per
-- partition and their results come out on their key's partition, so the
-- join keeps its state per partition too (EXPLAIN).  views_any and
-- clicks_any read the same topics with a nullable key: one state for
-- all partitions.  Both give the same rows.
-- Keys by murmur2: a and b on partition 0, d and f on 1.
-- views:  a@0, a@9.999, b@5, a@10, d@20, f@33
-- clicks: a@1, a@10, b@10, d@25, f@37
-- Views per key and window: a[0,10) 2, b[0,10) 1, a[10,20) 1, d[20,30) 1,
-- f[30,40) 1; clicks: a[0,10) 1, a[10,20) 1, b[10,20) 1, d[20,30) 1,
-- f[30,40) 1.  INNER on key and window: a[0,10) 2/1, a[10,20) 1/1,
-- d[20,30) 1/1, f[30,40) 1/1 (b's are in different windows).  Each side
-- closes its windows in time order, so the pairs come out in it.
CREATE STREAM views (ad VARCHAR NOT NULL, ts TIMESTAMP)
  WITH (topic='views', timestamp='ts', key='ad', partitions=2);
CREATE STREAM clicks (ad VARCHAR NOT NULL, ts TIMESTAMP)
  WITH (topic='clicks', timestamp='ts', key='ad', partitions=2);
CREATE STREAM views_any (ad VARCHAR, ts TIMESTAMP)
  WITH (topic='views', timestamp='ts', key='ad');
CREATE STREAM clicks_any (ad VARCHAR, ts TIMESTAMP)
  WITH (topic='clicks', timestamp='ts', key='ad');
INSERT INTO views VALUES
  ('a', TIMESTAMP '2024-01-01 00:00:00'),
  ('a', TIMESTAMP '2024-01-01 00:00:09.999'),
  ('b', TIMESTAMP '2024-01-01 00:00:05'),
  ('a', TIMESTAMP '2024-01-01 00:00:10'),
  ('d', TIMESTAMP '2024-01-01 00:00:20'),
  ('f', TIMESTAMP '2024-01-01 00:00:33');
INSERT INTO clicks VALUES
  ('a', TIMESTAMP '2024-01-01 00:00:01'),
  ('a', TIMESTAMP '2024-01-01 00:00:10'),
  ('b', TIMESTAMP '2024-01-01 00:00:10'),
  ('d', TIMESTAMP '2024-01-01 00:00:25'),
  ('f', TIMESTAMP '2024-01-01 00:00:37');
WITH v AS (SELECT ad, COUNT(*) AS n, WINDOW_START, WINDOW_END FROM views
           WINDOW TUMBLING (SIZE 10 SECONDS) GROUP BY ad),
     c AS (SELECT ad, COUNT(*) AS n, WINDOW_START, WINDOW_END FROM clicks
           WINDOW TUMBLING (SIZE 10 SECONDS) GROUP BY ad)
SELECT v.ad, v.window_start, v.n AS views, c.n AS clicks
FROM v JOIN c ON v.ad = c.ad AND v.window_start = c.window_start;
WITH v AS (SELECT ad, COUNT(*) AS n, WINDOW_START, WINDOW_END
           FROM views_any WINDOW TUMBLING (SIZE 10 SECONDS) GROUP BY ad),
     c AS (SELECT ad, COUNT(*) AS n, WINDOW_START, WINDOW_END
           FROM clicks_any WINDOW TUMBLING (SIZE 10 SECONDS) GROUP BY ad)
SELECT v.ad, v.window_start, v.n AS views, c.n AS clicks
FROM v JOIN c ON v.ad = c.ad AND v.window_start = c.window_start;
EXPLAIN WITH v AS (SELECT ad, COUNT(*) AS n, WINDOW_START, WINDOW_END
                   FROM views WINDOW TUMBLING (SIZE 10 SECONDS) GROUP BY ad),
             c AS (SELECT ad, COUNT(*) AS n, WINDOW_START, WINDOW_END
                   FROM clicks WINDOW TUMBLING (SIZE 10 SECONDS)
                   GROUP BY ad)
SELECT v.ad, v.window_start, v.n AS views, c.n AS clicks
FROM v JOIN c ON v.ad = c.ad AND v.window_start = c.window_start;
