-- A stateful query that finished a bounded run starts again from its
-- checkpoint when its statement is re-run: a record that came after the
-- first run is history for LAG, not late.
CREATE STREAM src (id BIGINT, k VARCHAR, ts TIMESTAMP)
  WITH (topic='src', timestamp='ts', partitions=1);
INSERT INTO src VALUES (1, 'a', TIMESTAMP '2024-05-01 12:00:00'),
  (2, 'a', TIMESTAMP '2024-05-01 12:00:01');
CREATE STREAM lagged AS
  SELECT id, LAG(id) OVER (PARTITION BY k ORDER BY ts) AS prev FROM src;
SELECT * FROM lagged;
INSERT INTO src VALUES (3, 'a', TIMESTAMP '2024-05-01 12:00:02');
CREATE STREAM lagged AS
  SELECT id, LAG(id) OVER (PARTITION BY k ORDER BY ts) AS prev FROM src;
SELECT * FROM lagged;
