-- weighted_avg in session windows (gap 30 s, grace 60 s): an event that
-- bridges two sessions merges their states with the library's merge.
--   1 a@00:00 x=10 w=1  [00:00,00:30)
--   2 a@00:50 x=20 w=1  50 s after the last event: a new session
--                       [00:50,01:20)
--   3 a@00:25 x=40 w=2  less than a gap after 00:00 and before 00:50:
--                       merges both into [00:00,01:20), (10*1 + 20*1 +
--                       40*2) / (1+1+2) = 110/4 = 27.5
--   4 b@00:55 x=6  w=3  [00:55,01:25): 6*3/3 = 6
--   5 a@02:00 x=1  w=1  40 s after 01:20: a new session [02:00,02:30)
-- EMIT FINAL: no session reaches end + grace before the end of input,
-- which closes all three in the order they end.  EMIT CHANGES shows the
-- merged result 27.5 replacing 10 and 20: both withdrawn (op '-') before
-- it.
CREATE AGGREGATE FUNCTION weighted_avg(DOUBLE, DOUBLE) RETURNS DOUBLE
  LANGUAGE C AS '${build}/udf/examples/libsluice_examples.so';
CREATE STREAM ev (k VARCHAR, x DOUBLE, w DOUBLE, ts TIMESTAMP)
  WITH (topic='ev', timestamp='ts', partitions=1);
INSERT INTO ev VALUES
  ('a', 10, 1, TIMESTAMP '2024-01-01 00:00:00'),
  ('a', 20, 1, TIMESTAMP '2024-01-01 00:00:50'),
  ('a', 40, 2, TIMESTAMP '2024-01-01 00:00:25'),
  ('b', 6, 3, TIMESTAMP '2024-01-01 00:00:55'),
  ('a', 1, 1, TIMESTAMP '2024-01-01 00:02:00');
SELECT k, WINDOW_START, WINDOW_END, COUNT(*) AS n,
       weighted_avg(x, w) AS wavg
  FROM ev WINDOW SESSION (GAP 30 SECONDS, GRACE PERIOD 60 SECONDS)
  GROUP BY k EMIT FINAL;
SET 'auto.offset.reset' = 'earliest';
SELECT k, WINDOW_START, weighted_avg(x, w) AS wavg
  FROM ev WINDOW SESSION (GAP 30 SECONDS, GRACE PERIOD 60 SECONDS)
  GROUP BY k EMIT CHANGES;
