-- Two windowed results joined on their key and window bounds.
CREATE STREAM views (ad BIGINT, ts TIMESTAMP) WITH (timestamp='ts');
CREATE STREAM clicks (ad BIGINT, ts TIMESTAMP) WITH (timestamp='ts');
WITH v AS (SELECT ad, COUNT(*) AS n, WINDOW_START, WINDOW_END FROM views
           WINDOW TUMBLING (SIZE 1 HOUR) GROUP BY ad),
     c AS (SELECT ad, COUNT(*) AS n, WINDOW_START, WINDOW_END FROM clicks
           WINDOW TUMBLING (SIZE 1 HOUR) GROUP BY ad)
SELECT v.ad, v.window_start, c.n * 1.0 / v.n AS ctr
FROM v JOIN c ON v.ad = c.ad AND v.window_start = c.window_start
EMIT FINAL;
