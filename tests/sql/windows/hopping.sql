-- Hopping windows of 10 s advancing by 5 s: [k*5, k*5 + 10), so every
-- event is in two windows.  With no EMIT clause a bounded query emits
-- final results.
--   a@00.000 v=1 x=p   [-5,5) and [0,10)
--   a@05.000 v=2 x=q   [0,10) and [5,15) (not [-5,5): 5 is its end)
--   a@09.999 v=3 x=p   [0,10) and [5,15)
--   a@15.000 v=4 x=r   [10,20) and [15,25)
-- [-5,5): {1}; [0,10): {1,2,3} sum 6, distinct x {p,q} = 2, top 2 [3,2];
-- [5,15): {2,3} sum 5, x {q,p} = 2, [3,2]; [10,20) and [15,25): {4}.
CREATE STREAM ev (k VARCHAR, x VARCHAR, v BIGINT, ts TIMESTAMP)
  WITH (topic='ev', timestamp='ts', partitions=1);
INSERT INTO ev VALUES
  ('a', 'p', 1, TIMESTAMP '2024-01-01 00:00:00'),
  ('a', 'q', 2, TIMESTAMP '2024-01-01 00:00:05'),
  ('a', 'p', 3, TIMESTAMP '2024-01-01 00:00:09.999'),
  ('a', 'r', 4, TIMESTAMP '2024-01-01 00:00:15');
SELECT k, WINDOW_START, WINDOW_END, COUNT(*) AS n, SUM(v) AS s,
       COUNT(DISTINCT x) AS nx, TOPK(v, 2) AS top2
  FROM ev WINDOW HOPPING (SIZE 10 SECONDS, ADVANCE BY 5 SECONDS)
  GROUP BY k;
