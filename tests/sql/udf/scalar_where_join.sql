-- Scalar UDFs in a WHERE clause and in the projection of lookup joins.
-- luhn_valid: 4539578763621486 and 4111 1111 1111 1111 (spaces or dashes
-- allowed) pass, 4539578763621487 fails, 79927398713 is too short
-- (false), NULL gives NULL.  mcc_risk: grocer 5411 0.05, casino 7995
-- 0.95, kiosk 0000 (not in the table) 0.5, a NULL code NULL.
CREATE FUNCTION luhn_valid(VARCHAR) RETURNS BOOLEAN
  LANGUAGE C AS '${build}/udf/examples/libsluice_examples.so';
CREATE FUNCTION mcc_risk(VARCHAR) RETURNS DOUBLE
  LANGUAGE C AS '${build}/udf/examples/libsluice_examples.so';
CREATE TABLE merchants (id BIGINT PRIMARY KEY, name VARCHAR, mcc VARCHAR);
INSERT INTO merchants VALUES (1, 'grocer', '5411'), (2, 'casino', '7995'),
  (3, 'kiosk', '0000'), (4, 'nocode', NULL);
CREATE STREAM pay (id BIGINT, pan VARCHAR, merchant_id BIGINT,
                   amount DOUBLE, ts TIMESTAMP)
  WITH (topic='pay', timestamp='ts', partitions=1);
INSERT INTO pay VALUES
  (1, '4539578763621486', 1, 20, TIMESTAMP '2024-05-01 12:00:00'),
  (2, '4539578763621487', 2, 40, TIMESTAMP '2024-05-01 12:00:01'),
  (3, '4111-1111-1111-1111', 2, 100, TIMESTAMP '2024-05-01 12:00:02'),
  (4, NULL, 1, 5, TIMESTAMP '2024-05-01 12:00:03'),
  (5, '4111 1111 1111 1111', 3, 8, TIMESTAMP '2024-05-01 12:00:04'),
  (6, '79927398713', 1, 1, TIMESTAMP '2024-05-01 12:00:05'),
  (7, '4539578763621486', 4, 16, TIMESTAMP '2024-05-01 12:00:06'),
  (8, '4539578763621486', 9, 4, TIMESTAMP '2024-05-01 12:00:07');
-- Valid cards: 1, 3, 5, 7, 8.  A NULL result does not pass a WHERE, so
-- the complement needs IS NULL: 2, 6 and 4.
SELECT id, amount FROM pay WHERE luhn_valid(pan);
SELECT id, amount FROM pay
  WHERE NOT luhn_valid(pan) OR luhn_valid(pan) IS NULL;
-- Inner lookup join: payment 8 has no merchant 9, so no row.  exposure =
-- risk * amount: 1 0.05*20 = 1, 2 0.95*40 = 38, 3 0.95*100 = 95, 4
-- 0.05*5 = 0.25, 5 0.5*8 = 4, 6 0.05*1 = 0.05, 7 NULL.
SELECT p.id, m.name, mcc_risk(m.mcc) AS risk,
       mcc_risk(m.mcc) * p.amount AS exposure, luhn_valid(p.pan) AS ok
  FROM pay p JOIN merchants m ON p.merchant_id = m.id;
-- LEFT join, a UDF of the table side in the WHERE: the casino payments,
-- the merchant without a code (7) and the missing merchant (8).
SELECT p.id, mcc_risk(m.mcc) AS risk
  FROM pay p LEFT JOIN merchants m ON p.merchant_id = m.id
  WHERE mcc_risk(m.mcc) > 0.5 OR m.mcc IS NULL;
