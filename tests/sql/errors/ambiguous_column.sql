CREATE STREAM payments (id BIGINT, amount DOUBLE);
CREATE TABLE merchants (id BIGINT PRIMARY KEY, name VARCHAR);
SELECT id, name FROM payments p JOIN merchants m ON p.id = m.id;
