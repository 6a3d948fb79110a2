CREATE STREAM payments (id BIGINT, amount DOUBLE);
CREATE STREAM big AS SELECT id, amount FROM payments WHERE amount > 100;
DROP STREAM payments;
