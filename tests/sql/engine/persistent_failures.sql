-- A persistent query's failed records are reported once at the end of
-- a bounded run, where they went: the dead-letter topic or nowhere.
CREATE STREAM raw_in (id VARCHAR, ts TIMESTAMP)
  WITH (topic='events', timestamp='ts', partitions=1);
INSERT INTO raw_in VALUES ('1', TIMESTAMP '2024-05-01 12:00:00'),
  ('x', TIMESTAMP '2024-05-01 12:00:01'),
  ('y', TIMESTAMP '2024-05-01 12:00:02'),
  ('3', TIMESTAMP '2024-05-01 12:00:03');
CREATE STREAM events (id BIGINT, ts TIMESTAMP)
  WITH (topic='events', timestamp='ts');
CREATE STREAM skipping (id BIGINT, ts TIMESTAMP)
  WITH (topic='events', timestamp='ts', errors='skip');
-- Reading a query's output waits for it: its warning comes then, once,
-- not again at the end of the run.  One query at a time, so that the
-- warnings come in a fixed order.
CREATE STREAM skipped_ids AS SELECT id FROM skipping;
SELECT * FROM skipped_ids;
CREATE STREAM ids AS SELECT id FROM events;
SELECT * FROM ids;
