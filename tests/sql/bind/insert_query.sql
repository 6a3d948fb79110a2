-- INSERT INTO ... SELECT: a persistent query into an existing stream,
-- its columns cast to the target's by position.
CREATE STREAM eu (id INT, amount DECIMAL(8,2), ts TIMESTAMP);
CREATE STREAM us (id BIGINT, amount DOUBLE, ts TIMESTAMP);
CREATE STREAM all_payments (id BIGINT, amount DOUBLE, ts TIMESTAMP);
INSERT INTO all_payments SELECT id, amount, ts FROM eu;
INSERT INTO all_payments SELECT * FROM us WHERE amount > 0;
INSERT INTO all_payments SELECT id, amount, ts FROM eu EMIT CHANGES;
