-- A model file that is not an XGBoost JSON model (here a CSV file that
-- COPY wrote) is refused with the file's name.
CREATE TABLE t (id BIGINT PRIMARY KEY, score DOUBLE);
INSERT INTO t VALUES (1, 0.5);
COPY t TO 'broken.json';
CREATE MODEL imported TYPE XGBOOST FROM FILE 'broken.json'
  FEATURES (funded_amnt, int_rate);
SHOW MODELS;
