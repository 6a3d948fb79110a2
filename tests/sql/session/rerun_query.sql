-- A persistent query that finished (a bounded run) or was terminated
-- starts again when its statement runs again, from the offsets it
-- committed: the sink gets each source row exactly once.
CREATE STREAM src (id BIGINT, ts TIMESTAMP)
  WITH (topic='src', timestamp='ts', partitions=1);
INSERT INTO src VALUES (1, TIMESTAMP '2024-05-01 12:00:00'),
  (2, TIMESTAMP '2024-05-01 12:00:01');
CREATE STREAM doubled AS SELECT id, id * 2 AS twice FROM src;
-- Reading doubled waits for its query to finish.
SELECT * FROM doubled;
INSERT INTO src VALUES (3, TIMESTAMP '2024-05-01 12:00:02');
-- The same statement again: the finished query runs on the new row only.
CREATE STREAM doubled AS SELECT id, id * 2 AS twice FROM src;
SELECT * FROM doubled;
TERMINATE doubled;
INSERT INTO src VALUES (4, TIMESTAMP '2024-05-01 12:00:03'),
  (5, TIMESTAMP '2024-05-01 12:00:04');
-- After TERMINATE it starts again as well.
CREATE STREAM doubled AS SELECT id, id * 2 AS twice FROM src;
SELECT * FROM doubled;
