-- A row computed by a window fails downstream (10 / 0 for a window of one
-- record): it follows the source stream's policy, here the default dlq.
-- It has no original bytes, so its dead letter carries the row's values as
-- a JSON array in column order (k, window start, window end, count).
CREATE STREAM ev (k VARCHAR, v BIGINT, ts TIMESTAMP)
  WITH (topic='ev', timestamp='ts', partitions=1);
INSERT INTO ev VALUES
  ('a', 1, TIMESTAMP '2024-01-01 00:00:00'),
  ('b', 2, TIMESTAMP '2024-01-01 00:00:01'),
  ('b', 3, TIMESTAMP '2024-01-01 00:00:02');
SELECT k, 10 / (COUNT(*) - 1) AS q
  FROM ev WINDOW TUMBLING (SIZE 10 SECONDS) GROUP BY k;
PRINT 'ev.dlq' FROM BEGINNING;
