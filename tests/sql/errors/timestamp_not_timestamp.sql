CREATE STREAM s (id BIGINT, created BIGINT) WITH (timestamp='created');
