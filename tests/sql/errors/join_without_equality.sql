CREATE STREAM payments (id BIGINT, merchant BIGINT, amount DOUBLE);
CREATE TABLE merchants (id BIGINT PRIMARY KEY, limit_amount DOUBLE);
SELECT p.id FROM payments p JOIN merchants m ON p.amount > m.limit_amount;
