-- A streaming query's predictions are logged at the event time of the
-- row scored (the stream's timestamp column, or ROWTIME without one),
-- not at the time they were scored.
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
  (11, 920, 3, TIMESTAMP '2024-05-01 12:00:01.250'),
  (12, 30, 9, TIMESTAMP '2023-12-31 23:59:59.999');
CREATE STREAM scored WITH (topic='scored', prediction_log=true) AS
  SELECT id, PREDICT(risk) > 0.5 AS flagged, ts FROM payments;
-- In a WHERE as well.
CREATE STREAM filtered WITH (topic='filtered', prediction_log=true) AS
  SELECT id FROM payments WHERE PREDICT(risk) < 0.5;
-- Without a timestamp column the event time is the record's ROWTIME,
-- which INSERT stamps with the ts value of the other stream's rows.
CREATE STREAM raw (id BIGINT, amount DOUBLE, hour INT)
  WITH (topic='payments');
CREATE STREAM by_rowtime WITH (topic='by_rowtime', prediction_log=true) AS
  SELECT id, PREDICT(risk) AS score FROM raw;
SELECT id, flagged, ts FROM scored;
SELECT id FROM filtered;
SELECT id FROM by_rowtime;
SELECT query, score > 0.5 AS flagged, event_time FROM prediction_log
  WHERE query = 'scored';
SELECT query, score > 0.5 AS flagged, event_time FROM prediction_log
  WHERE query = 'filtered';
SELECT query, score > 0.5 AS flagged, event_time FROM prediction_log
  WHERE query = 'by_rowtime';
