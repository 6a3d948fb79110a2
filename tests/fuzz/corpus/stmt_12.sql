CREATE MODEL m TYPE XGBOOST FEATURES (amount, STANDARDIZE(amount) AS z, ONE_HOT(cat), BUCKETIZE(x, ARRAY[1, 2.5, 10])) LABEL is_fraud FROM ts WHERE x > 0 WITH (max_depth=6, rounds=200, eta=0.1);;
