-- A stream of two partitions where one partition never gets a record:
-- every record has the record key 'x', so all land on the same partition
-- and the other stays empty.  In a bounded run a partition at its end
-- offset no longer holds the watermark back, and an empty one is at its
-- end from the start: the watermark is the busy partition's alone.
-- GROUP BY k (not the record key) reads both partitions in one task, so
-- the watermark is the minimum over them.  Tumbling 10 s, grace 0:
--   1 a@01.000 v=1   [0,10)
--   2 a@12.000 v=2   [10,20); the watermark reaches 12: [0,10) closes
--   3 a@05.000 v=3   late: [0,10) closed at 10 <= 12 (DLQ, reason late)
--   4 b@15.000 v=4   [10,20) of b
--   5 a@19.999 v=5   [10,20): the last millisecond
-- Had the empty partition held the watermark back, record 3 would count
-- and a [0,10) would be 2 rows.  EMIT FINAL: a [0,10) {1}; a [10,20)
-- {2,5} n 2 sum 7; b [10,20) {4}.
CREATE STREAM ev (src VARCHAR, k VARCHAR, v BIGINT, ts TIMESTAMP)
  WITH (topic='ev', timestamp='ts', key='src', partitions=2);
INSERT INTO ev VALUES
  ('x', 'a', 1, TIMESTAMP '2024-01-01 00:00:01'),
  ('x', 'a', 2, TIMESTAMP '2024-01-01 00:00:12'),
  ('x', 'a', 3, TIMESTAMP '2024-01-01 00:00:05'),
  ('x', 'b', 4, TIMESTAMP '2024-01-01 00:00:15'),
  ('x', 'a', 5, TIMESTAMP '2024-01-01 00:00:19.999');
-- One partition holds all five records.
SELECT COUNT(DISTINCT ROWPARTITION) AS partitions_used, COUNT(*) AS n
  FROM ev GROUP BY src;
SELECT k, WINDOW_START, WINDOW_END, COUNT(*) AS n, SUM(v) AS s
  FROM ev WINDOW TUMBLING (SIZE 10 SECONDS) GROUP BY k EMIT FINAL;
-- EMIT CHANGES: 1 -> a[0) 1,1; 2 -> a[10) 1,2; 3 is late (nothing);
-- 4 -> b[10) 1,4; 5 -> a[10) 2,7.
SET 'auto.offset.reset' = 'earliest';
SELECT k, WINDOW_START, COUNT(*) AS n, SUM(v) AS s
  FROM ev WINDOW TUMBLING (SIZE 10 SECONDS) GROUP BY k EMIT CHANGES;
-- Record 3 (offset 2) is in the DLQ once per query.
PRINT 'ev.dlq' FROM BEGINNING;
