CREATE STREAM payments (id BIGINT, merchant BIGINT);
CREATE TABLE merchants (id BIGINT PRIMARY KEY, name VARCHAR);
CREATE STREAM enriched AS SELECT p.id, m.id, m.name FROM payments p JOIN merchants m ON p.merchant = m.id;
