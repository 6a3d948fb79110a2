-- Labels that arrive later: a LEFT JOIN of the payments to the
-- chargebacks WITHIN a one-hour horizon.  A payment is written with
-- fraud = true as soon as its chargeback arrives, and with fraud = false
-- only once the horizon has passed without one (a chargeback after the
-- horizon does not count).  A model is trained on the rows in the same
-- run: CREATE MODEL waits until the training set's query has finished.
CREATE STREAM payments (id BIGINT, card VARCHAR, amount DOUBLE,
  ts TIMESTAMP) WITH (timestamp='ts', partitions=1);
CREATE STREAM chargebacks (payment_id BIGINT, ts TIMESTAMP)
  WITH (timestamp='ts', partitions=1);
INSERT INTO payments VALUES
  (1, 'c1', 10.0, TIMESTAMP '2024-01-01 00:00:00'),
  (2, 'c2', 900.0, TIMESTAMP '2024-01-01 00:01:00'),
  (3, 'c1', 12.0, TIMESTAMP '2024-01-01 00:02:00'),
  (4, 'c3', 800.0, TIMESTAMP '2024-01-01 00:03:00'),
  (5, 'c4', 11.0, TIMESTAMP '2024-01-01 00:04:00'),
  (6, 'c5', 950.0, TIMESTAMP '2024-01-01 00:05:00'),
  (7, 'c6', 700.0, TIMESTAMP '2024-01-01 00:06:00'),
  (8, 'c2', 15.0, TIMESTAMP '2024-01-01 00:07:00'),
  (9, 'c7', 650.0, TIMESTAMP '2024-01-01 00:08:00'),
  (10, 'c8', 20.0, TIMESTAMP '2024-01-01 00:09:00');
-- 2 and 4 within the hour (4 at its very end: bounds included), 6 after
-- it, 8 within it.
INSERT INTO chargebacks VALUES
  (2, TIMESTAMP '2024-01-01 00:30:00'),
  (4, TIMESTAMP '2024-01-01 01:03:00'),
  (6, TIMESTAMP '2024-01-01 01:05:00.001'),
  (8, TIMESTAMP '2024-01-01 01:07:00');
CREATE TRAINING SET fraud_rows AS
  SELECT p.id, p.amount, EXTRACT(MINUTE FROM p.ts) AS minute,
         c.payment_id IS NOT NULL AS fraud
  FROM payments p
  LEFT JOIN chargebacks c WITHIN (INTERVAL '0' SECOND, INTERVAL '1' HOUR)
    ON p.id = c.payment_id;
-- Labelled rows, in the order their labels arrived.
SELECT id, amount, minute FROM fraud_rows WHERE fraud;
-- Unlabelled rows, written when their horizon closed.
SELECT id, amount, minute FROM fraud_rows WHERE NOT fraud;
CREATE MODEL fraud TYPE LOGISTIC_REGRESSION FEATURES (amount)
  LABEL fraud FROM fraud_rows WITH (lambda=0.01);
EVALUATE MODEL fraud ON fraud_rows;
SELECT id, fraud, PREDICT(fraud) > 0.5 AS flagged FROM fraud_rows;
