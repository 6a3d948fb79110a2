-- STANDARDIZE and BUCKETIZE keep the statistics of the training rows:
-- rows whose values drift far from them are scored with the training
-- mean and standard deviation, so y = 2x + 1 still comes out as 2x + 1.
CREATE TABLE history (id BIGINT PRIMARY KEY, x DOUBLE, y DOUBLE);
INSERT INTO history VALUES (1, 1, 3), (2, 2, 5), (3, 3, 7), (4, 4, 9),
  (5, 5, 11), (6, 6, 13), (7, 7, 15), (8, 8, 17);
CREATE MODEL line TYPE LINEAR_REGRESSION FEATURES (STANDARDIZE(x))
  LABEL y FROM history WITH (lambda=0);
CREATE TABLE drifted (id BIGINT PRIMARY KEY, x DOUBLE);
INSERT INTO drifted VALUES (1, 1000), (2, 1001), (3, -50), (4, NULL);
-- A missing value is the training mean (4.5) for a linear model.
SELECT id, x, PREDICT(line) AS y FROM drifted;
EVALUATE MODEL line ON history;
