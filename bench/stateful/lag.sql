-- Per-card history features, as a fraud model reads them: for every
-- payment, the card's previous amount and the count and average of the
-- card's payments over the last five minutes (300,000 payments in any
-- five minutes, over all cards).
CREATE STREAM lag_out WITH (topic='${OUT}') AS
  SELECT id, card, amount,
         LAG(amount) OVER (PARTITION BY card ORDER BY ts) AS previous,
         COUNT(*) OVER recent AS n_recent,
         AVG(amount) OVER recent AS avg_recent
    FROM payments
  WINDOW recent AS (PARTITION BY card ORDER BY ts
                    RANGE BETWEEN INTERVAL '5' MINUTE PRECEDING
                    AND CURRENT ROW);
