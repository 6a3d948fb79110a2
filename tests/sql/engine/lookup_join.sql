-- Stream-table joins: the current row for the key; a miss drops the row
-- in an INNER join and keeps it with NULLs in a LEFT join; a NULL key
-- never matches.
CREATE TABLE merchants (id VARCHAR PRIMARY KEY, category VARCHAR,
                        risk DOUBLE);
INSERT INTO merchants VALUES ('m1', 'grocery', 0.1), ('m2', 'travel', 0.8);
CREATE STREAM payments (id BIGINT, merchant VARCHAR, amount DOUBLE,
                        ts TIMESTAMP)
  WITH (topic='payments', timestamp='ts');
INSERT INTO payments VALUES
  (1, 'm1', 10.0, TIMESTAMP '2024-05-01 12:00:00'),
  (2, 'm2', 250.0, TIMESTAMP '2024-05-01 12:00:01'),
  (3, 'm3', 5.0, TIMESTAMP '2024-05-01 12:00:02'),
  (4, NULL, 1.0, TIMESTAMP '2024-05-01 12:00:03');
SELECT p.id, m.category, p.amount * m.risk AS exposure
  FROM payments p JOIN merchants m ON p.merchant = m.id;
SELECT p.id, p.merchant, m.category, m.risk
  FROM payments p LEFT JOIN merchants m ON p.merchant = m.id;
-- The table changes between queries; the next query sees the new row.
INSERT INTO merchants VALUES ('m3', 'games', 0.5), ('m1', 'grocery', 0.2);
SELECT p.id, m.risk FROM payments p JOIN merchants m ON p.merchant = m.id
  WHERE m.risk > 0.15;
