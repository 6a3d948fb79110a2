-- OVER: LAG, sliding aggregates over a RANGE, ROW_NUMBER and RANK for
-- top-N, and named windows.
CREATE STREAM payments (card VARCHAR, merchant VARCHAR, amount DOUBLE,
  ts TIMESTAMP) WITH (timestamp='ts');
SELECT card, amount,
       LAG(amount) OVER (PARTITION BY card ORDER BY ts) AS prev,
       LAG(amount, 2, 0) OVER (PARTITION BY card ORDER BY ts) AS prev2,
       ts - LAG(ts) OVER (PARTITION BY card ORDER BY ts) AS since_last,
       COUNT(*) OVER last_hour AS n_hour,
       SUM(amount) OVER last_hour AS sum_hour,
       AVG(amount) OVER (PARTITION BY card ORDER BY ts
         RANGE BETWEEN INTERVAL '10' MINUTE PRECEDING AND CURRENT ROW)
         AS avg_10m
FROM payments
WINDOW last_hour AS (PARTITION BY card ORDER BY ts
  RANGE BETWEEN INTERVAL '1' HOUR PRECEDING AND CURRENT ROW);
-- Top 3 merchants per window by spend, filtered in an outer query.
SELECT * FROM (
  SELECT merchant, total, window_start,
         ROW_NUMBER() OVER (PARTITION BY window_start ORDER BY total DESC)
           AS rn,
         RANK() OVER (PARTITION BY window_start ORDER BY total DESC) AS rk
  FROM (SELECT merchant, SUM(amount) AS total, WINDOW_START
        FROM payments WINDOW TUMBLING (SIZE 1 HOUR) GROUP BY merchant) w
) ranked
WHERE rn <= 3;
