-- Session windows, gap 10 s, grace 5 s: a session is [first, last + gap);
-- an event joins it when strictly less than one gap after it.
--   1 a@00.000      [0,10)
--   2 a@09.999      9.999 < 10 after 0: joins, [0,19.999)
--   3 a@19.999      exactly one gap after 9.999: a new session
--                   [19.999,29.999)
--   4 a@40.000      [40,50); the watermark is 40, which closes [0,19.999)
--                   (end + grace 24.999) and [19.999,29.999) (34.999)
--   5 a@30.000      10.001 after 19.999 and exactly one gap before 40:
--                   its own session [30,40), open until 45
--   6 a@35.000      within a gap of both [30,40) and [40,50): merges them
--                   into [30,50) with 5 + 4 + 6 = 15
--   7 a@12.000      its session [12,22) closed at 27 <= 40: late (DLQ)
-- EMIT FINAL: [0,19.999) 2 rows sum 3; [19.999,29.999) 1 row 3; [30,50)
-- 3 rows 15.  EMIT CHANGES shows each step in its last column op: a row
-- whose bounds change is withdrawn ('-': [0,10) when 2 extends it, [30,40)
-- and [40,50) when 6 merges them) before the new row ('+').
CREATE STREAM ev (k VARCHAR, v BIGINT, ts TIMESTAMP)
  WITH (topic='ev', timestamp='ts', partitions=1);
INSERT INTO ev VALUES
  ('a', 1, TIMESTAMP '2024-01-01 00:00:00'),
  ('a', 2, TIMESTAMP '2024-01-01 00:00:09.999'),
  ('a', 3, TIMESTAMP '2024-01-01 00:00:19.999'),
  ('a', 4, TIMESTAMP '2024-01-01 00:00:40'),
  ('a', 5, TIMESTAMP '2024-01-01 00:00:30'),
  ('a', 6, TIMESTAMP '2024-01-01 00:00:35'),
  ('a', 7, TIMESTAMP '2024-01-01 00:00:12');
SELECT k, WINDOW_START, WINDOW_END, COUNT(*) AS n, SUM(v) AS s
  FROM ev WINDOW SESSION (GAP 10 SECONDS, GRACE PERIOD 5 SECONDS)
  GROUP BY k EMIT FINAL;
SET 'auto.offset.reset' = 'earliest';
SELECT k, WINDOW_START, WINDOW_END, COUNT(*) AS n, SUM(v) AS s
  FROM ev WINDOW SESSION (GAP 10 SECONDS, GRACE PERIOD 5 SECONDS)
  GROUP BY k EMIT CHANGES;
PRINT 'ev.dlq' FROM BEGINNING;
