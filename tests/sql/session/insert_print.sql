-- INSERT ... VALUES into a stream is acknowledged before PRINT reads it:
-- records keyed by the key column, stamped with the event-time column.
CREATE STREAM payments (id BIGINT, card VARCHAR, amount DECIMAL(12,2),
                        ts TIMESTAMP)
  WITH (topic='payments', format='json', timestamp='ts', key='card');
INSERT INTO payments VALUES
  (1, 'c1', 12.50, TIMESTAMP '2024-05-01 12:00:00'),
  (2, 'c2', 7.25, TIMESTAMP '2024-05-01 12:00:01.250');
INSERT INTO payments (id, ts) VALUES (3, TIMESTAMP '2024-05-01 12:00:02');
PRINT 'payments' FROM BEGINNING;
