-- A model file that does not exist.
CREATE MODEL imported TYPE XGBOOST FROM FILE 'no_such_model.json'
  FEATURES (funded_amnt, int_rate);
