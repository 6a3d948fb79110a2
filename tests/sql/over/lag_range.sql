-- LAG and sliding aggregates emit at once, over the card's history as of
-- each row's event time; ties in event time go by arrival; LAG never
-- returns the row itself; RANGE 10 s includes ts >= current.ts - 10 s and
-- the current row.
--   c1@00 10  prev NULL, prev2 -1 (the default); range {10}
--   c2@01 99  another card: no history
--   c1@05 20  prev 10, prev2 -1; range ts >= -5: {10,20}: 2, 30, max 20
--   c1@05 30  a tie, later arrival: prev 20, prev2 10; {10,20,30}: 3, 60
--   c1@15 40  range ts >= 5 (inclusive): {20,30,40}: 3, 90, 40
--   c1@15.001 50  range ts >= 5.001: {40,50}: 2, 90, 50
CREATE STREAM pay (card VARCHAR, amount BIGINT, ts TIMESTAMP)
  WITH (topic='pay', timestamp='ts', partitions=1);
INSERT INTO pay VALUES
  ('c1', 10, TIMESTAMP '2024-01-01 00:00:00'),
  ('c2', 99, TIMESTAMP '2024-01-01 00:00:01'),
  ('c1', 20, TIMESTAMP '2024-01-01 00:00:05'),
  ('c1', 30, TIMESTAMP '2024-01-01 00:00:05'),
  ('c1', 40, TIMESTAMP '2024-01-01 00:00:15'),
  ('c1', 50, TIMESTAMP '2024-01-01 00:00:15.001');
SELECT card, amount,
       LAG(amount) OVER (PARTITION BY card ORDER BY ts) AS prev,
       LAG(amount, 2, -1) OVER (PARTITION BY card ORDER BY ts) AS prev2,
       COUNT(*) OVER w AS n10,
       SUM(amount) OVER w AS s10,
       MAX(amount) OVER w AS hi10
  FROM pay
  WINDOW w AS (PARTITION BY card ORDER BY ts
               RANGE BETWEEN INTERVAL '10' SECOND PRECEDING AND CURRENT ROW);
