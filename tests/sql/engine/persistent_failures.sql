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
CREATE STREAM ids AS SELECT id FROM events;
CREATE STREAM skipped_ids AS SELECT id FROM skipping;
-- Reading ids waits for its query: the warning comes once, not again at
-- the end of the run.
SELECT * FROM ids;
SELECT * FROM skipped_ids;
