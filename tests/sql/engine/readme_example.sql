-- The example script of README.md.
CREATE STREAM payments (id BIGINT, card VARCHAR, merchant VARCHAR,
                        amount DECIMAL(12,2), ts TIMESTAMP)
  WITH (topic='payments', format='json', timestamp='ts', key='card');
CREATE TABLE merchants (id VARCHAR PRIMARY KEY, category VARCHAR,
                        risk DOUBLE);

INSERT INTO merchants VALUES ('m1', 'grocery', 0.1), ('m2', 'travel', 0.8);
INSERT INTO payments VALUES
  (1, 'c1', 'm1', 12.50, TIMESTAMP '2024-05-01 12:00:00'),
  (2, 'c2', 'm2', 990.00, TIMESTAMP '2024-05-01 12:00:05');

-- A persistent query: enriched payments on their own topic.
CREATE STREAM enriched AS
  SELECT p.id, p.card, p.amount, m.category, p.amount * m.risk AS exposure
  FROM payments p LEFT JOIN merchants m ON p.merchant = m.id;

SELECT * FROM enriched WHERE exposure > 100;
