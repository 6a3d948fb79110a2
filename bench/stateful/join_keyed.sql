-- The same join as join.sql on streams keyed by the join key: the pairs
-- are matched on card as well as id, and card is the record key of both
-- sides, so each partition joins with its twin and no row goes through a
-- repartition topic (join.sql, on id alone, repartitions both sides).
CREATE STREAM join_keyed_out WITH (topic='${OUT}') AS
  SELECT a.id, a.amount, b.merchant
    FROM payments a JOIN payments b WITHIN 1 SECOND
      ON a.card = b.card AND a.id = b.id;
