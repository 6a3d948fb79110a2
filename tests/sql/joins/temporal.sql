-- Temporal join against a versioned table: each payment sees the rate
-- version valid at its own event time (a version holds from its ts on).
-- eur: 1.10 from 00:10, 1.20 from 00:20; gbp: 1.30 from 00:15; no usd.
--   1 eur@09.999  before the first version: no row (LEFT: NULL)
--   2 eur@10.000  1.10 (a version holds from exactly its time)
--   3 eur@19.999  1.10 (the 1.20 update comes after this event)
--   4 eur@20.000  1.20
--   5 gbp@30.000  1.30
--   6 usd@30.000  no row (LEFT: NULL)
CREATE TABLE rates (cur VARCHAR PRIMARY KEY, rate DOUBLE, ts TIMESTAMP)
  WITH (topic='rates', versioned=true, timestamp='ts');
INSERT INTO rates VALUES
  ('eur', 1.10, TIMESTAMP '2024-01-01 00:00:10'),
  ('eur', 1.20, TIMESTAMP '2024-01-01 00:00:20'),
  ('gbp', 1.30, TIMESTAMP '2024-01-01 00:00:15');
CREATE STREAM pay (id BIGINT, cur VARCHAR, amount DOUBLE, ts TIMESTAMP)
  WITH (topic='pay', timestamp='ts', partitions=1);
INSERT INTO pay VALUES
  (1, 'eur', 100.0, TIMESTAMP '2024-01-01 00:00:09.999'),
  (2, 'eur', 100.0, TIMESTAMP '2024-01-01 00:00:10'),
  (3, 'eur', 100.0, TIMESTAMP '2024-01-01 00:00:19.999'),
  (4, 'eur', 100.0, TIMESTAMP '2024-01-01 00:00:20'),
  (5, 'gbp', 100.0, TIMESTAMP '2024-01-01 00:00:30'),
  (6, 'usd', 100.0, TIMESTAMP '2024-01-01 00:00:30');
SELECT p.id, p.cur, r.rate, p.amount * r.rate AS converted
  FROM pay p JOIN rates r FOR SYSTEM_TIME AS OF p.ts ON p.cur = r.cur;
SELECT p.id, r.rate
  FROM pay p LEFT JOIN rates r FOR SYSTEM_TIME AS OF p.ts ON p.cur = r.cur;
