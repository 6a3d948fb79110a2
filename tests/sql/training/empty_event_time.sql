-- A training set with an event time (here rowtime, which the query does
-- not select) but no rows yet trains nothing, and says so.
CREATE STREAM points (x DOUBLE, y DOUBLE) WITH (partitions=1);
CREATE TRAINING SET point_rows AS SELECT x, y FROM points;
CREATE MODEL line TYPE LINEAR_REGRESSION FEATURES (x) LABEL y
  FROM point_rows;
