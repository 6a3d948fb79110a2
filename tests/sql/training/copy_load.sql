-- COPY a training set to a CSV file, LOAD that file (rows already in
-- feature form) into a second training set, and query both.
CREATE STREAM payments (id BIGINT, card VARCHAR, amount DOUBLE,
  ts TIMESTAMP, note VARCHAR) WITH (timestamp='ts', partitions=1);
INSERT INTO payments VALUES
  (1, 'c1', 10.5, TIMESTAMP '2024-01-01 00:00:01.250', 'plain'),
  (2, 'c2', -3.0, TIMESTAMP '2024-01-01 01:00:02', 'with, comma'),
  (3, NULL, 99.0, TIMESTAMP '2024-01-01 03:00:04', 'a "quote"'),
  (4, 'c1', NULL, TIMESTAMP '2024-01-01 04:00:00', NULL),
  (5, 'c3', 0.0, TIMESTAMP '2024-01-01 05:00:00', '');
CREATE TRAINING SET history AS
  SELECT id, card, amount, amount > 50 AS big, ts, note FROM payments;
COPY history TO 'history.csv';
-- A second training set of the same shape, fed by a stream that stays
-- empty, filled from the file.
CREATE STREAM archive (id BIGINT, card VARCHAR, amount DOUBLE,
  ts TIMESTAMP, note VARCHAR) WITH (timestamp='ts', partitions=1);
CREATE TRAINING SET restored AS
  SELECT id, card, amount, amount > 50 AS big, ts, note FROM archive;
LOAD 'history.csv' INTO restored;
SELECT * FROM restored;
SELECT id, note, note IS NULL AS no_note FROM restored WHERE id >= 4;
-- LOAD appends: loading the copy again doubles the rows.
COPY restored TO 'restored.csv';
LOAD 'restored.csv' INTO restored;
SELECT id, big FROM restored WHERE id >= 3;
