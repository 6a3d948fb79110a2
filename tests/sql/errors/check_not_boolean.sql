CREATE STREAM s (id BIGINT, amount DOUBLE, CHECK (amount * 2));
