-- Rows of a repartitioned query that fail after the repartition topic
-- (a late row, a division by zero in an aggregate's argument) are
-- dead-lettered as they were in their stream: the original key and value
-- bytes, with the stream's topic, partition and offset in the headers,
-- exactly as without the topic.
-- ev is keyed by id, so GROUP BY k goes through
-- _sluice-sluice-w-repartition-0.  Tumbling 10 s, EMIT FINAL:
--   id 1 @1 s: [0,10) a; id 2 @15 s: [10,20) a, the watermark reaches
--   15 s and closes [0,10); id 3 @5 s is late (reason late); id 4 @16 s
--   has v = 0: 100 / v fails (reason division_by_zero); id 5 @25 s.
-- Results: [0,10) a n 1 q 100; [10,20) a n 1 q 50 (id 2 only);
-- [20,30) a n 1 q 20.
CREATE STREAM ev (id BIGINT, k VARCHAR, v BIGINT, ts TIMESTAMP)
  WITH (topic='ev', timestamp='ts', key='id', partitions=1);
INSERT INTO ev VALUES
  (1, 'a', 1, TIMESTAMP '2024-01-01 00:00:01'),
  (2, 'a', 2, TIMESTAMP '2024-01-01 00:00:15'),
  (3, 'a', 3, TIMESTAMP '2024-01-01 00:00:05'),
  (4, 'a', 0, TIMESTAMP '2024-01-01 00:00:16'),
  (5, 'a', 5, TIMESTAMP '2024-01-01 00:00:25');
CREATE STREAM w WITH (topic='w', key='k') AS
  SELECT k, WINDOW_START, COUNT(*) AS n, SUM(100 / v) AS q
  FROM ev WINDOW TUMBLING (SIZE 10 SECONDS) GROUP BY k EMIT FINAL;
SELECT k, window_start, n, q FROM w;
PRINT 'ev.dlq' FROM BEGINNING;
