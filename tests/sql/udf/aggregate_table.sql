-- weighted_avg in a GROUP BY without a window, into a table that pull
-- queries answer from; the weight is the scalar UDF mcc_risk of the
-- merchant category (5411 0.05, 7995 0.95, 5541 0.25, 4829 0.85, codes
-- not in its table 0.5, text that is not four digits NULL).
--   c1: 40 at 0.05, 10 at 0.95, 99 at NULL (skipped, counted by COUNT):
--       n 3, (2 + 9.5) / (0.05 + 0.95) = 11.5
--   c2: 30 at 0.25, 60 at 0.5: n 2, (7.5 + 30) / 0.75 = 50
--   c3: 12 at 0.85: n 1, 12
CREATE AGGREGATE FUNCTION weighted_avg(DOUBLE, DOUBLE) RETURNS DOUBLE
  LANGUAGE C AS '${build}/udf/examples/libsluice_examples.so';
CREATE FUNCTION mcc_risk(VARCHAR) RETURNS DOUBLE
  LANGUAGE C AS '${build}/udf/examples/libsluice_examples.so';
CREATE STREAM pay (card VARCHAR, amount DOUBLE, mcc VARCHAR, ts TIMESTAMP)
  WITH (topic='pay', timestamp='ts', partitions=1);
INSERT INTO pay VALUES
  ('c1', 40, '5411', TIMESTAMP '2024-05-01 12:00:00'),
  ('c1', 10, '7995', TIMESTAMP '2024-05-01 12:00:10'),
  ('c2', 30, '5541', TIMESTAMP '2024-05-01 12:00:20'),
  ('c1', 99, 'none', TIMESTAMP '2024-05-01 12:00:30'),
  ('c3', 12, '4829', TIMESTAMP '2024-05-01 12:00:40'),
  ('c2', 60, '1234', TIMESTAMP '2024-05-01 12:00:50');
CREATE TABLE risky AS
  SELECT card, COUNT(*) AS n, weighted_avg(amount, mcc_risk(mcc)) AS wavg
  FROM pay GROUP BY card;
SELECT * FROM risky;
SELECT card, wavg FROM risky WHERE n > 1;
SELECT wavg FROM risky WHERE card = 'c2';
