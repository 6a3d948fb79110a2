-- Stream-stream joins WITHIN a time range, of every kind.
CREATE STREAM clicks (ad BIGINT, user_id BIGINT, ts TIMESTAMP)
  WITH (timestamp='ts');
CREATE STREAM views (ad BIGINT, user_id BIGINT, ts TIMESTAMP)
  WITH (timestamp='ts');
SELECT v.ad, c.ts FROM views v JOIN clicks c WITHIN 10 MINUTES
  ON v.ad = c.ad AND v.user_id = c.user_id;
SELECT v.ad FROM views v LEFT JOIN clicks c
  WITHIN (INTERVAL '0' SECOND, INTERVAL '1' HOUR) GRACE PERIOD 1 MINUTE
  ON v.ad = c.ad;
SELECT v.ad FROM views v RIGHT OUTER JOIN clicks c WITHIN 1 HOUR
  ON c.ad = v.ad;
SELECT v.ad, c.ad FROM views v FULL JOIN clicks c WITHIN 30 SECONDS
  ON v.ad + 0 = c.ad;
