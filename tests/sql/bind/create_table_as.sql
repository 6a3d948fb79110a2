-- CREATE TABLE ... AS: materialized aggregates keyed by their groups.
CREATE STREAM payments (id BIGINT, card VARCHAR, merchant BIGINT,
  amount DOUBLE, ts TIMESTAMP) WITH (timestamp='ts');
CREATE TABLE spend AS
  SELECT card, COUNT(*) AS n, SUM(amount) AS total, MAX(amount) AS largest
  FROM payments GROUP BY card;
CREATE TABLE hourly WITH (topic='hourly-spend', partitions=3) AS
  SELECT card, merchant, SUM(amount) AS total, WINDOW_START, WINDOW_END
  FROM payments
  WINDOW TUMBLING (SIZE 1 HOUR, GRACE PERIOD 10 MINUTES)
  GROUP BY card, merchant
  EMIT CHANGES;
