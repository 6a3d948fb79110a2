-- Train and serve in the same SQL: loan applications scored as they
-- arrive by models trained on past loans, with an offer priced from the
-- predicted risk.
--
--   sluice run --bounded queries/loan_demo.sql
--
-- Runs on the embedded broker with no setup; the data is 2,000 Lending
-- Club loans in queries/data/loans.csv.

-- Past loans with their outcome, in a lookup table.
CREATE TABLE loans (id BIGINT PRIMARY KEY, funded_amnt DOUBLE, term VARCHAR,
  int_rate DOUBLE, sub_grade VARCHAR, annual_inc DOUBLE, emp_length VARCHAR,
  delinq_2yrs INT, inq_last_6mths INT, revol_util DOUBLE, open_il_12m INT,
  total_bal_il DOUBLE, all_util DOUBLE, class VARCHAR);
LOAD '${dir}/data/loans.csv' INTO loans;

-- Two models on the first 1,600 loans: boosted trees and a logistic
-- regression, each with its normalization frozen into the model.
CREATE MODEL risk_xgb TYPE XGBOOST
  FEATURES (funded_amnt, int_rate, ONE_HOT(term), annual_inc,
            inq_last_6mths, revol_util, all_util,
            total_bal_il / GREATEST(annual_inc, 1) AS debt_ratio)
  LABEL class = 'bad' FROM loans WHERE id <= 1600
  WITH (rounds=60, max_depth=3, eta=0.1, seed=1, nthread=1);
CREATE MODEL risk_lr TYPE LOGISTIC_REGRESSION
  FEATURES (STANDARDIZE(funded_amnt), STANDARDIZE(int_rate), ONE_HOT(term),
            STANDARDIZE(annual_inc), inq_last_6mths,
            STANDARDIZE(revol_util))
  LABEL class = 'bad' FROM loans WHERE id <= 1600;

-- Both models side by side on the 400 loans they did not see.
EVALUATE MODEL risk_xgb, risk_lr ON loans WHERE id > 1600;

-- New applications arrive on a stream: the last 400 loans replayed.
CREATE STREAM applications (id BIGINT, funded_amnt DOUBLE, term VARCHAR,
  int_rate DOUBLE, sub_grade VARCHAR, annual_inc DOUBLE, emp_length VARCHAR,
  delinq_2yrs INT, inq_last_6mths INT, revol_util DOUBLE, open_il_12m INT,
  total_bal_il DOUBLE, all_util DOUBLE, class VARCHAR)
  WITH (topic='applications', key='id', partitions=4);
LOAD '${dir}/data/loans.csv' INTO applications;

-- Every application is answered on the offers topic: the probability of
-- a bad loan from both models, and a rate priced from the champion's
-- risk, never below 6%.
CREATE STREAM offers WITH (topic='offers', key='id') AS
  SELECT id, funded_amnt,
         ROUND(PREDICT(risk_xgb), 4) AS p_bad_xgb,
         ROUND(PREDICT(risk_lr), 4) AS p_bad_lr,
         ROUND(GREATEST(6.0, 5.0 + 40.0 * PREDICT(risk_xgb)), 2) AS rate
  FROM applications WHERE id > 1600;

SELECT id, funded_amnt, p_bad_xgb, p_bad_lr, rate FROM offers LIMIT 8;
