-- Labels out of order across the two sources of a label join: the
-- chargebacks arrive in another order than their event times, some
-- before the payments they label.  Without a grace period a chargeback
-- behind its stream's watermark is late: it goes to the dead-letter
-- topic with reason late and labels nothing, so its payment is written
-- unlabelled when its horizon closes.  GRACE PERIOD 1 HOUR takes them
-- all; a chargeback before its payment (outside the horizon's lower
-- bound) or after the horizon still labels nothing.
CREATE STREAM payments (id BIGINT, amount DOUBLE, ts TIMESTAMP)
  WITH (timestamp='ts', partitions=1);
CREATE STREAM chargebacks (payment_id BIGINT, ts TIMESTAMP)
  WITH (timestamp='ts', partitions=1);
-- In arrival order: 5 and 2 within the hour, 6 within it, 3 a minute
-- and a half before its payment, 1 just after its horizon.
INSERT INTO chargebacks VALUES
  (5, TIMESTAMP '2024-01-01 00:50:00'),
  (2, TIMESTAMP '2024-01-01 00:20:00'),
  (6, TIMESTAMP '2024-01-01 00:40:00'),
  (3, TIMESTAMP '2024-01-01 00:00:30'),
  (1, TIMESTAMP '2024-01-01 01:00:00.001');
INSERT INTO payments VALUES
  (1, 10.0, TIMESTAMP '2024-01-01 00:00:00'),
  (2, 900.0, TIMESTAMP '2024-01-01 00:01:00'),
  (3, 12.0, TIMESTAMP '2024-01-01 00:02:00'),
  (4, 800.0, TIMESTAMP '2024-01-01 00:03:00'),
  (5, 11.0, TIMESTAMP '2024-01-01 00:04:00'),
  (6, 950.0, TIMESTAMP '2024-01-01 00:05:00');
CREATE TRAINING SET strict_rows AS
  SELECT p.id, p.amount, c.payment_id IS NOT NULL AS fraud
  FROM payments p
  LEFT JOIN chargebacks c WITHIN (INTERVAL '0' SECOND, INTERVAL '1' HOUR)
    ON p.id = c.payment_id;
CREATE TRAINING SET tolerant_rows AS
  SELECT p.id, p.amount, c.payment_id IS NOT NULL AS fraud
  FROM payments p
  LEFT JOIN chargebacks c WITHIN (INTERVAL '0' SECOND, INTERVAL '1' HOUR)
    GRACE PERIOD 1 HOUR
    ON p.id = c.payment_id;
SELECT id, amount FROM strict_rows WHERE fraud;
SELECT id, amount FROM strict_rows WHERE NOT fraud;
-- Labelled rows are written when the second side of a pair is read,
-- which for 2 (early chargeback, early payment) depends on which topic
-- is read first; 5 comes before 6 either way.
SELECT id, amount FROM tolerant_rows WHERE fraud AND id < 5;
SELECT id, amount FROM tolerant_rows WHERE fraud AND id >= 5;
SELECT id, amount FROM tolerant_rows WHERE NOT fraud;
-- The late chargebacks, all the strict query's, with reason late.
PRINT 'chargebacks.dlq' FROM BEGINNING;
