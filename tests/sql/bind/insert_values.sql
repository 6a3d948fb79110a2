-- INSERT ... VALUES into streams and tables.
CREATE STREAM payments (id BIGINT NOT NULL, card VARCHAR, amount DOUBLE,
  ts TIMESTAMP, day DATE);
INSERT INTO payments VALUES
  (1, 'c1', 10.5, TIMESTAMP '2024-05-01 12:00:00', DATE '2024-05-01'),
  (2, 'c2', 7, '2024-05-01T12:00:01.250Z', '2024-05-02'),
  (3, NULL, NULL, NULL, NULL);
INSERT INTO payments (ts, id) VALUES ('2024-05-01 13:00:00+02:00', 4);
CREATE TABLE merchants (id BIGINT PRIMARY KEY, name VARCHAR, risk DOUBLE);
INSERT INTO merchants VALUES (10, 'Acme', 0.25), (11, 'Globex', 1);
INSERT INTO merchants (id) VALUES (12);
