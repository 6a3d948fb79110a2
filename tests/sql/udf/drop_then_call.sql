-- Once the query using it is terminated, DROP FUNCTION succeeds, and a
-- later call no longer resolves: unknown function.
CREATE FUNCTION luhn_valid(VARCHAR) RETURNS BOOLEAN
  LANGUAGE C AS '${build}/udf/examples/libsluice_examples.so';
CREATE TABLE cards (pan VARCHAR PRIMARY KEY);
INSERT INTO cards VALUES ('4539578763621486'), ('4539578763621487');
SELECT pan, luhn_valid(pan) AS ok FROM cards;
CREATE STREAM pay (id BIGINT, pan VARCHAR) WITH (topic='pay', partitions=1);
CREATE STREAM checked (id BIGINT, ok BOOLEAN)
  WITH (topic='checked', partitions=1);
INSERT INTO checked SELECT id, luhn_valid(pan) AS ok FROM pay;
TERMINATE checked_insert_1;
DROP FUNCTION luhn_valid;
SELECT pan, luhn_valid(pan) AS ok FROM cards;
