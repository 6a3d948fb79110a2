-- Records that do not fit the declared schema go to the dead-letter topic
-- with their original bytes and the error headers; good records pass.
CREATE STREAM raw_in (id VARCHAR, amount VARCHAR, ts TIMESTAMP)
  WITH (topic='orders', timestamp='ts');
INSERT INTO raw_in VALUES
  ('1', '10.5', TIMESTAMP '2024-05-01 12:00:00'),
  ('two', '3', TIMESTAMP '2024-05-01 12:00:01'),
  ('3', 'lots', TIMESTAMP '2024-05-01 12:00:02'),
  ('4', NULL, TIMESTAMP '2024-05-01 12:00:03');
CREATE STREAM orders (id BIGINT, amount DOUBLE NOT NULL, ts TIMESTAMP)
  WITH (topic='orders', timestamp='ts');
CREATE STREAM cleaned AS SELECT id, amount FROM orders;
SELECT * FROM cleaned;
PRINT 'orders.dlq' FROM BEGINNING;
