-- RANK gives tied rows the same rank and skips the ranks after them, and
-- keeps every row whose rank is at most N: more than N rows when a tie
-- straddles N.  ROW_NUMBER breaks ties by arrival, and tied rows come out
-- in the order they reached the ranking.
-- Per window (1 minute, ranked when the window closes), RANK <= 2:
--   minute 0: m2 30 (1), m1 10 + 10 = 20 (2), m3 20 (2), m4 5 (4: out)
--   minute 1: m3 9 (1), m1 7 (2), m2 7 (2)
CREATE STREAM sales (m VARCHAR, amount BIGINT, ts TIMESTAMP)
  WITH (topic='sales', timestamp='ts', partitions=1);
INSERT INTO sales VALUES
  ('m1', 10, TIMESTAMP '2024-01-01 00:00:01'),
  ('m2', 30, TIMESTAMP '2024-01-01 00:00:02'),
  ('m3', 20, TIMESTAMP '2024-01-01 00:00:03'),
  ('m1', 10, TIMESTAMP '2024-01-01 00:00:04'),
  ('m4', 5, TIMESTAMP '2024-01-01 00:00:05'),
  ('m1', 7, TIMESTAMP '2024-01-01 00:01:00'),
  ('m2', 7, TIMESTAMP '2024-01-01 00:01:10'),
  ('m3', 9, TIMESTAMP '2024-01-01 00:01:20');
SELECT * FROM (
  SELECT m, total, window_start, window_end,
         RANK() OVER (PARTITION BY window_start ORDER BY total DESC) AS rk
  FROM (SELECT m, SUM(amount) AS total, WINDOW_START, WINDOW_END
        FROM sales WINDOW TUMBLING (SIZE 1 MINUTE)
        GROUP BY m) per_minute
) ranked
WHERE rk <= 2;
-- Per key on a stream: every row that enters a card's top 2 emits the
-- card's new top 2 in order; a row that does not enter emits nothing.
--   c1 10    ROW_NUMBER [10:1]            RANK [10:1]
--   c1 30    [30:1, 10:2]                 [30:1, 10:2]
--   c1 10    ties the first 10 but came later: 3rd, nothing
--                                         ties at 2: [30:1, 10:2, 10:2]
--   c1 20    [30:1, 20:2]                 [30:1, 20:2] (the 10s are 3rd)
--   c1 5     nothing                      nothing
--   c2 1     [1:1]                        [1:1]
CREATE STREAM pay (card VARCHAR, amount BIGINT, ts TIMESTAMP)
  WITH (topic='pay', timestamp='ts', partitions=1);
INSERT INTO pay VALUES
  ('c1', 10, TIMESTAMP '2024-01-01 00:00:00'),
  ('c1', 30, TIMESTAMP '2024-01-01 00:00:01'),
  ('c1', 10, TIMESTAMP '2024-01-01 00:00:02'),
  ('c1', 20, TIMESTAMP '2024-01-01 00:00:03'),
  ('c1', 5, TIMESTAMP '2024-01-01 00:00:04'),
  ('c2', 1, TIMESTAMP '2024-01-01 00:00:05');
SELECT * FROM (
  SELECT card, amount, ts,
         ROW_NUMBER() OVER (PARTITION BY card ORDER BY amount DESC) AS rn
  FROM pay
) ranked
WHERE rn <= 2;
SELECT * FROM (
  SELECT card, amount, ts,
         RANK() OVER (PARTITION BY card ORDER BY amount DESC) AS rk
  FROM pay
) ranked
WHERE rk <= 2;
