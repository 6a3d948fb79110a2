-- C functions from the example library, in a pull query and on a stream;
-- a row the function rejects goes to the dead-letter topic with reason udf.
CREATE FUNCTION luhn_valid(VARCHAR) RETURNS BOOLEAN LANGUAGE C
  AS '${build}/udf/examples/libsluice_examples.so';
CREATE FUNCTION risk(VARCHAR) RETURNS DOUBLE LANGUAGE C
  AS '${build}/udf/examples/libsluice_examples.so' SYMBOL 'mcc_risk';
CREATE FUNCTION parse_amount(VARCHAR) RETURNS DECIMAL(12,2) LANGUAGE C
  AS '${build}/udf/examples/libsluice_examples.so';
CREATE TABLE cards (pan VARCHAR PRIMARY KEY, mcc VARCHAR);
INSERT INTO cards VALUES ('4539578763621486', '5411'),
  ('4539578763621487', '7995'), ('79927398713', '9999');
SELECT pan, luhn_valid(pan) AS ok, risk(mcc) AS risk FROM cards;
CREATE STREAM amounts (id INT, text VARCHAR, ts TIMESTAMP)
  WITH (topic='amounts', timestamp='ts');
INSERT INTO amounts VALUES (1, '12.34', TIMESTAMP '2024-05-01 00:00:00'),
  (2, 'twelve', TIMESTAMP '2024-05-01 00:00:01'),
  (3, '0.5', TIMESTAMP '2024-05-01 00:00:02');
SELECT id, parse_amount(text) AS amount FROM amounts;
PRINT 'amounts.dlq' FROM BEGINNING;
DESCRIBE FUNCTION round;
