-- DROP FUNCTION is refused while an INSERT INTO ... SELECT query calling
-- it runs: the error names the query alone.
CREATE FUNCTION luhn_valid(VARCHAR) RETURNS BOOLEAN
  LANGUAGE C AS '${build}/udf/examples/libsluice_examples.so';
CREATE STREAM pay (id BIGINT, pan VARCHAR) WITH (topic='pay', partitions=1);
CREATE STREAM checked (id BIGINT, ok BOOLEAN)
  WITH (topic='checked', partitions=1);
INSERT INTO checked SELECT id, luhn_valid(pan) AS ok FROM pay;
DROP FUNCTION luhn_valid;
