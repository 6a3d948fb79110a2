-- INSERT INTO ... SELECT, UNION ALL, CTEs and subqueries.
CREATE STREAM web (uid BIGINT, page VARCHAR, ts TIMESTAMP)
  WITH (topic='web', timestamp='ts');
CREATE STREAM app (uid BIGINT, screen VARCHAR, ts TIMESTAMP)
  WITH (topic='app', timestamp='ts');
CREATE STREAM visits (uid BIGINT, place VARCHAR, source VARCHAR)
  WITH (topic='visits');
INSERT INTO web VALUES (1, '/home', TIMESTAMP '2024-05-01 12:00:00'),
                       (2, '/cart', TIMESTAMP '2024-05-01 12:00:05');
INSERT INTO app VALUES (1, 'feed', TIMESTAMP '2024-05-01 12:00:02');
INSERT INTO visits
  SELECT uid, page AS place, 'web' AS source FROM web
  UNION ALL
  SELECT uid, screen, 'app' FROM app;
-- Rows of one source keep their order; the two sources interleave.
WITH from_web AS (SELECT uid, place FROM visits WHERE source = 'web')
SELECT w.uid, w.place FROM (SELECT * FROM from_web) w;
SELECT uid, place FROM visits WHERE source = 'app';
SHOW QUERIES;
