-- Hopping windows of 10 s every 5 s with a grace period of 1 s: a record
-- is in two windows, and lateness is per window.  A record whose older
-- window has closed still counts in its newer one and is not late; only
-- a record whose every window has closed is late (dead-lettered).
--   1 a@00.000 v=1   [-5,5) and [0,10)
--   2 a@11.000 v=2   [5,15) and [10,20); the watermark reaches 11:
--                    [-5,5) (closes at 6) and [0,10) (at 10 + 1 = 11)
--                    close
--   3 a@06.000 v=3   [0,10) has closed; counts in [5,15) only
--   4 a@04.999 v=4   [-5,5) and [0,10) have both closed: late (DLQ)
--   5 a@15.999 v=5   [10,20) and [15,25); the watermark is 15.999, 1 ms
--                    before [5,15) closes at 16
--   6 a@09.000 v=6   [0,10) closed; [5,15) still open: counts there
--   7 a@16.000 v=7   [10,20) and [15,25); the watermark reaches 16:
--                    [5,15) closes
--   8 a@14.000 v=8   [5,15) closed (by exactly 0 ms); counts in [10,20)
-- [-5,5) {1}; [0,10) {1}; [5,15) {2,3,6} sum 11; [10,20) {2,5,7,8} sum
-- 22; [15,25) {5,7} sum 12.
CREATE STREAM ev (k VARCHAR, v BIGINT, ts TIMESTAMP)
  WITH (topic='ev', timestamp='ts', partitions=1);
INSERT INTO ev VALUES
  ('a', 1, TIMESTAMP '2024-01-01 00:00:00'),
  ('a', 2, TIMESTAMP '2024-01-01 00:00:11'),
  ('a', 3, TIMESTAMP '2024-01-01 00:00:06'),
  ('a', 4, TIMESTAMP '2024-01-01 00:00:04.999'),
  ('a', 5, TIMESTAMP '2024-01-01 00:00:15.999'),
  ('a', 6, TIMESTAMP '2024-01-01 00:00:09'),
  ('a', 7, TIMESTAMP '2024-01-01 00:00:16'),
  ('a', 8, TIMESTAMP '2024-01-01 00:00:14');
SELECT k, WINDOW_START, WINDOW_END, COUNT(*) AS n, SUM(v) AS s
  FROM ev
  WINDOW HOPPING (SIZE 10 SECONDS, ADVANCE BY 5 SECONDS,
                  GRACE PERIOD 1 SECOND)
  GROUP BY k EMIT FINAL;
-- Record 4 (offset 3) alone is in the DLQ.
PRINT 'ev.dlq' FROM BEGINNING;
