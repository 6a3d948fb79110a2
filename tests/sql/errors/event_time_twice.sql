CREATE STREAM s (id BIGINT, created TIMESTAMP, ts TIMESTAMP,
  WATERMARK FOR ts AS ts - INTERVAL '5' SECOND)
  WITH (timestamp='created');
