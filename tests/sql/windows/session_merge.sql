-- Session merges by late events within grace, gap 10 s, grace 30 s, one
-- partition (the watermark is the highest event time so far); times are
-- seconds after 2024-01-01 00:00 (b@100 is 00:01:40).  A result
-- row stands for its key and bounds; under EMIT CHANGES a merged or
-- extended session first withdraws the rows it replaces (op '-'), then
-- its own row follows (op '+').
--   1 a@000 v=1   [0,10)                                      wm 0
--   2 a@015 v=2   15 >= 10: [15,25); [0,10) open until 40     wm 15
--   3 a@008 v=4   late but within grace, and within a gap of both:
--                 withdraws [0,10) (1, 1) and [15,25) (1, 2), then
--                 [0,25) 3 rows, sum 7
-- A chain of three: no event is within a gap of three sessions (they
-- lie a gap apart), so two bridging events merge them.
--   4 b@100 v=1   [100,110); a's [0,25) closes (55 <= 100)    wm 100
--   5 b@115 v=2   [115,125)                                   wm 115
--   6 b@130 v=4   [130,140); [100,110) open until 140         wm 130
--   7 b@108 v=8   bridges [100,110) and [115,125): withdraws them,
--                 then [100,125) 3 rows, sum 11
--   8 b@122 v=16  bridges [100,125) and [130,140): withdraws them,
--                 then [100,140) 5 rows, sum 31
-- EMIT FINAL: only the merged sessions, in order of end: a [0,25) 3 7,
-- b [100,140) 5 31.  A query without EMIT over a stream is bounded, so
-- emits final results too, without op.
CREATE STREAM ev (k VARCHAR, v BIGINT, ts TIMESTAMP)
  WITH (topic='ev', timestamp='ts', partitions=1);
INSERT INTO ev VALUES
  ('a', 1, TIMESTAMP '2024-01-01 00:00:00'),
  ('a', 2, TIMESTAMP '2024-01-01 00:00:15'),
  ('a', 4, TIMESTAMP '2024-01-01 00:00:08'),
  ('b', 1, TIMESTAMP '2024-01-01 00:01:40'),
  ('b', 2, TIMESTAMP '2024-01-01 00:01:55'),
  ('b', 4, TIMESTAMP '2024-01-01 00:02:10'),
  ('b', 8, TIMESTAMP '2024-01-01 00:01:48'),
  ('b', 16, TIMESTAMP '2024-01-01 00:02:02');
SET 'auto.offset.reset' = 'earliest';
SELECT k, WINDOW_START, WINDOW_END, COUNT(*) AS n, SUM(v) AS s
  FROM ev WINDOW SESSION (GAP 10 SECONDS, GRACE PERIOD 30 SECONDS)
  GROUP BY k EMIT CHANGES;
SELECT k, WINDOW_START, WINDOW_END, COUNT(*) AS n, SUM(v) AS s
  FROM ev WINDOW SESSION (GAP 10 SECONDS, GRACE PERIOD 30 SECONDS)
  GROUP BY k EMIT FINAL;
SELECT k, WINDOW_START, WINDOW_END, COUNT(*) AS n, SUM(v) AS s
  FROM ev WINDOW SESSION (GAP 10 SECONDS, GRACE PERIOD 30 SECONDS)
  GROUP BY k;
-- A filter passes withdrawals on as it passes rows: a row it kept is
-- withdrawn by a row it keeps too (the same values).  Sessions of 3 rows
-- or more: a [0,25), b [100,125) then its withdrawal, b [100,140).
SELECT k, WINDOW_START, COUNT(*) AS n
  FROM ev WINDOW SESSION (GAP 10 SECONDS, GRACE PERIOD 30 SECONDS)
  GROUP BY k HAVING COUNT(*) >= 3 EMIT CHANGES;
