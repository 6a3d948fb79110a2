-- C functions: scalar and aggregate, called like built-ins.
CREATE FUNCTION luhn(VARCHAR) RETURNS BOOLEAN LANGUAGE C AS 'libcards.so';
CREATE FUNCTION risk(VARCHAR, DOUBLE) RETURNS DOUBLE LANGUAGE C
  AS 'librisk.so' SYMBOL 'merchant_risk';
CREATE AGGREGATE FUNCTION geomean(DOUBLE) RETURNS DOUBLE LANGUAGE C
  AS 'libstats.so';
CREATE STREAM payments (card VARCHAR, mcc VARCHAR, amount DOUBLE);
SELECT card, risk(mcc, amount) FROM payments WHERE luhn(card);
SELECT card, geomean(amount) FROM payments GROUP BY card;
DROP FUNCTION geomean;
DROP FUNCTION IF EXISTS geomean;
