-- The same CREATE again is a no-op; a different one is an error.
CREATE STREAM s (id BIGINT);
CREATE STREAM s (id BIGINT);
CREATE STREAM s (id BIGINT, amount DOUBLE);
