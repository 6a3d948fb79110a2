-- The filter+projection benchmark query (bench/run.sh): payments read
-- from ${IN}, 90% kept, three columns written to ${OUT}.
CREATE STREAM payments (id BIGINT, merchant BIGINT, amount DOUBLE,
                        currency VARCHAR, note VARCHAR)
  WITH (topic='${IN}');
CREATE STREAM converted WITH (topic='${OUT}') AS
  SELECT id, merchant, amount * 1.1 AS amount_eur
    FROM payments
   WHERE amount > 10;
