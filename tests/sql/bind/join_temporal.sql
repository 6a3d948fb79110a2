-- A temporal join: the version of the table row valid at the stream
-- record's event time.
CREATE STREAM orders (id BIGINT, currency VARCHAR, amount DOUBLE,
  ts TIMESTAMP) WITH (timestamp='ts');
CREATE TABLE rates (currency VARCHAR PRIMARY KEY, rate DOUBLE)
  WITH (topic='rates', versioned=true);
SELECT o.id, o.amount * r.rate AS eur
FROM orders o
JOIN rates r FOR SYSTEM_TIME AS OF o.ts ON r.currency = o.currency;
SELECT o.id, r.rate
FROM orders o
LEFT JOIN rates AS r FOR SYSTEM_TIME AS OF o.ts ON o.currency = r.currency;
