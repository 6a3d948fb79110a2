-- Features are numbers, BOOLEANs, or categories through ONE_HOT.
CREATE TABLE loans (id BIGINT PRIMARY KEY, funded_amnt DOUBLE, term VARCHAR,
  int_rate DOUBLE, sub_grade VARCHAR, addr_state VARCHAR,
  verification_status VARCHAR, annual_inc DOUBLE, emp_length VARCHAR,
  delinq_2yrs INT, inq_last_6mths INT, revol_util DOUBLE, class VARCHAR);
CREATE MODEL risk TYPE XGBOOST
  FEATURES (funded_amnt, STANDARDIZE(term))
  LABEL class = 'bad' FROM loans;
