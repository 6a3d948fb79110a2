-- Persistent session queries under EMIT CHANGES write the replacement of
-- merged sessions to their topics.  Gap 10 s, grace 30 s, one partition:
--   1 a@00 v=1  [0,10)
--   2 a@15 v=2  [15,25)
--   3 a@08 v=4  late within grace, within a gap of both: withdraws [0,10)
--               and [15,25), then [0,25) 3 rows, sum 7
--   4 b@20 v=5  [20,30)
-- A table's topic is its changelog keyed by the table's key, here k and
-- the window bounds as a JSON object: each withdrawal is a tombstone of
-- the withdrawn row's key (its timestamp that row's WINDOW_END - 1), so
-- the table keeps a [0,25) and b [20,30) only.  A stream's rows carry a
-- last column op: '-' on a withdrawal, '+' on a row added.  EMIT FINAL
-- writes each session once, when it closes: no tombstones.
CREATE STREAM ev (k VARCHAR, v BIGINT, ts TIMESTAMP)
  WITH (topic='ev', timestamp='ts', partitions=1);
INSERT INTO ev VALUES
  ('a', 1, TIMESTAMP '2024-01-01 00:00:00'),
  ('a', 2, TIMESTAMP '2024-01-01 00:00:15'),
  ('a', 4, TIMESTAMP '2024-01-01 00:00:08'),
  ('b', 5, TIMESTAMP '2024-01-01 00:00:20');
CREATE TABLE sessions AS
  SELECT k, WINDOW_START, WINDOW_END, COUNT(*) AS n, SUM(v) AS s
  FROM ev WINDOW SESSION (GAP 10 SECONDS, GRACE PERIOD 30 SECONDS)
  GROUP BY k EMIT CHANGES;
-- In a bounded run PRINT waits for the queries writing the topic.
PRINT 'sessions' FROM BEGINNING;
SELECT * FROM sessions;
CREATE STREAM session_log AS
  SELECT k, WINDOW_START, WINDOW_END, COUNT(*) AS n, SUM(v) AS s
  FROM ev WINDOW SESSION (GAP 10 SECONDS, GRACE PERIOD 30 SECONDS)
  GROUP BY k EMIT CHANGES;
PRINT 'session_log' FROM BEGINNING;
-- Read back, the stream's withdrawals are rows like the others.
SELECT k, window_start, window_end, op FROM session_log WHERE op = '-';
-- INSERT INTO a stream that has the op column.
CREATE STREAM counts (k VARCHAR, n BIGINT, op VARCHAR)
  WITH (topic='counts', partitions=1);
INSERT INTO counts
  SELECT k, COUNT(*) FROM ev
  WINDOW SESSION (GAP 10 SECONDS, GRACE PERIOD 30 SECONDS)
  GROUP BY k EMIT CHANGES;
SELECT * FROM counts;
CREATE TABLE final_sessions AS
  SELECT k, WINDOW_START, WINDOW_END, COUNT(*) AS n, SUM(v) AS s
  FROM ev WINDOW SESSION (GAP 10 SECONDS, GRACE PERIOD 30 SECONDS)
  GROUP BY k EMIT FINAL;
PRINT 'final_sessions' FROM BEGINNING;
