-- errors='skip' counts the bad record, logs it, and goes on.
CREATE STREAM raw_in (id VARCHAR, ts TIMESTAMP)
  WITH (topic='events', timestamp='ts');
INSERT INTO raw_in VALUES ('1', TIMESTAMP '2024-05-01 12:00:00'),
  ('x', TIMESTAMP '2024-05-01 12:00:01'), ('3', TIMESTAMP '2024-05-01 12:00:02');
CREATE STREAM events (id BIGINT, ts TIMESTAMP)
  WITH (topic='events', timestamp='ts', errors='skip');
SELECT id FROM events;
SHOW TOPICS;
