-- EXPLAIN of a statement names the internal topics after the service the
-- session runs as (--service shop), as the running query will.
CREATE STREAM ev (id BIGINT, k VARCHAR, v BIGINT, ts TIMESTAMP)
  WITH (topic='ev', timestamp='ts', key='id', partitions=2);
EXPLAIN CREATE STREAM w WITH (topic='w', key='k') AS
  SELECT k, WINDOW_START, COUNT(*) AS n, SUM(v) AS s
  FROM ev WINDOW TUMBLING (SIZE 10 SECONDS) GROUP BY k;
