CREATE MODEL m TYPE XGBOOST FROM FILE 'model.json' FEATURES (amount);
LOAD 'rows.csv' INTO m;
