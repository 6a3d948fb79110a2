-- PREDICT(m, v...) takes values of the input columns' types.
CREATE TABLE loans (id BIGINT PRIMARY KEY, funded_amnt DOUBLE, term VARCHAR,
  int_rate DOUBLE, sub_grade VARCHAR, addr_state VARCHAR,
  verification_status VARCHAR, annual_inc DOUBLE, emp_length VARCHAR,
  delinq_2yrs INT, inq_last_6mths INT, revol_util DOUBLE, class VARCHAR);
LOAD '${dir}/loans.csv' INTO loans;
CREATE MODEL risk TYPE XGBOOST
  FEATURES (funded_amnt, STANDARDIZE(int_rate), ONE_HOT(term))
  LABEL class = 'bad' FROM loans WITH (rounds=5, nthread=1);
SELECT PREDICT(risk, 1000.0, 'high', 'term_36') AS score FROM loans;
