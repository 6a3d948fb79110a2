CREATE STREAM s (id BIGINT) WITH (format='avro');
