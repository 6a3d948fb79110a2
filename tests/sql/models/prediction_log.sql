-- SET 'prediction.log' = 'on' records every prediction in the catalog's
-- prediction_log table: model, version, the feature values served and the
-- score, so that later training can use exactly what was served.
CREATE TABLE loans (id BIGINT PRIMARY KEY, funded_amnt DOUBLE, term VARCHAR,
  int_rate DOUBLE, sub_grade VARCHAR, addr_state VARCHAR,
  verification_status VARCHAR, annual_inc DOUBLE, emp_length VARCHAR,
  delinq_2yrs INT, inq_last_6mths INT, revol_util DOUBLE, class VARCHAR);
LOAD '${dir}/loans.csv' INTO loans;
CREATE MODEL risk TYPE LOGISTIC_REGRESSION
  FEATURES (STANDARDIZE(int_rate), ONE_HOT(term), revol_util / 100 AS util)
  LABEL class = 'bad' FROM loans;
-- Not logged: the log is off.
SELECT id, PREDICT(risk) AS score FROM loans WHERE id = 1;
SET 'prediction.log' = 'on';
SELECT id, PREDICT(risk) AS score FROM loans WHERE id BETWEEN 2 AND 4;
SELECT model, version, features, score FROM prediction_log;
