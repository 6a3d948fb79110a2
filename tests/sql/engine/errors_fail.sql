-- errors='fail' stops the query at the first bad record, naming it;
-- the records after it in the same batch are not passed on.
CREATE STREAM raw_in (id VARCHAR, ts TIMESTAMP)
  WITH (topic='events', timestamp='ts');
INSERT INTO raw_in VALUES ('1', TIMESTAMP '2024-05-01 12:00:00'),
  ('x', TIMESTAMP '2024-05-01 12:00:01'),
  ('3', TIMESTAMP '2024-05-01 12:00:02');
CREATE STREAM events (id BIGINT, ts TIMESTAMP)
  WITH (topic='events', timestamp='ts', errors='fail');
SELECT id FROM events;
