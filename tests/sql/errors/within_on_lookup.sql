CREATE STREAM payments (id BIGINT, merchant BIGINT);
CREATE TABLE merchants (id BIGINT PRIMARY KEY, name VARCHAR);
SELECT m.name FROM payments p JOIN merchants m WITHIN 1 HOUR ON p.merchant = m.id;
