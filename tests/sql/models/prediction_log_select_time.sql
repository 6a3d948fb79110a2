-- A SELECT over a stream logs its predictions (SET 'prediction.log') at
-- the event time of the rows scored, not at the time it ran.
CREATE TABLE history (id BIGINT PRIMARY KEY, amount DOUBLE, hour INT,
                      fraud BOOLEAN);
INSERT INTO history VALUES (1, 10, 12, false), (2, 15, 13, false),
  (3, 900, 3, true), (4, 12, 14, false), (5, 950, 2, true),
  (6, 20, 11, false), (7, 880, 4, true), (8, 18, 15, false);
CREATE MODEL risk TYPE LOGISTIC_REGRESSION
  FEATURES (amount, hour) LABEL fraud FROM history;
CREATE STREAM payments (id BIGINT, amount DOUBLE, hour INT, ts TIMESTAMP)
  WITH (topic='payments', timestamp='ts', partitions=1);
INSERT INTO payments VALUES (10, 11, 12, TIMESTAMP '2024-05-01 12:00:00'),
  (11, 920, 3, TIMESTAMP '2024-05-01 12:00:01.250');
SET 'prediction.log' = 'on';
SELECT id, PREDICT(risk) > 0.5 AS flagged FROM payments;
SELECT query, model, event_time FROM prediction_log;
