-- Rows LOADed into a training set in feature form, without its event
-- time (here ts, which the query does not select and the training set
-- gets as its last column), have a NULL event time: they count as the
-- oldest rows, so holdout never takes them.  The stream brings x = 5 to
-- 10 (x = 9 and 10, the latest in event time, are outliers); the file,
-- loaded after them, x = 1 to 4.  The last 20% in event-time order are
-- x = 9 and 10, so the model learns y = 3x + 1 from the eight others;
-- by arrival it would have held out x = 3 and 4 and learnt from the
-- outliers.
CREATE STREAM points (x DOUBLE, y DOUBLE, ts TIMESTAMP)
  WITH (timestamp='ts', partitions=1);
INSERT INTO points VALUES
  (9, 100, TIMESTAMP '2024-01-01 09:00:00'),
  (5, 16, TIMESTAMP '2024-01-01 05:00:00'),
  (10, 100, TIMESTAMP '2024-01-01 10:00:00'),
  (6, 19, TIMESTAMP '2024-01-01 06:00:00'),
  (7, 22, TIMESTAMP '2024-01-01 07:00:00'),
  (8, 25, TIMESTAMP '2024-01-01 08:00:00');
CREATE TRAINING SET point_rows AS SELECT x, y FROM points;
-- Waits for the query, so that the file's rows come after the stream's.
SELECT * FROM point_rows;
LOAD '${dir}/early_points.csv' INTO point_rows;
SELECT * FROM point_rows WHERE ts IS NULL;
CREATE MODEL line TYPE LINEAR_REGRESSION FEATURES (x) LABEL y
  FROM point_rows WITH (lambda=0, holdout=0.2);
SELECT x, y, ROUND(PREDICT(line), 9) AS fit FROM point_rows;
-- Held out: x = 9 (predicted 28) and x = 10 (predicted 31), both 100.
EVALUATE MODEL line ON point_rows WHERE x >= 9;
