CREATE STREAM payments (id BIGINT, amount DOUBLE, ts TIMESTAMP);
CREATE TABLE merchants (id BIGINT PRIMARY KEY, name VARCHAR);
SELECT p.id, m.nmae FROM payments p JOIN merchants m ON p.id = m.id;
