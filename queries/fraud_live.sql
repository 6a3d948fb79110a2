-- The live side of fraud.sql, for a feed that keeps arriving: the same
-- features and decisions as card_features, payment_features, scored and
-- alerts there, computed by queries that run without an end (`sluice run`
-- without --bounded), next to the models fraud.sql trained.
--
--   sluice run --bounded ... queries/fraud.sql        (history, training)
--   sluice run ... -D prefix= -D live_from=SEVENTH_DAY queries/fraud_live.sql
--
-- Each query starts at the beginning of its input, so the card and
-- merchant histories are those the models learned from; payments from
-- ${live_from} on are decided as they arrive.  `sluice demo` runs it
-- after fraud.sql in the same session while it sends the live day.
--
-- The SELECT lists must stay those of fraud.sql: the models read their
-- features by column name.

CREATE STREAM live_card_features
  WITH (topic='${prefix}live_card_features', key='card') AS
  SELECT p.id, p.card, p.merchant_id, p.amount, p.channel, p.ts,
         ROWTIME AS arrived_at,
         m.category, m.risk AS merchant_risk,
         GEO_DISTANCE(p.lat, p.lon, c.home_lat, c.home_lon) AS km_from_home,
         HOUR_OF_DAY(p.ts) AS hour,
         LAG(p.amount) OVER card_history AS prev_amount,
         EXTRACT(EPOCH FROM p.ts)
           - EXTRACT(EPOCH FROM LAG(p.ts) OVER card_history)
           AS secs_since_prev,
         GEO_DISTANCE(p.lat, p.lon, LAG(p.lat) OVER card_history,
                      LAG(p.lon) OVER card_history) AS km_since_prev,
         COUNT(*) OVER last_hour AS n_last_hour,
         SUM(p.amount) OVER last_hour AS sum_last_hour,
         COUNT(*) OVER last_day AS n_last_day,
         SUM(p.amount) OVER last_day AS sum_last_day
  FROM payments p
  JOIN merchants m ON p.merchant_id = m.id
  JOIN customers c ON p.customer_id = c.id
  WINDOW card_history AS (PARTITION BY p.card ORDER BY p.ts),
         last_hour AS (PARTITION BY p.card ORDER BY p.ts
                       RANGE BETWEEN INTERVAL '1' HOUR PRECEDING
                       AND CURRENT ROW),
         last_day AS (PARTITION BY p.card ORDER BY p.ts
                      RANGE BETWEEN INTERVAL '1' DAY PRECEDING
                      AND CURRENT ROW);

CREATE STREAM live_payment_features
  WITH (topic='${prefix}live_payment_features', key='card') AS
  SELECT f.*,
         COUNT(*) OVER (PARTITION BY f.merchant_id ORDER BY f.ts
                        RANGE BETWEEN INTERVAL '1' HOUR PRECEDING
                        AND CURRENT ROW) AS merchant_last_hour
  FROM live_card_features f;

-- Decided when it arrives: decided_at - arrived_at is the time a payment
-- waited for its decision.
CREATE STREAM live_scored WITH (topic='${prefix}live_scored', key='card') AS
  SELECT id, card, amount, category, km_from_home, secs_since_prev,
         km_since_prev, n_last_hour, sum_last_day, ts, arrived_at,
         ROUND(PREDICT(fraud_xgb), 4) AS p_xgb,
         ROUND(PREDICT(fraud_lr), 4) AS p_lr,
         CASE WHEN PREDICT(fraud_xgb) >= 0.5 THEN 'block'
              WHEN PREDICT(fraud_xgb) >= 0.2 OR PREDICT(fraud_lr) >= 0.5
                THEN 'review'
              ELSE 'allow' END AS decision,
         NOW() AS decided_at
  FROM live_payment_features
  WHERE ts >= TIMESTAMP '${live_from}';

CREATE STREAM live_alerts WITH (topic='${prefix}live_alerts', key='card') AS
  SELECT id, card, amount, category, km_from_home, km_since_prev,
         secs_since_prev, n_last_hour, p_xgb, p_lr, ts, decided_at
  FROM live_scored
  WHERE decision = 'block';
