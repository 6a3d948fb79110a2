-- A CSV stream writes one line per record with RFC 4180 quoting; NULL is
-- an empty field.
CREATE STREAM events (id INT, note VARCHAR, ok BOOLEAN, at TIMESTAMP)
  WITH (topic='events', format='csv', timestamp='at');
INSERT INTO events VALUES (1, 'plain', true, TIMESTAMP '2024-05-01 12:00:00'),
  (2, 'with, comma', false, TIMESTAMP '2024-05-01 12:00:00.001'),
  (3, 'say "hi"', NULL, TIMESTAMP '2024-05-01 14:00:00.002+02:00');
PRINT 'events' FROM BEGINNING LIMIT 3;
