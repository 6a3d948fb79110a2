-- SPDX-License-Identifier: Apache-2.0
-- The models of the PREDICT benchmark (bench/predict/run.sh), made in one
-- bounded run before any timing: the XGBoost classifier trained by
-- predict.py (200 trees, max_depth 6) imported from ${MODEL_FILE}, its
-- predictions on one thread; and a LOGISTIC_REGRESSION trained here on
-- the same training rows, read from ${TRAIN}, labelled by ${LABEL}
-- (predict.py's LABEL_SQL).
CREATE STREAM train (id BIGINT, x0 DOUBLE, x1 DOUBLE, x2 DOUBLE, x3 DOUBLE,
                     x4 DOUBLE, x5 DOUBLE, x6 DOUBLE, x7 DOUBLE, x8 DOUBLE,
                     x9 DOUBLE, x10 DOUBLE, x11 DOUBLE, x12 DOUBLE,
                     x13 DOUBLE, x14 DOUBLE, x15 DOUBLE, x16 DOUBLE,
                     x17 DOUBLE, x18 DOUBLE, x19 DOUBLE, noise DOUBLE)
  WITH (topic='${TRAIN}');
CREATE TRAINING SET train_rows AS
  SELECT x0, x1, x2, x3, x4, x5, x6, x7, x8, x9, x10, x11, x12, x13, x14,
         x15, x16, x17, x18, x19, noise
    FROM train;
CREATE MODEL xgb TYPE XGBOOST FROM FILE '${MODEL_FILE}'
  FEATURES (x0, x1, x2, x3, x4, x5, x6, x7, x8, x9, x10, x11, x12, x13,
            x14, x15, x16, x17, x18, x19)
  WITH (nthread=1);
CREATE MODEL lr TYPE LOGISTIC_REGRESSION
  FEATURES (x0, x1, x2, x3, x4, x5, x6, x7, x8, x9, x10, x11, x12, x13,
            x14, x15, x16, x17, x18, x19)
  LABEL ${LABEL}
  FROM train_rows
  WITH (lambda=1);
