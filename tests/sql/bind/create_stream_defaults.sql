-- Defaults of a stream: topic = name, format json, errors dlq with
-- dlq_topic <topic>.dlq, one partition and replica, record timestamps.
CREATE STREAM clicks (user_id BIGINT, url VARCHAR);
-- CSV streams get a delimiter; a given topic names the DLQ topic.
CREATE STREAM rows_csv (a INT, b VARCHAR) WITH (format='csv', topic='raw');
CREATE STREAM tabbed (a INT) WITH (format='csv', delimiter='|',
  dlq_topic='bad-rows', timestamp_format='%Y-%m-%d %H:%M:%S');
-- The same definition again is a no-op; IF NOT EXISTS skips.
CREATE STREAM clicks (user_id BIGINT, url VARCHAR);
CREATE STREAM IF NOT EXISTS clicks (other INT);
-- The event time may come from timestamp= alone, or agree with WATERMARK.
CREATE STREAM events (id BIGINT, at TIMESTAMP) WITH (timestamp='at');
CREATE STREAM events2 (id BIGINT, at TIMESTAMP, WATERMARK FOR at AS at)
  WITH (timestamp='at');
