-- A persistent query's WITH (prediction_log=true) records each of its
-- predictions in the catalog's prediction_log table under the query's
-- id.  Without the option a query follows SET 'prediction.log' as it is
-- when the query starts; the query's own option beats the property.
CREATE TABLE history (id BIGINT PRIMARY KEY, amount DOUBLE, hour INT,
                      fraud BOOLEAN);
INSERT INTO history VALUES (1, 10, 12, false), (2, 15, 13, false),
  (3, 900, 3, true), (4, 12, 14, false), (5, 950, 2, true),
  (6, 20, 11, false), (7, 880, 4, true), (8, 18, 15, false);
CREATE MODEL risk TYPE LOGISTIC_REGRESSION
  FEATURES (amount, amount / hour AS per_hour) LABEL fraud FROM history;
CREATE STREAM payments (id BIGINT, amount DOUBLE, hour INT, ts TIMESTAMP)
  WITH (topic='payments', timestamp='ts');
INSERT INTO payments VALUES (10, 11, 12, TIMESTAMP '2024-05-01 12:00:00'),
  (11, 920, 4, TIMESTAMP '2024-05-01 12:00:01');

-- Logged by its own option; not logged (the property is off).
CREATE STREAM scored WITH (topic='scored', prediction_log=true) AS
  SELECT id, PREDICT(risk) AS score FROM payments;
CREATE STREAM unlogged WITH (topic='unlogged') AS
  SELECT id, PREDICT(risk) AS score FROM payments;

-- Logged by the property; not logged, its option says so.
SET 'prediction.log' = 'on';
CREATE STREAM by_property WITH (topic='by_property') AS
  SELECT id, PREDICT(risk) AS score FROM payments;
CREATE STREAM quiet WITH (topic='quiet', prediction_log=false) AS
  SELECT id, PREDICT(risk) AS score FROM payments;

-- Reading each output waits for its query to finish.
SELECT id, score FROM scored;
SELECT id, score FROM unlogged;
SELECT id, score FROM by_property;
SELECT id, score FROM quiet;
SELECT query, model, version, features, score FROM prediction_log
  WHERE query = 'scored';
SELECT query, model, version, features, score FROM prediction_log
  WHERE query = 'by_property';
-- Nothing else was logged: no rows below the header.
SELECT query, model, score FROM prediction_log
  WHERE query IS NULL OR query NOT IN ('scored', 'by_property');
