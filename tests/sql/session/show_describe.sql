-- SHOW and DESCRIBE read the catalog.
CREATE STREAM clicks (user_id BIGINT NOT NULL, url VARCHAR, at TIMESTAMP)
  WITH (topic='clicks', key='user_id', timestamp='at', partitions=3);
CREATE TABLE users (id BIGINT PRIMARY KEY, name VARCHAR);
SHOW STREAMS;
SHOW TABLES;
DESCRIBE clicks;
SET 'auto.offset.reset' = 'earliest';
SHOW PROPERTIES;
UNSET 'auto.offset.reset';
SHOW PROPERTIES;
