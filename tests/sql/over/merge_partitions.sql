-- LAG and a sliding aggregate over a PARTITION BY that is not the record
-- key, on a stream of three partitions: the task reads all three and
-- processes their records in event-time order across them (ties by
-- partition), so the result is that of one in-order stream, however the
-- partitions' chunks come.  Each card's payments lie on one partition
-- (murmur2 of the key: f on partition 0, a on 1, b on 2), in event-time
-- order, and the three partitions' ranges overlap.  In merged order, by
-- merchant, with RANGE 5 minutes (ts >= current.ts - 5 min, the current
-- row and the rows before it):
--   00:01 f m1 10   prev -    {10}                 1  10
--   00:02 a m1 20   prev 10   {10,20}              2  30
--   00:03 b m2 30   prev -    {30}                 1  30
--   00:04 f m1 40   prev 20   {10,20,40}           3  70
--   00:05 a m2 50   prev 30   {30,50}              2  80
--   00:06 b m1 60   prev 40   {10,20,40,60}        4 130  (00:01 >= 00:01)
--   00:07 f m2 70   prev 50   {30,50,70}           3 150
--   00:08 a m1 80   prev 60   {40,60,80}           3 180
--   00:09 b m1 90   prev 80   {40,60,80,90}        4 270
--   00:10 f m1 100  prev 90   {60,80,90,100}       4 330  (tie: partition 0
--   00:10 a m1 101  prev 100  {60,80,90,100,101}   5 431   goes first)
--   00:11 b m2 110  prev 70   {70,110}             2 180
CREATE STREAM pay (card VARCHAR, merchant VARCHAR, amount BIGINT,
                   ts TIMESTAMP)
  WITH (topic='pay', key='card', timestamp='ts', partitions=3);
INSERT INTO pay VALUES
  ('f', 'm1', 10, TIMESTAMP '2024-01-01 00:01:00'),
  ('f', 'm1', 40, TIMESTAMP '2024-01-01 00:04:00'),
  ('f', 'm2', 70, TIMESTAMP '2024-01-01 00:07:00'),
  ('f', 'm1', 100, TIMESTAMP '2024-01-01 00:10:00'),
  ('a', 'm1', 20, TIMESTAMP '2024-01-01 00:02:00'),
  ('a', 'm2', 50, TIMESTAMP '2024-01-01 00:05:00'),
  ('a', 'm1', 80, TIMESTAMP '2024-01-01 00:08:00'),
  ('a', 'm1', 101, TIMESTAMP '2024-01-01 00:10:00'),
  ('b', 'm2', 30, TIMESTAMP '2024-01-01 00:03:00'),
  ('b', 'm1', 60, TIMESTAMP '2024-01-01 00:06:00'),
  ('b', 'm1', 90, TIMESTAMP '2024-01-01 00:09:00'),
  ('b', 'm2', 110, TIMESTAMP '2024-01-01 00:11:00');
-- Each card on its own partition: 0, 1 and 2.
SELECT card, MIN(ROWPARTITION) AS p, COUNT(DISTINCT ROWPARTITION) AS n
  FROM pay GROUP BY card HAVING card = 'f';
SELECT card, MIN(ROWPARTITION) AS p, COUNT(DISTINCT ROWPARTITION) AS n
  FROM pay GROUP BY card HAVING card = 'a';
SELECT card, MIN(ROWPARTITION) AS p, COUNT(DISTINCT ROWPARTITION) AS n
  FROM pay GROUP BY card HAVING card = 'b';
SELECT card, merchant, amount,
       LAG(amount) OVER (PARTITION BY merchant ORDER BY ts) AS prev,
       COUNT(*) OVER w AS n5,
       SUM(amount) OVER w AS s5
  FROM pay
  WINDOW w AS (PARTITION BY merchant ORDER BY ts
               RANGE BETWEEN INTERVAL '5' MINUTE PRECEDING AND CURRENT ROW);
