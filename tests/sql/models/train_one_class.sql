-- A classifier needs both classes among its training rows.
CREATE TABLE loans (id BIGINT PRIMARY KEY, funded_amnt DOUBLE, term VARCHAR,
  int_rate DOUBLE, sub_grade VARCHAR, addr_state VARCHAR,
  verification_status VARCHAR, annual_inc DOUBLE, emp_length VARCHAR,
  delinq_2yrs INT, inq_last_6mths INT, revol_util DOUBLE, class VARCHAR);
LOAD '${dir}/loans.csv' INTO loans;
CREATE MODEL risk TYPE LOGISTIC_REGRESSION
  FEATURES (int_rate, ONE_HOT(term))
  LABEL class = 'bad' FROM loans WHERE class = 'good';
