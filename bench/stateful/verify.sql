-- Checks what the benchmark queries wrote (bench/stateful/run.sh): one
-- row of counts per output topic, compared there with what the input
-- implies.
CREATE STREAM tumbling_check (card BIGINT, n BIGINT)
  WITH (topic='${TUMBLING}');
CREATE STREAM hopping_check (card BIGINT, n BIGINT)
  WITH (topic='${HOPPING}');
CREATE STREAM join_check (id BIGINT) WITH (topic='${JOIN}');
CREATE STREAM join_keyed_check (id BIGINT) WITH (topic='${JOINK}');
CREATE STREAM lag_check (id BIGINT) WITH (topic='${LAG}');
SELECT SUM(n) AS counted, COUNT(DISTINCT card) AS cards
  FROM tumbling_check;
SELECT SUM(n) AS counted, COUNT(DISTINCT card) AS cards FROM hopping_check;
SELECT COUNT(*) AS rows_out, COUNT(DISTINCT id) AS ids FROM join_check;
SELECT COUNT(*) AS rows_out, COUNT(DISTINCT id) AS ids
  FROM join_keyed_check;
SELECT COUNT(*) AS rows_out, COUNT(DISTINCT id) AS ids FROM lag_check;
