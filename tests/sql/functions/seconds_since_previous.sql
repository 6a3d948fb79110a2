-- Seconds since a card's previous payment: EXTRACT(EPOCH FROM ts - LAG(ts)),
-- a DOUBLE with the milliseconds.  Hand computation per card, in event
-- time (slow: more than 60 s):
--   c1 00:00:00       c1's first payment: NULL
--   c2 00:00:01       c2's first payment: NULL
--   c1 00:00:05.250   5.25 s after c1's first: 00:00:05.250, 5.25
--   c1 00:00:05.250   a tie, later arrival: 0 s after the one before
--   c1 next day 00:00:06   1 day 00:00:00.750 later: 86400.75, slow
CREATE STREAM pay (card VARCHAR, amount BIGINT, ts TIMESTAMP)
  WITH (topic='pay', timestamp='ts', partitions=1);
INSERT INTO pay VALUES
  ('c1', 10, TIMESTAMP '2024-01-01 00:00:00'),
  ('c2', 11, TIMESTAMP '2024-01-01 00:00:01'),
  ('c1', 20, TIMESTAMP '2024-01-01 00:00:05.250'),
  ('c1', 30, TIMESTAMP '2024-01-01 00:00:05.250'),
  ('c1', 40, TIMESTAMP '2024-01-02 00:00:06');
SELECT card, amount,
       ts - LAG(ts) OVER w AS gap,
       EXTRACT(EPOCH FROM ts - LAG(ts) OVER w) AS secs,
       EXTRACT(EPOCH FROM ts - LAG(ts) OVER w) > 60 AS slow
  FROM pay
  WINDOW w AS (PARTITION BY card ORDER BY ts);
