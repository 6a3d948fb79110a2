-- A category that was not in the training rows is scored as all zeros
-- and counted: DESCRIBE of the query that scores gives, per model
-- version, the rows it scored and the ONE_HOT values unseen in training
-- ('XX' and 'YY' here; 'DE' and 'FR' were seen).
CREATE TABLE history (id BIGINT PRIMARY KEY, amount DOUBLE,
                      country VARCHAR, fraud BOOLEAN);
INSERT INTO history VALUES (1, 10, 'DE', false), (2, 15, 'FR', false),
  (3, 900, 'DE', true), (4, 12, 'FR', false), (5, 950, 'FR', true),
  (6, 20, 'DE', false), (7, 880, 'FR', true), (8, 18, 'DE', false);
CREATE MODEL risk TYPE LOGISTIC_REGRESSION
  FEATURES (amount, ONE_HOT(country)) LABEL fraud FROM history;
CREATE STREAM payments (id BIGINT, amount DOUBLE, country VARCHAR)
  WITH (topic='payments', partitions=1);
INSERT INTO payments VALUES (10, 11, 'DE'), (11, 920, 'XX'), (12, 15, 'FR'),
  (13, 40, 'YY'), (14, 30, 'XX');
CREATE STREAM scored WITH (topic='scored') AS
  SELECT id, PREDICT(risk) > 0.5 AS flagged FROM payments;

-- Reading the output waits for the query to finish.
SELECT id, flagged FROM scored;
DESCRIBE scored;
