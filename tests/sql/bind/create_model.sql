-- CREATE MODEL of each type; a second CREATE MODEL trains a new version.
CREATE TRAINING SET rows_ts AS
  SELECT 1.5 AS amount, 'DE' AS country, 3 AS hour, true AS fraud,
         2.5 AS spend;
CREATE MODEL fraud TYPE XGBOOST
  FEATURES (amount, STANDARDIZE(amount) AS amount_z, ONE_HOT(country),
            BUCKETIZE(hour, ARRAY[6, 12, 18]), hour * 2 AS hour2)
  LABEL fraud FROM rows_ts WHERE amount > 0
  WITH (max_depth=6, rounds=200, eta=0.1, holdout=0.2, subsample=0.8,
        scale_pos_weight=10, seed=42, nthread=2);
CREATE MODEL fraud TYPE XGBOOST FEATURES (amount) LABEL fraud FROM rows_ts;
CREATE MODEL fraud_lr TYPE LOGISTIC_REGRESSION
  FEATURES (STANDARDIZE(amount), ONE_HOT(country)) LABEL fraud FROM rows_ts
  WITH (lambda=1.0, iterations=500);
CREATE MODEL spend_lr TYPE LINEAR_REGRESSION
  FEATURES (amount, hour) LABEL spend FROM rows_ts;
CREATE MODEL imported TYPE XGBOOST FROM FILE 'model.json'
  FEATURES (amount, hour);
