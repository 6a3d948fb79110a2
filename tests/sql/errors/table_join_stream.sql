CREATE STREAM payments (id BIGINT, merchant BIGINT);
CREATE TABLE merchants (id BIGINT PRIMARY KEY, name VARCHAR);
SELECT m.name FROM merchants m JOIN payments p ON p.merchant = m.id;
