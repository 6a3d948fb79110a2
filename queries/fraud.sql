-- Payment fraud prevention: every card payment is enriched, compared with
-- the card's own history, scored by two models trained on the same
-- features, and blocked when the champion says so, while payments flow.
--
-- Topics: ${prefix}payments and ${prefix}chargebacks, as `sluice gen
-- payments` writes them; ${data} holds merchants.csv and customers.csv.
-- Payments before ${live_from} (and their chargebacks) are the history
-- the models learn from; the payments from then on are scored.
--
--   sluice gen payments --brokers HOST:PORT --start WEEK_START \
--     --merchants-csv data/merchants.csv --customers-csv data/customers.csv
--   sluice run --bounded --brokers HOST:PORT -D data=data -D prefix= \
--     -D live_from=SEVENTH_DAY queries/fraud.sql
--
-- On a cluster, let the week end yesterday: Kafka's retention deletes the
-- derived streams' records, stamped with their event time, when older.
-- docs/fraud.md walks through it.

-- ---- Sources ---------------------------------------------------------------

CREATE STREAM payments (
  id BIGINT NOT NULL,
  card VARCHAR NOT NULL,
  customer_id BIGINT,
  merchant_id BIGINT,
  amount DOUBLE,
  channel VARCHAR,
  lat DOUBLE,
  lon DOUBLE,
  ts TIMESTAMP,
  CHECK (amount > 0)
) WITH (topic='${prefix}payments', key='card', partitions=4,
        timestamp='ts');

-- A chargeback: the card holder disputed a payment, days after it.
CREATE STREAM chargebacks (payment_id BIGINT NOT NULL, card VARCHAR,
  reason VARCHAR, ts TIMESTAMP)
  WITH (topic='${prefix}chargebacks', key='card', partitions=4,
        timestamp='ts');

CREATE TABLE merchants (id BIGINT PRIMARY KEY, name VARCHAR,
  category VARCHAR, city VARCHAR, lat DOUBLE, lon DOUBLE, risk DOUBLE);
LOAD '${data}/merchants.csv' INTO merchants;

CREATE TABLE customers (id BIGINT PRIMARY KEY, card VARCHAR,
  home_city VARCHAR, home_lat DOUBLE, home_lon DOUBLE);
LOAD '${data}/customers.csv' INTO customers;

-- ---- Features --------------------------------------------------------------

-- One row per payment, as it happens: the merchant's category and risk,
-- how far from home, and the card's recent history (the previous payment,
-- how long ago and how far away; counts and sums over the last hour and
-- day, this payment included).
CREATE STREAM card_features
  WITH (topic='${prefix}card_features', key='card') AS
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

-- And how busy the merchant was in the last hour, which gives a
-- compromised terminal away.  (The OVER calls of one query share their
-- PARTITION BY, hence a second query.)  The training set and the scoring
-- stream both read this stream, so training and serving share every
-- feature.
CREATE STREAM payment_features
  WITH (topic='${prefix}payment_features', key='card') AS
  SELECT f.*,
         COUNT(*) OVER (PARTITION BY f.merchant_id ORDER BY f.ts
                        RANGE BETWEEN INTERVAL '1' HOUR PRECEDING
                        AND CURRENT ROW) AS merchant_last_hour
  FROM card_features f;

-- ---- Training --------------------------------------------------------------

-- Labelled by the chargebacks: a payment disputed within 10 days is
-- fraud; one without a chargeback is written once the 10 days have
-- passed in event time.
CREATE TRAINING SET fraud_rows AS
  SELECT f.*, cb.payment_id IS NOT NULL AS fraud
  FROM payment_features f
  LEFT JOIN chargebacks cb WITHIN (INTERVAL '0' SECOND, INTERVAL '10' DAY)
    ON f.id = cb.payment_id;

-- Boosted trees on the raw features, and a logistic regression with its
-- normalization frozen into the model; both learn from the days before
-- ${live_from} but the last one, which is held out for EVALUATE.
CREATE MODEL IF NOT EXISTS fraud_xgb TYPE XGBOOST
  FEATURES (amount, ONE_HOT(category), merchant_risk, km_from_home, hour,
            prev_amount, secs_since_prev, km_since_prev, n_last_hour,
            sum_last_hour, n_last_day, sum_last_day,
            amount / GREATEST(sum_last_day, 1) AS share_of_day,
            km_since_prev * 3600 / GREATEST(secs_since_prev, 60) AS kmh,
            merchant_last_hour)
  LABEL fraud
  FROM fraud_rows
  WHERE ts < TIMESTAMP '${live_from}' - INTERVAL '1' DAY
  WITH (rounds=60, max_depth=5, eta=0.2, seed=1, nthread=1);

CREATE MODEL IF NOT EXISTS fraud_lr TYPE LOGISTIC_REGRESSION
  FEATURES (STANDARDIZE(amount), ONE_HOT(category),
            STANDARDIZE(merchant_risk), STANDARDIZE(km_from_home),
            ONE_HOT(channel), STANDARDIZE(n_last_hour),
            STANDARDIZE(sum_last_hour), STANDARDIZE(n_last_day),
            STANDARDIZE(LEAST(km_since_prev * 3600
                              / GREATEST(secs_since_prev, 60), 2000))
              AS kmh,
            STANDARDIZE(merchant_last_hour))
  LABEL fraud
  FROM fraud_rows
  WHERE ts < TIMESTAMP '${live_from}' - INTERVAL '1' DAY;

-- Both models side by side on the held-out day.
EVALUATE MODEL fraud_xgb, fraud_lr ON fraud_rows
  WHERE ts >= TIMESTAMP '${live_from}' - INTERVAL '1' DAY
    AND ts < TIMESTAMP '${live_from}';

-- ---- Scoring ---------------------------------------------------------------

-- Every live payment with both scores and a decision: blocked when the
-- champion (XGBoost) is sure, sent to review when either model worries.
CREATE STREAM scored WITH (topic='${prefix}scored', key='card') AS
  SELECT id, card, amount, category, km_from_home, secs_since_prev,
         km_since_prev, n_last_hour, sum_last_day, ts, arrived_at,
         ROUND(PREDICT(fraud_xgb), 4) AS p_xgb,
         ROUND(PREDICT(fraud_lr), 4) AS p_lr,
         CASE WHEN PREDICT(fraud_xgb) >= 0.5 THEN 'block'
              WHEN PREDICT(fraud_xgb) >= 0.2 OR PREDICT(fraud_lr) >= 0.5
                THEN 'review'
              ELSE 'allow' END AS decision,
         NOW() AS decided_at
  FROM payment_features
  WHERE ts >= TIMESTAMP '${live_from}';

-- The blocked payments, for the systems that stop them.
CREATE STREAM alerts WITH (topic='${prefix}alerts', key='card') AS
  SELECT id, card, amount, category, km_from_home, km_since_prev,
         secs_since_prev, n_last_hour, p_xgb, p_lr, ts, decided_at
  FROM scored
  WHERE decision = 'block';
