-- A stream joined to a lookup table: the current row for the key.
CREATE STREAM payments (id BIGINT, merchant_id INT, amount DOUBLE);
CREATE TABLE merchants (id BIGINT PRIMARY KEY, name VARCHAR, mcc VARCHAR);
CREATE TABLE mcc_risk (mcc VARCHAR PRIMARY KEY, risk DOUBLE);
SELECT p.id, m.name, r.risk * p.amount AS exposure
FROM payments p
JOIN merchants m ON p.merchant_id = m.id
LEFT OUTER JOIN mcc_risk r ON m.mcc = r.mcc AND r.risk > 0.5;
SELECT * FROM payments INNER JOIN merchants ON merchant_id = merchants.id;
