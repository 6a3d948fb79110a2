-- PREDICT(m) takes the model's input columns by name; PREDICT(m, v...)
-- takes values in the order DESCRIBE m lists them.
CREATE TRAINING SET labelled AS
  SELECT CAST(1.5 AS DOUBLE) AS amount, 'DE' AS country, false AS fraud;
CREATE MODEL fraud TYPE XGBOOST
  FEATURES (STANDARDIZE(amount), ONE_HOT(country)) LABEL fraud
  FROM labelled;
CREATE STREAM payments (id BIGINT, amount INT, country VARCHAR);
SELECT id, PREDICT(fraud) AS score FROM payments
  WHERE PREDICT(fraud) > 0.9;
SELECT id, PREDICT(fraud VERSION 1, amount * 2, 'FR') AS what_if
  FROM payments;
