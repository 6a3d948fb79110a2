CREATE STREAM s (id BIGINT) WITH (errors='drop');
