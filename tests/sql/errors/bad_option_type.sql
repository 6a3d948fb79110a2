CREATE STREAM s (id BIGINT) WITH (partitions='six');
