-- errors='fail' stops the query at a record key that is not JSON under
-- key_format='json', naming the record.
CREATE STREAM raw_keys (k VARCHAR, id BIGINT, ts TIMESTAMP)
  WITH (topic='keyed', key='k', timestamp='ts');
INSERT INTO raw_keys VALUES ('"c1"', 1, TIMESTAMP '2024-05-01 12:00:01'),
  ('{"c": 2', 2, TIMESTAMP '2024-05-01 12:00:02');
CREATE STREAM keyed (id BIGINT, card VARCHAR, ts TIMESTAMP)
  WITH (topic='keyed', key='card', key_format='json', timestamp='ts',
        errors='fail');
SELECT id, card FROM keyed;
