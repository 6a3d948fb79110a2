-- EVALUATE MODEL: every version, or chosen ones, on a training set.
CREATE TRAINING SET labelled AS SELECT 1.5 AS amount, false AS fraud;
CREATE MODEL champion TYPE XGBOOST FEATURES (amount) LABEL fraud
  FROM labelled;
CREATE MODEL challenger TYPE LOGISTIC_REGRESSION FEATURES (amount)
  LABEL fraud FROM labelled;
EVALUATE MODEL champion ON labelled;
EVALUATE MODEL champion VERSION 1, challenger ON labelled
  WHERE amount < 100;
