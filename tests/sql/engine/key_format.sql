-- key_format='json': the record key is the JSON of the key column's
-- value, "c1" with its quotes for a VARCHAR and 42 for a BIGINT; the
-- default, 'string', is the value's text.  PRINT shows the raw key bytes.
CREATE STREAM pay (id BIGINT, card VARCHAR, ts TIMESTAMP)
  WITH (topic='pay', key='card', key_format='json', timestamp='ts');
INSERT INTO pay VALUES
  (1, 'c1', TIMESTAMP '2024-05-01 12:00:01'),
  (2, 'say "hi"', TIMESTAMP '2024-05-01 12:00:02'),
  (3, NULL, TIMESTAMP '2024-05-01 12:00:03');
PRINT 'pay' FROM BEGINNING;
CREATE STREAM by_id WITH (key='id', key_format='json') AS
  SELECT id, card, ts FROM pay;
CREATE STREAM by_card WITH (key='card') AS SELECT id, card, ts FROM pay;
SELECT * FROM by_id;
SELECT * FROM by_card;
PRINT 'by_id' FROM BEGINNING;
PRINT 'by_card' FROM BEGINNING;

-- Reading: the key fills the key column when the value lacks the field or
-- holds null there; a value that has it wins.  The writer's string keys
-- are the raw bytes: "c1" is JSON, c2 is not (reason decode), 42 is a
-- JSON number where a VARCHAR needs a string (reason type).
CREATE STREAM raw_keys (k VARCHAR, id BIGINT, card VARCHAR, ts TIMESTAMP)
  WITH (topic='keyed', key='k', timestamp='ts');
INSERT INTO raw_keys (k, id, ts) VALUES
  ('"c1"', 1, TIMESTAMP '2024-05-01 12:00:01'),
  ('c2', 2, TIMESTAMP '2024-05-01 12:00:02'),
  ('42', 3, TIMESTAMP '2024-05-01 12:00:03'),
  (NULL, 4, TIMESTAMP '2024-05-01 12:00:04');
INSERT INTO raw_keys VALUES
  ('"c5"', 5, 'from the value', TIMESTAMP '2024-05-01 12:00:05');
CREATE STREAM keyed (id BIGINT, card VARCHAR, ts TIMESTAMP)
  WITH (topic='keyed', key='card', key_format='json', timestamp='ts');
CREATE STREAM keyed_cards AS SELECT id, card FROM keyed;
SELECT * FROM keyed_cards;
PRINT 'keyed.dlq' FROM BEGINNING;
-- errors='skip' counts the two bad records and goes on.
CREATE STREAM keyed_skip (id BIGINT, card VARCHAR, ts TIMESTAMP)
  WITH (topic='keyed', key='card', key_format='json', timestamp='ts',
        errors='skip');
SELECT id, card FROM keyed_skip;

-- A BIGINT key: a JSON number, or a string that reads as one.
CREATE STREAM raw_ids (k VARCHAR, amount DOUBLE, ts TIMESTAMP)
  WITH (topic='ids', key='k', timestamp='ts');
INSERT INTO raw_ids VALUES ('42', 1.5, TIMESTAMP '2024-05-01 12:00:01'),
  ('"43"', 2.5, TIMESTAMP '2024-05-01 12:00:02'),
  ('4.0e1', 3.5, TIMESTAMP '2024-05-01 12:00:03');
CREATE STREAM ids (id BIGINT, amount DOUBLE, ts TIMESTAMP)
  WITH (topic='ids', key='id', key_format='json', timestamp='ts');
SELECT id, amount FROM ids;
