-- The example aggregate weighted_avg(x, w) = sum(x * w) / sum(w) in
-- tumbling windows of one minute, per card, one partition (arrival order
-- is the order below, grace 0).
--   1 c1@00:10 x=10   w=1     c1 [00:00,00:01)
--   2 c1@00:20 x=20   w=3     c1 [00:00,00:01)
--   3 c2@00:30 x=100  w=0     c2 [00:00,00:01): a weight of zero
--   4 c1@00:40 x=1000 w=NULL  skipped by the aggregate (NULL argument),
--                             still counted by COUNT(*)
--   5 c1@00:50 x=5    w=-1    rejected by add: the row goes to the DLQ
--                             with reason udf and counts nowhere
--   6 c1@01:00 x=8    w=0.5   c1 [00:01,00:02); the watermark reaches
--                             01:00 and closes both [00:00,00:01)
--   7 c2@01:10 x=7    w=2     c2 [00:01,00:02)
--   8 c1@01:30 x=2    w=1.5   c1 [00:01,00:02)
-- EMIT FINAL: c1 [00:00) = {1,2,4}: n 3, (10*1 + 20*3) / (1+3) = 70/4 =
-- 17.5; c2 [00:00) = {3}: n 1, the weights sum to 0, so NULL; then at the
-- end of input c1 [00:01) = {6,8}: n 2, (8*0.5 + 2*1.5) / (0.5+1.5) =
-- 7/2 = 3.5; c2 [00:01) = {7}: n 1, 7*2/2 = 7.
CREATE AGGREGATE FUNCTION weighted_avg(DOUBLE, DOUBLE) RETURNS DOUBLE
  LANGUAGE C AS '${build}/udf/examples/libsluice_examples.so';
CREATE STREAM pay (card VARCHAR, amount DOUBLE, w DOUBLE, ts TIMESTAMP)
  WITH (topic='pay', timestamp='ts', partitions=1);
INSERT INTO pay VALUES
  ('c1', 10, 1, TIMESTAMP '2024-05-01 12:00:10'),
  ('c1', 20, 3, TIMESTAMP '2024-05-01 12:00:20'),
  ('c2', 100, 0, TIMESTAMP '2024-05-01 12:00:30'),
  ('c1', 1000, NULL, TIMESTAMP '2024-05-01 12:00:40'),
  ('c1', 5, -1, TIMESTAMP '2024-05-01 12:00:50'),
  ('c1', 8, 0.5, TIMESTAMP '2024-05-01 12:01:00'),
  ('c2', 7, 2, TIMESTAMP '2024-05-01 12:01:10'),
  ('c1', 2, 1.5, TIMESTAMP '2024-05-01 12:01:30');
SELECT card, WINDOW_START, WINDOW_END, COUNT(*) AS n,
       weighted_avg(amount, w) AS wavg
  FROM pay WINDOW TUMBLING (SIZE 1 MINUTE)
  GROUP BY card EMIT FINAL;
-- Record 5 (offset 4), with the library's message after the function's
-- name.
PRINT 'pay.dlq' FROM BEGINNING;
