-- Train, version, evaluate and serve models in SQL on 400 rows of
-- ../shared/data/lending_club.csv (loans.csv, with an id column added).
CREATE TABLE loans (id BIGINT PRIMARY KEY, funded_amnt DOUBLE, term VARCHAR,
  int_rate DOUBLE, sub_grade VARCHAR, addr_state VARCHAR,
  verification_status VARCHAR, annual_inc DOUBLE, emp_length VARCHAR,
  delinq_2yrs INT, inq_last_6mths INT, revol_util DOUBLE, class VARCHAR);
LOAD '${dir}/loans.csv' INTO loans;

-- A classifier over plain, standardized, one-hot, bucketized and computed
-- features; the last 20% of the rows (by id) are held out.
CREATE MODEL risk TYPE XGBOOST
  FEATURES (funded_amnt, STANDARDIZE(int_rate), ONE_HOT(term),
            BUCKETIZE(annual_inc, ARRAY[40000, 80000]),
            revol_util / 100 AS util)
  LABEL class = 'bad' FROM loans
  WITH (rounds=20, max_depth=3, eta=0.3, seed=1, nthread=1, holdout=0.2);

-- The same name again trains version 2, here with other parameters.
CREATE MODEL risk TYPE XGBOOST
  FEATURES (funded_amnt, STANDARDIZE(int_rate), ONE_HOT(term),
            BUCKETIZE(annual_inc, ARRAY[40000, 80000]),
            revol_util / 100 AS util)
  LABEL class = 'bad' FROM loans
  WITH (rounds=40, max_depth=2, eta=0.2, seed=1, nthread=1, holdout=0.2);

CREATE MODEL risk_lr TYPE LOGISTIC_REGRESSION
  FEATURES (STANDARDIZE(int_rate), ONE_HOT(verification_status),
            inq_last_6mths)
  LABEL class = 'bad' FROM loans WHERE id <= 320
  WITH (lambda=1.0, iterations=50);

CREATE MODEL rate TYPE LINEAR_REGRESSION
  FEATURES (ONE_HOT(sub_grade), funded_amnt)
  LABEL int_rate FROM loans WITH (lambda=10, holdout=0.25);

-- Every version of risk, then chosen versions side by side, on the rows
-- no model was trained on.
EVALUATE MODEL risk ON loans WHERE id > 320;
EVALUATE MODEL risk VERSION 1, risk_lr, rate ON loans WHERE id > 320;

-- PREDICT takes the newest version, or the one named; PREDICT(m, v...)
-- takes the input columns in the order DESCRIBE lists them.
SELECT id, class, PREDICT(risk) AS v2, PREDICT(risk VERSION 1) AS v1,
       PREDICT(risk_lr) AS lr, PREDICT(rate) AS rate
  FROM loans WHERE id > 395;
SELECT id, PREDICT(risk, funded_amnt * 2, int_rate, 'term_60', annual_inc,
                   revol_util) AS what_if
  FROM loans WHERE id = 400;
SELECT id, int_rate FROM loans WHERE PREDICT(risk) > 0.5 LIMIT 3;
