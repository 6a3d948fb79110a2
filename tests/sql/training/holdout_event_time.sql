-- WITH (holdout=...) holds out the latest rows in event time, not the
-- last ones to arrive.  The query does not select the event time, so the
-- training set gets it as its last column (ts, the stream's event-time
-- column).  Rows arrive out of event-time order; the two with the
-- latest event times are outliers (y = 100), the others lie on
-- y = 3x + 1.  x = 8 and x = 9 share 08:00: ties go by arrival, so x = 9
-- (arrived after x = 8) is the later of the two.  Sorted by event time
-- the last 20% (2 of 10 rows) are x = 9 and x = 10, so the model learns
-- from the eight clean rows only and fits y = 3x + 1 exactly.  By
-- arrival the held-out rows would have been x = 6 and x = 7.
CREATE STREAM points (x DOUBLE, y DOUBLE, ts TIMESTAMP)
  WITH (timestamp='ts', partitions=1);
INSERT INTO points VALUES
  (10, 100, TIMESTAMP '2024-01-01 10:00:00'),
  (3, 10, TIMESTAMP '2024-01-01 03:00:00'),
  (1, 4, TIMESTAMP '2024-01-01 01:00:00'),
  (8, 25, TIMESTAMP '2024-01-01 08:00:00'),
  (9, 100, TIMESTAMP '2024-01-01 08:00:00'),
  (2, 7, TIMESTAMP '2024-01-01 02:00:00'),
  (4, 13, TIMESTAMP '2024-01-01 04:00:00'),
  (5, 16, TIMESTAMP '2024-01-01 05:00:00'),
  (6, 19, TIMESTAMP '2024-01-01 06:00:00'),
  (7, 22, TIMESTAMP '2024-01-01 07:00:00');
CREATE TRAINING SET point_rows AS SELECT x, y FROM points;
-- Arrival order, with the event time as the last column.
SELECT * FROM point_rows;
DESCRIBE point_rows;
CREATE MODEL line TYPE LINEAR_REGRESSION FEATURES (x) LABEL y
  FROM point_rows WITH (lambda=0, holdout=0.2);
-- Trained on 8 rows: the fit is exact on every clean row.
SELECT x, y, ROUND(PREDICT(line), 9) AS fit FROM point_rows;
-- The held-out rows are x = 9 (predicted 28) and x = 10 (predicted 31),
-- both labelled 100: errors 72 and 69, so mae = 70.5 and
-- rmse = sqrt((72^2 + 69^2) / 2) = sqrt(4972.5), the metrics the version
-- stored (DESCRIBE line).
EVALUATE MODEL line ON point_rows WHERE x >= 9;
