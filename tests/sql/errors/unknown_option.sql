CREATE STREAM s (id BIGINT) WITH (topics='s');
