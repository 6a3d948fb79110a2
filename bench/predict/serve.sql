-- SPDX-License-Identifier: Apache-2.0
-- The timed query of the PREDICT benchmark (bench/predict/run.sh): every
-- row of ${IN} scored with ${SCORE} (PREDICT of a model made by
-- train.sql, or a plain expression for the run without a model) and
-- written with its id to ${OUT}.
CREATE STREAM requests (id BIGINT, x0 DOUBLE, x1 DOUBLE, x2 DOUBLE, x3 DOUBLE,
                    x4 DOUBLE, x5 DOUBLE, x6 DOUBLE, x7 DOUBLE, x8 DOUBLE,
                    x9 DOUBLE, x10 DOUBLE, x11 DOUBLE, x12 DOUBLE,
                    x13 DOUBLE, x14 DOUBLE, x15 DOUBLE, x16 DOUBLE,
                    x17 DOUBLE, x18 DOUBLE, x19 DOUBLE)
  WITH (topic='${IN}');
CREATE STREAM scored WITH (topic='${OUT}') AS
  SELECT id, ${SCORE} AS score FROM requests;
