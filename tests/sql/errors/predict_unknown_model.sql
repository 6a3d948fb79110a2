CREATE STREAM s (amount DOUBLE);
SELECT PREDICT(fraud, amount) FROM s;
