-- DROP FUNCTION is refused while a persistent query uses the function:
-- the error names the stream it feeds and the running query.
CREATE FUNCTION luhn_valid(VARCHAR) RETURNS BOOLEAN
  LANGUAGE C AS '${build}/udf/examples/libsluice_examples.so';
CREATE STREAM pay (id BIGINT, pan VARCHAR, ts TIMESTAMP)
  WITH (topic='pay', timestamp='ts', partitions=1);
INSERT INTO pay VALUES
  (1, '4539578763621486', TIMESTAMP '2024-05-01 12:00:00');
CREATE STREAM valid_pay AS SELECT id, pan FROM pay WHERE luhn_valid(pan);
DROP FUNCTION luhn_valid;
