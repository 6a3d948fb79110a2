-- Filter and projection over a stream, bounded: every expression kind
-- on real records.
CREATE STREAM payments (id BIGINT, card VARCHAR, amount DECIMAL(10,2),
                        ts TIMESTAMP, tags ARRAY<VARCHAR>)
  WITH (topic='payments', timestamp='ts', key='card');
INSERT INTO payments VALUES
  (1, 'c1', 12.50, TIMESTAMP '2024-05-01 12:00:00', ARRAY['a', 'b']),
  (2, 'c2', 7.25, TIMESTAMP '2024-05-01 12:00:01', ARRAY['b']),
  (3, 'c1', 100.00, TIMESTAMP '2024-05-01 12:00:02', NULL),
  (4, NULL, NULL, TIMESTAMP '2024-05-01 12:00:03', ARRAY['z']);
SELECT id, card, amount * 2 AS doubled, amount > 10 AS big,
       CASE WHEN amount IS NULL THEN 'none'
            WHEN amount BETWEEN 10 AND 50 THEN 'mid'
            ELSE 'other' END AS band,
       COALESCE(card, '?') || '-' || CAST(id AS VARCHAR) AS label,
       tags[1] AS first_tag, EXTRACT(SECOND FROM ts) AS sec
  FROM payments;
SELECT id FROM payments WHERE card IN ('c1', 'c9') AND amount >= 12.5;
SELECT id, card FROM payments WHERE card LIKE 'c%' AND NOT (id = 2);
