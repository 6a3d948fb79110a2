-- Tumbling windows of 10 s with a grace period of 2 s, one partition so
-- that arrival order is the order below.  Windows are [start, end).
--   1 a@00.000 v=1   window [0,10): the event at its start
--   2 a@09.999 v=2   [0,10): the last millisecond
--   3 a@10.000 v=3   [10,20): an event at exactly end goes to the next
--   4 a@11.999 v=4   [10,20); the watermark is now 11.999
--   5 a@05.000 v=5   out of order: [0,10) closes at end + grace = 12 and
--                    the watermark left by record 4 is 11.999, so it
--                    still counts
--   6 b@12.000 v=6   [10,20) of b; the watermark reaches 12: [0,10) closes
--   7 a@09.999 v=7   late: the watermark before it (12) reached 12, by
--                    exactly 0 ms past end + grace; dead-lettered (late)
--   8 a@13.000 NULL  [10,20): COUNT(*) counts it, COUNT(v)/SUM/MIN skip it
--   9 c@30.000 NULL  [30,40) holds only a NULL: SUM, MIN, AVG are NULL
-- EMIT FINAL: a [0,10) = {1,2,5}: n 3, sum 8, min 1, avg 8/3; a [10,20) =
-- {3,4,NULL}: n 3, nv 2, sum 7, min 3, avg 3.5; b [10,20) = {6}; c
-- [30,40) = {NULL}.  [0,10) closes first (watermark 12); the rest close
-- when record 9 moves the watermark to 30 or at the end of input.
CREATE STREAM ev (k VARCHAR, v BIGINT, ts TIMESTAMP)
  WITH (topic='ev', timestamp='ts', partitions=1);
INSERT INTO ev VALUES
  ('a', 1, TIMESTAMP '2024-01-01 00:00:00'),
  ('a', 2, TIMESTAMP '2024-01-01 00:00:09.999'),
  ('a', 3, TIMESTAMP '2024-01-01 00:00:10'),
  ('a', 4, TIMESTAMP '2024-01-01 00:00:11.999'),
  ('a', 5, TIMESTAMP '2024-01-01 00:00:05'),
  ('b', 6, TIMESTAMP '2024-01-01 00:00:12'),
  ('a', 7, TIMESTAMP '2024-01-01 00:00:09.999'),
  ('a', NULL, TIMESTAMP '2024-01-01 00:00:13'),
  ('c', NULL, TIMESTAMP '2024-01-01 00:00:30');
SELECT k, WINDOW_START, WINDOW_END, COUNT(*) AS n, COUNT(v) AS nv,
       SUM(v) AS s, MIN(v) AS lo, AVG(v) AS mean
  FROM ev WINDOW TUMBLING (SIZE 10 SECONDS, GRACE PERIOD 2 SECONDS)
  GROUP BY k EMIT FINAL;
-- EMIT CHANGES: one row per record that changes a result, in arrival
-- order: 1 -> a[0) 1,1; 2 -> a[0) 2,3; 3 -> a[10) 1,3; 4 -> a[10) 2,7;
-- 5 -> a[0) 3,8; 6 -> b[10) 1,6; 7 is late (nothing); 8 -> a[10) 3,7;
-- 9 -> c[30) 1,NULL.
SET 'auto.offset.reset' = 'earliest';
SELECT k, WINDOW_START, COUNT(*) AS n, SUM(v) AS s
  FROM ev WINDOW TUMBLING (SIZE 10 SECONDS, GRACE PERIOD 2 SECONDS)
  GROUP BY k EMIT CHANGES;
-- Record 7 (offset 6) is in the DLQ once per query, reason late.
PRINT 'ev.dlq' FROM BEGINNING;
