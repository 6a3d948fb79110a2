CREATE MODEL fraud TYPE XGBOOST FROM FILE 'fraud.json' FEATURES (amount, hour);
CREATE STREAM s (amount DOUBLE);
SELECT PREDICT(fraud, amount) FROM s;
