-- A stream's CHECK constraints reject records that fail them, with
-- reason check, whatever columns a query reads (here only k).  The
-- records come through a stream without CHECKs on the same topic (an
-- INSERT into ev itself would refuse them).
CREATE STREAM ev_in (k VARCHAR, v BIGINT, ts TIMESTAMP)
  WITH (topic='ev', timestamp='ts', partitions=1);
CREATE STREAM ev (k VARCHAR, v BIGINT, ts TIMESTAMP, CHECK (v > 0),
                  CHECK (k <> 'zz'))
  WITH (topic='ev', timestamp='ts', partitions=1);
INSERT INTO ev_in VALUES
  ('a', 1, TIMESTAMP '2024-01-01 00:00:00'),
  ('b', -2, TIMESTAMP '2024-01-01 00:00:01'),
  ('zz', 3, TIMESTAMP '2024-01-01 00:00:02'),
  ('c', NULL, TIMESTAMP '2024-01-01 00:00:03');
-- c passes: a CHECK that is NULL (unknown) does not reject, as in SQL.
SELECT k FROM ev;
PRINT 'ev.dlq' FROM BEGINNING;
