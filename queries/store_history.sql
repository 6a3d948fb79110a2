-- The history of queries/store.sql, loaded once: a year of units sold
-- per store, product and day (store-history.csv of `sluice gen store`)
-- replayed into the topic ${prefix}sales-history.
--
--   sluice run --bounded --brokers "$brokers" --service store \
--     -D prefix=store- -D data=store-data queries/store_history.sql
--
-- Run it once per topic prefix, before queries/store.sql: LOAD writes
-- its rows every time it runs, so a second run would put every day of
-- the history into the training set twice.  The stream is declared as
-- queries/store.sql declares it, so that script finds it unchanged.
CREATE STREAM sales_history (
  store VARCHAR NOT NULL,
  product VARCHAR NOT NULL,
  day DATE NOT NULL,
  units INT NOT NULL,
  CHECK (units >= 0)
) WITH (topic='${prefix}sales-history', format='csv', key='store');
LOAD '${data}/store-history.csv' INTO sales_history;
