CREATE STREAM payments (id BIGINT, merchant BIGINT, ts TIMESTAMP) WITH (timestamp='ts');
CREATE TABLE merchants (id BIGINT PRIMARY KEY, name VARCHAR);
SELECT m.name FROM payments p JOIN merchants m FOR SYSTEM_TIME AS OF p.ts ON p.merchant = m.id;
