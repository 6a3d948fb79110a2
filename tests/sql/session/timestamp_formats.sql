-- INSERT writes the event-time column the way the stream reads it, so a
-- stream with timestamp_format reads back what was inserted.
CREATE STREAM a (id INT, ts TIMESTAMP)
  WITH (topic='a', timestamp='ts', timestamp_format='epoch_ms');
CREATE STREAM b (id INT, ts TIMESTAMP)
  WITH (topic='b', timestamp='ts', timestamp_format='epoch_s');
CREATE STREAM c (id INT, ts TIMESTAMP)
  WITH (topic='c', timestamp='ts', timestamp_format='%d/%m/%Y %H:%M:%S');
INSERT INTO a VALUES (1, TIMESTAMP '2024-05-01 12:00:00.250');
INSERT INTO b VALUES (2, TIMESTAMP '2024-05-01 12:00:01.5');
INSERT INTO c VALUES (3, TIMESTAMP '2024-05-01 12:00:02');
SELECT id, ts FROM a;
SELECT id, ts FROM b;
SELECT id, ts FROM c;
PRINT 'a' FROM BEGINNING;
PRINT 'c' FROM BEGINNING;
