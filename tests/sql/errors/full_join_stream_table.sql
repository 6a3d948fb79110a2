CREATE STREAM payments (id BIGINT, merchant BIGINT);
CREATE TABLE merchants (id BIGINT PRIMARY KEY, name VARCHAR);
SELECT p.id, m.name FROM payments p FULL OUTER JOIN merchants m ON p.merchant = m.id;
