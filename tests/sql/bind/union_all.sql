-- UNION ALL of several SELECTs, with column types meeting by the
-- implicit casts.
CREATE STREAM eu (id INT, amount DECIMAL(8,2));
CREATE STREAM us (id BIGINT, amount DOUBLE);
CREATE STREAM uk (id BIGINT, amount DOUBLE);
SELECT id, amount FROM eu
UNION ALL SELECT id, amount FROM us
UNION ALL SELECT id, amount FROM uk WHERE amount > 0
EMIT CHANGES;
