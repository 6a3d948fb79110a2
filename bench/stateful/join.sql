-- A stream-stream join: the payments stream joined with itself on id
-- within one second, so each side buffers about a second of payments
-- (1,000) and every payment meets exactly itself (ids are unique).  The
-- stream is keyed by card, not id: both sides go through repartition
-- topics keyed by id (join_keyed.sql is the same join on keyed input).
CREATE STREAM join_out WITH (topic='${OUT}') AS
  SELECT a.id, a.amount, b.merchant
    FROM payments a JOIN payments b WITHIN 1 SECOND ON a.id = b.id;
