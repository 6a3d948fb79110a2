-- CREATE STREAM ... AS: a persistent query into a topic.
CREATE STREAM payments (id BIGINT, card VARCHAR, amount DOUBLE,
  ts TIMESTAMP) WITH (timestamp='ts', partitions=4);
CREATE STREAM big_payments WITH (topic='big', key='card', partitions=2)
  AS SELECT id, card, amount * 1.1 AS with_fee, ts
     FROM payments WHERE amount > 1000;
-- Without a WITH: topic = name; the event time passes through as ts.
CREATE STREAM cards AS SELECT card, ts FROM payments;
-- A windowed aggregate is a stream of window results.
CREATE STREAM per_minute WITH (prediction_log=false) AS
  SELECT card, COUNT(*) AS n, WINDOW_START, WINDOW_END
  FROM payments WINDOW TUMBLING (SIZE 1 MINUTE) GROUP BY card EMIT FINAL;
