-- EXTRACT of an INTERVAL computed per row (b - a), read as PostgreSQL
-- reads a day-time interval: a day is 24 hours, every part truncates
-- toward zero and so carries the interval's sign; EPOCH and SECOND are
-- DOUBLE with the milliseconds as a fraction.  Hand computation, b - a:
--   1  0 ms: every part 0
--   2  1 day 00:00:10 = 86410000 ms: epoch 86410, day 1, second 10
--   3  -(1 day 01:02:03.456) = -90123456 ms: epoch -90123.456, day -1,
--      hour -1, minute -2, second -3.456, millisecond -456
--   4  1 ms: epoch 0.001, second 0.001, millisecond 1
--   5  -1 ms: epoch -0.001, day 0, second -0.001, millisecond -1
--   6  23:59:59.999 = 86399999 ms: day 0, hour 23, minute 59,
--      second 59.999, millisecond 999, epoch 86399.999
--   7  exactly 1 day: epoch 86400, day 1, the rest 0
--   8  2024-01-01 to 2025-03-01 12:30:45.5: 366 + 31 + 28 = 425 days and
--      45045500 ms = 36765045500 ms: epoch 36765045.5, day 425, hour 12,
--      minute 30, second 45.5, millisecond 500
--   9  -90 s: minute -1, second -30, epoch -90
--  10  b is NULL: every part NULL
CREATE STREAM ev (id INT, a TIMESTAMP, b TIMESTAMP)
  WITH (topic='ev', partitions=1);
INSERT INTO ev VALUES
  (1, TIMESTAMP '2025-01-01 00:00:00', TIMESTAMP '2025-01-01 00:00:00'),
  (2, TIMESTAMP '2025-01-01 00:00:00', TIMESTAMP '2025-01-02 00:00:10'),
  (3, TIMESTAMP '2025-01-02 01:02:03.456', TIMESTAMP '2025-01-01 00:00:00'),
  (4, TIMESTAMP '2025-01-01 00:00:00', TIMESTAMP '2025-01-01 00:00:00.001'),
  (5, TIMESTAMP '2025-01-01 00:00:00.001', TIMESTAMP '2025-01-01 00:00:00'),
  (6, TIMESTAMP '2025-01-01 00:00:00', TIMESTAMP '2025-01-01 23:59:59.999'),
  (7, TIMESTAMP '2025-01-01 00:00:00', TIMESTAMP '2025-01-02 00:00:00'),
  (8, TIMESTAMP '2024-01-01 00:00:00', TIMESTAMP '2025-03-01 12:30:45.5'),
  (9, TIMESTAMP '2025-01-01 00:01:30', TIMESTAMP '2025-01-01 00:00:00'),
  (10, TIMESTAMP '2025-01-01 00:00:00', NULL);
SELECT id, b - a AS i,
       EXTRACT(EPOCH FROM b - a) AS epoch,
       EXTRACT(DAY FROM b - a) AS day,
       EXTRACT(HOUR FROM b - a) AS hour,
       EXTRACT(MINUTE FROM b - a) AS minute,
       EXTRACT(SECOND FROM b - a) AS second,
       EXTRACT(MILLISECOND FROM b - a) AS ms
  FROM ev;
-- Constants: the timestamps' difference of the documentation; a DAY past
-- INT (3e9 days = 2.592e17 ms, epoch 2.592e14 s); a quoted negative
-- count; 25 hours, which is 1 day 01:00:00 (hour 1, where PostgreSQL,
-- keeping hours apart from days, says 25); a typed NULL.
SELECT EXTRACT(SECOND FROM TIMESTAMP '2025-01-02 00:00:10'
                          - TIMESTAMP '2025-01-01 00:00:00') AS s,
       EXTRACT(DAY FROM INTERVAL '3000000000' DAY) AS big_day,
       EXTRACT(EPOCH FROM INTERVAL '3000000000' DAY) AS big_epoch,
       EXTRACT(SECOND FROM INTERVAL '-1.5' SECOND) AS neg_s,
       EXTRACT(MILLISECOND FROM INTERVAL '-1.5' SECOND) AS neg_ms,
       EXTRACT(DAY FROM INTERVAL '25' HOUR) AS d25,
       EXTRACT(HOUR FROM INTERVAL '25' HOUR) AS h25,
       EXTRACT(HOUR FROM -INTERVAL '25' HOUR) AS neg_h25,
       EXTRACT(EPOCH FROM CAST(NULL AS INTERVAL)) AS null_epoch;
