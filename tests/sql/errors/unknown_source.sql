CREATE STREAM payments (id BIGINT, amount DOUBLE);
SELECT id FROM paymnts;
