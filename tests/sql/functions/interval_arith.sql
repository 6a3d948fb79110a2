-- INTERVAL arithmetic and comparisons, hand computed:
--   2025-01-02 00:00:10 - 2025-01-01 00:00:00 = 1 day 00:00:10
--   2025-03-01 00:00:00 - 1 day = 2025-02-28 (not a leap year)
--   2024-03-01 00:00:00 - 1 day = 2024-02-29 (a leap year)
--   DATE 2025-01-01 + 36 hours = 2025-01-02 12:00; 1 hour + 23:30 is
--   00:30 of the next day; DATE 2025-01-02 - 1 hour = 2025-01-01 23:00
--   1 hour * 1.5 = 1.5 * 1 hour = 01:30:00 (a DECIMAL factor)
--   1 hour / 2.5 = 00:24:00; 1 hour * 0.0005 = 1.8 s
--   Division rounds half away from zero to the millisecond, for integer
--   and fractional divisors alike: 5 ms / 2 = 2.5 -> 3 ms, -5 ms / 2 ->
--   -3 ms, 1 s / 3 = 333.33 -> 333 ms, 2 s / 3 = 666.67 -> 667 ms,
--   1 ms * 0.5 = 0.5 -> 1 ms
--   1 s - 1.5 s = -00:00:00.500; -(2 days) = -2 days
SELECT TIMESTAMP '2025-01-02 00:00:10' - TIMESTAMP '2025-01-01 00:00:00'
         AS diff,
       TIMESTAMP '2025-03-01 00:00:00' - INTERVAL '1' DAY AS feb28,
       TIMESTAMP '2024-03-01 00:00:00' - INTERVAL '1' DAY AS feb29,
       DATE '2025-01-01' + INTERVAL '36' HOUR AS d36,
       DATE '2025-01-02' - INTERVAL '1' HOUR AS d_1h,
       INTERVAL '1' HOUR + TIMESTAMP '2025-01-01 23:30:00' AS next_day;
SELECT INTERVAL '1' HOUR * 1.5 AS h15, 1.5 * INTERVAL '1' HOUR AS h15b,
       INTERVAL '1' HOUR / 2.5 AS h_25, INTERVAL '1' HOUR * 0.0005 AS tiny,
       INTERVAL '1' MINUTE * 3 AS m3, 3 * INTERVAL '1' MINUTE AS m3b;
SELECT INTERVAL '5' MILLISECOND / 2 AS half_up,
       INTERVAL '-5' MILLISECOND / 2 AS half_down,
       INTERVAL '1' SECOND / 3 AS third, INTERVAL '2' SECOND / 3 AS two_thirds,
       INTERVAL '1' MILLISECOND * 0.5 AS half_ms,
       INTERVAL '1' SECOND - INTERVAL '1.5' SECOND AS neg_half,
       -INTERVAL '2' DAY AS neg_days;
SELECT INTERVAL '1' SECOND = INTERVAL '1000' MILLISECOND AS eq,
       INTERVAL '-1' MILLISECOND < INTERVAL '0' SECOND AS lt,
       INTERVAL '25' HOUR > INTERVAL '1' DAY AS gt,
       INTERVAL '90' SECOND BETWEEN INTERVAL '1' MINUTE AND INTERVAL '2' MINUTE
         AS btw,
       GREATEST(INTERVAL '1' SECOND, INTERVAL '2' SECOND) AS g,
       CAST(INTERVAL '1.5' SECOND AS BIGINT) AS ms;
