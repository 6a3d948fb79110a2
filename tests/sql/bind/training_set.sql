-- A training set whose labels arrive later through a LEFT JOIN WITHIN a
-- horizon, with depersonalized keys.
CREATE STREAM payments (id BIGINT, card VARCHAR, amount DOUBLE,
  ts TIMESTAMP) WITH (timestamp='ts');
CREATE STREAM chargebacks (payment_id BIGINT, ts TIMESTAMP)
  WITH (timestamp='ts');
CREATE TRAINING SET fraud_rows
  WITH (depersonalize='card', prediction_log=true) AS
  SELECT p.id, p.card, p.amount, EXTRACT(HOUR FROM p.ts) AS hour,
         c.payment_id IS NOT NULL AS fraud
  FROM payments p
  LEFT JOIN chargebacks c WITHIN (INTERVAL '0' SECOND, INTERVAL '30' DAY)
    ON p.id = c.payment_id;
SELECT * FROM fraud_rows WHERE fraud;
