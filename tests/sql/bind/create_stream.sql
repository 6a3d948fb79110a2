-- CREATE STREAM with every clause: NOT NULL, CHECK, WATERMARK FOR and
-- the WITH options of a stream.
CREATE STREAM payments (
  id BIGINT NOT NULL,
  card VARCHAR NOT NULL,
  merchant_id BIGINT,
  amount DECIMAL(10,2),
  currency VARCHAR,
  ts TIMESTAMP,
  CHECK (amount > 0),
  CHECK (currency IN ('EUR', 'USD')),
  WATERMARK FOR ts AS ts - INTERVAL '5' SECOND
) WITH (
  topic = 'payments-v1',
  format = 'json',
  key = 'card',
  partitions = 6,
  replicas = 3,
  timestamp_format = 'epoch_ms',
  errors = 'skip',
  start = 'earliest',
  idle_timeout = INTERVAL '30' SECOND
);
