-- Less waste in a grocery chain: clean the stores' feeds, learn how many
-- units of each product each store sells on each day of the week, and
-- suggest price markdowns for what would otherwise expire unsold.
--
--   sluice gen store --brokers "$brokers" --out store-data
--   sluice run --bounded --brokers "$brokers" --service store \
--     -D prefix=store- -D data=store-data queries/store_history.sql
--   sluice run --bounded --brokers "$brokers" --service store \
--     -D prefix=store- -D data=store-data queries/store.sql
--
-- ${prefix} is the topic prefix given to `sluice gen store --prefix`
-- (its default is store-) and ${data} the directory of its --out.  The
-- year of history reaches the topic ${prefix}sales-history once, through
-- queries/store_history.sql; this script can then run again on the same
-- catalog and service, and each run trains a new version of the model
-- on the same history.  docs/store.md walks through every step.

-- ---- History and the demand model -----------------------------------------

-- A year of units sold per store, product and day, replayed through a
-- stream (by queries/store_history.sql, the same definition) so that
-- the training set is built by the same operators as any live query.
CREATE STREAM sales_history (
  store VARCHAR NOT NULL,
  product VARCHAR NOT NULL,
  day DATE NOT NULL,
  units INT NOT NULL,
  CHECK (units >= 0)
) WITH (topic='${prefix}sales-history', format='csv', key='store');

CREATE TRAINING SET demand_rows AS
  SELECT store, product, EXTRACT(DOW FROM day) AS dow, units
  FROM sales_history;

-- Units sold per store, product and ISO day of the week (1 = Monday).
CREATE MODEL demand TYPE XGBOOST
  FEATURES (ONE_HOT(store), ONE_HOT(product), ONE_HOT(dow))
  LABEL units FROM demand_rows
  WITH (rounds=60, max_depth=6, eta=0.3, holdout=0.1, seed=1, nthread=1);

EVALUATE MODEL demand ON demand_rows;

-- ---- The live feeds -------------------------------------------------------

-- Every feed is a contract: a record that is not well formed, has a
-- value of the wrong type, misses a field or counts fewer than zero
-- units goes to the feed's dead-letter topic (<topic>.dlq) with its
-- reason.  Records reach the broker up to a few minutes out of order;
-- one more than 30 minutes behind the rest of its feed is late and goes
-- there too (see the duplicates below).
CREATE STREAM sales (
  sale_id VARCHAR NOT NULL,
  store VARCHAR NOT NULL,
  product VARCHAR NOT NULL,
  qty INT NOT NULL,
  ts TIMESTAMP NOT NULL,
  CHECK (qty >= 0),
  WATERMARK FOR ts AS ts - INTERVAL '30' MINUTE
) WITH (topic='${prefix}sales', key='store');

CREATE STREAM deliveries (
  delivery_id VARCHAR NOT NULL,
  store VARCHAR NOT NULL,
  product VARCHAR NOT NULL,
  qty INT NOT NULL,
  best_before DATE NOT NULL,
  ts TIMESTAMP NOT NULL,
  CHECK (qty >= 0),
  WATERMARK FOR ts AS ts - INTERVAL '30' MINUTE
) WITH (topic='${prefix}deliveries', format='csv', key='store');

-- on_hand: units on the shelf after closing; expiring: those of them
-- with the earliest best-before date, best_before.
CREATE STREAM stock_counts (
  count_id VARCHAR NOT NULL,
  store VARCHAR NOT NULL,
  product VARCHAR NOT NULL,
  on_hand INT NOT NULL,
  expiring INT NOT NULL,
  best_before DATE NOT NULL,
  ts TIMESTAMP NOT NULL,
  CHECK (on_hand >= 0),
  CHECK (expiring >= 0),
  WATERMARK FOR ts AS ts - INTERVAL '30' MINUTE
) WITH (topic='${prefix}stock-counts', format='csv', key='store');

-- ---- Duplicates -----------------------------------------------------------

-- Tills and scanners re-send records they are unsure about.  copies is
-- how many records with the same id arrived within a day up to this
-- one: 1 for the first, more for every re-sent copy, which the queries
-- below drop.  The operator keeps each id's history by event time, so a
-- record behind the feed's watermark (the latest event time less 30
-- minutes) finds its history gone: it is late and goes to the feed's
-- dead-letter topic.  Keyed by store, each checked stream keeps the
-- order of its feed.
CREATE STREAM sales_checked
  WITH (topic='${prefix}sales-checked', key='store') AS
  SELECT sale_id, store, product, qty, ts,
         COUNT(*) OVER (PARTITION BY sale_id ORDER BY ts
                        RANGE BETWEEN INTERVAL '1' DAY PRECEDING
                        AND CURRENT ROW) AS copies
  FROM sales;

CREATE STREAM deliveries_checked
  WITH (topic='${prefix}deliveries-checked', key='store') AS
  SELECT delivery_id, store, product, qty, best_before, ts,
         COUNT(*) OVER (PARTITION BY delivery_id ORDER BY ts
                        RANGE BETWEEN INTERVAL '1' DAY PRECEDING
                        AND CURRENT ROW) AS copies
  FROM deliveries;

CREATE STREAM counts_checked
  WITH (topic='${prefix}counts-checked', key='store') AS
  SELECT count_id, store, product, on_hand, expiring, best_before, ts,
         COUNT(*) OVER (PARTITION BY count_id ORDER BY ts
                        RANGE BETWEEN INTERVAL '1' DAY PRECEDING
                        AND CURRENT ROW) AS copies
  FROM stock_counts;

-- Every dropped copy, and how many per feed and store.
CREATE STREAM duplicates WITH (topic='${prefix}duplicates', key='store') AS
  SELECT 'sales' AS feed, sale_id AS record_id, store, ts
  FROM sales_checked WHERE copies > 1
  UNION ALL
  SELECT 'deliveries', delivery_id, store, ts
  FROM deliveries_checked WHERE copies > 1
  UNION ALL
  SELECT 'stock-counts', count_id, store, ts
  FROM counts_checked WHERE copies > 1;

CREATE TABLE duplicate_counts WITH (topic='${prefix}duplicate-counts') AS
  SELECT feed, store, COUNT(*) AS dropped
  FROM duplicates GROUP BY feed, store;

-- ---- What the stores sold and received ------------------------------------

CREATE TABLE daily_sales WITH (topic='${prefix}daily-sales') AS
  SELECT store, product, SUM(qty) AS units, WINDOW_START, WINDOW_END
  FROM sales_checked WHERE copies = 1
  WINDOW TUMBLING (SIZE 1 DAY)
  GROUP BY store, product
  EMIT FINAL;

CREATE TABLE daily_received WITH (topic='${prefix}daily-received') AS
  SELECT store, product, SUM(qty) AS units, WINDOW_START, WINDOW_END
  FROM deliveries_checked WHERE copies = 1
  WINDOW TUMBLING (SIZE 1 DAY)
  GROUP BY store, product
  EMIT FINAL;

-- ---- Markdowns ------------------------------------------------------------

-- Each evening's count with the demand forecasts of the next three days
-- (the days the store may still sell what expires soonest): days_left
-- is how many selling days the expiring units still have.
CREATE STREAM stock_outlook
  WITH (topic='${prefix}stock-outlook', key='store') AS
  SELECT count_id, store, product, on_hand, expiring, best_before,
         days_left,
         ROUND(PREDICT(demand, store, product, dow_1), 3) AS forecast_1,
         ROUND(PREDICT(demand, store, product, dow_2), 3) AS forecast_2,
         ROUND(PREDICT(demand, store, product, dow_3), 3) AS forecast_3,
         ts
  FROM (SELECT count_id, store, product, on_hand, expiring, best_before,
               best_before - CAST(ts AS DATE) AS days_left,
               EXTRACT(DOW FROM ts + INTERVAL '1' DAY) AS dow_1,
               EXTRACT(DOW FROM ts + INTERVAL '2' DAY) AS dow_2,
               EXTRACT(DOW FROM ts + INTERVAL '3' DAY) AS dow_3, ts
        FROM counts_checked WHERE copies = 1) c;

-- The rule: units sell oldest first, so the expiring units are expected
-- to sell what the forecasts of their remaining days add up to.  When
-- they expire within three days and at least a fifth of them would be
-- left over, suggest a discount on them: 50% when at least 60% would be
-- left, 30% from 40%, else 20%.
CREATE STREAM markdowns WITH (topic='${prefix}markdowns', key='store') AS
  SELECT store, product, count_id, expiring, best_before, days_left,
         ROUND(expected_sales, 3) AS expected_sales,
         ROUND(unsold, 1) AS expected_unsold,
         CASE WHEN 10 * unsold >= 6 * expiring THEN 50
              WHEN 10 * unsold >= 4 * expiring THEN 30
              ELSE 20 END AS discount_pct,
         ts
  FROM (SELECT count_id, store, product, expiring, best_before, days_left,
               expected_sales, expiring - expected_sales AS unsold, ts
        FROM (SELECT count_id, store, product, expiring, best_before,
                     days_left, ts,
                     forecast_1
                     + CASE WHEN days_left >= 2 THEN forecast_2 ELSE 0 END
                     + CASE WHEN days_left >= 3 THEN forecast_3 ELSE 0 END
                       AS expected_sales
              FROM stock_outlook) f) o
  WHERE days_left BETWEEN 1 AND 3 AND expiring > 0
    AND 5 * unsold >= expiring;

-- ---- A look at the results ------------------------------------------------

SELECT * FROM duplicate_counts;
SELECT store, product, best_before, expiring, expected_sales, discount_pct
FROM markdowns LIMIT 10;
