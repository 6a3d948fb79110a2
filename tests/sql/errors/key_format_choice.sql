CREATE STREAM s (id BIGINT) WITH (key='id', key_format='avro');
