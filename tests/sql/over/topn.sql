-- Top-N per window: the two merchants with the highest total of every
-- minute, ROW_NUMBER in a subquery and the bound in the outer WHERE.
-- Minute 0: m1 10 + 25 = 35, m2 30, m3 20, m4 5 -> m1 (1), m2 (2).
-- Minute 1: m1 7, m2 8 -> m2 (1), m1 (2).  Each window's ranking comes
-- out when the window closes.
CREATE STREAM sales (m VARCHAR, amount BIGINT, ts TIMESTAMP)
  WITH (topic='sales', timestamp='ts', partitions=1);
INSERT INTO sales VALUES
  ('m1', 10, TIMESTAMP '2024-01-01 00:00:01'),
  ('m2', 30, TIMESTAMP '2024-01-01 00:00:02'),
  ('m3', 20, TIMESTAMP '2024-01-01 00:00:03'),
  ('m1', 25, TIMESTAMP '2024-01-01 00:00:04'),
  ('m4', 5, TIMESTAMP '2024-01-01 00:00:05'),
  ('m1', 7, TIMESTAMP '2024-01-01 00:01:00'),
  ('m2', 8, TIMESTAMP '2024-01-01 00:01:30');
SELECT * FROM (
  SELECT m, total, window_start, window_end,
         ROW_NUMBER() OVER (PARTITION BY window_start ORDER BY total DESC)
           AS rn
  FROM (SELECT m, SUM(amount) AS total, WINDOW_START, WINDOW_END
        FROM sales WINDOW TUMBLING (SIZE 1 MINUTE)
        GROUP BY m) per_minute
) ranked
WHERE rn <= 2;
