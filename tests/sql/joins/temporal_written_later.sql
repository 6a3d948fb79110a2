-- A temporal join reads versions by event time, not by when they were
-- written: here every rate version is written after the payments.  A
-- replay of the payments sees the rate of its own time, never a later one.
-- eur: 1.10 from 00:05, 1.20 from 00:20, 1.30 from 00:40; no gbp.
--   1 eur@10  1.10 (1.20 holds only from 00:20)
--   2 eur@30  1.20 (1.30, written in the same batch, is later: unseen)
--   3 eur@40  1.30 (a version holds from exactly its time)
--   4 gbp@40  no version: INNER drops it, LEFT keeps it with NULL
CREATE STREAM pay (id BIGINT, cur VARCHAR, ts TIMESTAMP)
  WITH (topic='pay', timestamp='ts', partitions=1);
INSERT INTO pay VALUES
  (1, 'eur', TIMESTAMP '2024-01-01 00:00:10'),
  (2, 'eur', TIMESTAMP '2024-01-01 00:00:30'),
  (3, 'eur', TIMESTAMP '2024-01-01 00:00:40'),
  (4, 'gbp', TIMESTAMP '2024-01-01 00:00:40');
CREATE TABLE rates (cur VARCHAR PRIMARY KEY, rate DOUBLE, ts TIMESTAMP)
  WITH (topic='rates', versioned=true, timestamp='ts');
INSERT INTO rates VALUES
  ('eur', 1.10, TIMESTAMP '2024-01-01 00:00:05'),
  ('eur', 1.20, TIMESTAMP '2024-01-01 00:00:20'),
  ('eur', 1.30, TIMESTAMP '2024-01-01 00:00:40');
SELECT p.id, r.rate
  FROM pay p JOIN rates r FOR SYSTEM_TIME AS OF p.ts ON p.cur = r.cur;
SELECT p.id, p.cur, r.rate
  FROM pay p LEFT JOIN rates r FOR SYSTEM_TIME AS OF p.ts ON p.cur = r.cur;
