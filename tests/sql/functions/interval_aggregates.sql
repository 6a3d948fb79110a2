-- SUM, AVG, MIN, MAX and COUNT of the INTERVAL gaps between a card's
-- payments, grouped and sliding; rows arrive in event-time order.  The
-- gaps (ts - LAG(ts)):
--   c1: NULL, 5.25 s, 1 day 00:00:00.750, 0.001 s
--   c2: NULL, 0.001 s, 0.002 s
-- Grouped:
--   c1: sum 86406001 ms = 1 day 00:00:06.001, mean 86406001 / 3 =
--       28802000.33 ms -> 08:00:02.000, 3 gaps, min 00:00:00.001,
--       max 1 day 00:00:00.750
--   c2: sum 3 ms, mean 1.5 ms -> 2 ms (half away from zero), 2 gaps
-- Sliding, RANGE 1 day up to the row (ts >= ts - 1 day):
--   c1@day1 00:00:00       {NULL}: NULL
--   c1@day1 00:00:05.250   {NULL, 5.25 s}: 5.25 s
--   c1@day2 00:00:06       ts >= day1 00:00:06: {1 day 00:00:00.750}
--   c1@day2 00:00:06.001   {1 day 00:00:00.750, 1 ms}: 86400751 / 2 =
--                          43200375.5 -> 12:00:00.376
--   c2 likewise over its own rows: NULL, 1 ms, 1.5 ms -> 2 ms
CREATE STREAM pay (card VARCHAR, ts TIMESTAMP)
  WITH (topic='pay', timestamp='ts', partitions=1);
INSERT INTO pay VALUES
  ('c1', TIMESTAMP '2024-01-01 00:00:00'),
  ('c2', TIMESTAMP '2024-01-01 00:00:01'),
  ('c2', TIMESTAMP '2024-01-01 00:00:01.001'),
  ('c2', TIMESTAMP '2024-01-01 00:00:01.003'),
  ('c1', TIMESTAMP '2024-01-01 00:00:05.250'),
  ('c1', TIMESTAMP '2024-01-02 00:00:06'),
  ('c1', TIMESTAMP '2024-01-02 00:00:06.001');
CREATE STREAM gaps WITH (topic='gaps', partitions=1, timestamp='ts') AS
  SELECT card, ts - LAG(ts) OVER (PARTITION BY card ORDER BY ts) AS gap, ts
    FROM pay;
SELECT card, SUM(gap) AS total, AVG(gap) AS mean, COUNT(gap) AS n,
       MIN(gap) AS shortest, MAX(gap) AS longest
  FROM gaps GROUP BY card;
SELECT card, ts,
       AVG(gap) OVER (PARTITION BY card ORDER BY ts
                      RANGE BETWEEN INTERVAL '1' DAY PRECEDING
                      AND CURRENT ROW) AS mean_1d
  FROM gaps;
