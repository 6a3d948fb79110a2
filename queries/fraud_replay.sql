-- Fills the payments and chargebacks topics from the CSV files that
-- `sluice gen payments --csv DIR` writes, for a cluster the generator
-- does not reach (the embedded broker of one `sluice run`):
--
--   sluice gen payments --csv data --merchants-csv data/merchants.csv \
--     --customers-csv data/customers.csv
--   sluice run --bounded -D data=data -D prefix= \
--     -D live_from=2025-03-07T00:00:00Z \
--     queries/fraud_replay.sql queries/fraud.sql
--
-- The writer streams name the topics of fraud.sql's streams; they carry
-- no event-time column, so each record's timestamp is the moment it was
-- loaded: its arrival, which fraud.sql reads as ROWTIME.

CREATE STREAM payments_file (id BIGINT, card VARCHAR, customer_id BIGINT,
  merchant_id BIGINT, amount DOUBLE, channel VARCHAR, lat DOUBLE,
  lon DOUBLE, ts TIMESTAMP)
  WITH (topic='${prefix}payments', key='card', partitions=4);
CREATE STREAM chargebacks_file (payment_id BIGINT, card VARCHAR,
  reason VARCHAR, ts TIMESTAMP)
  WITH (topic='${prefix}chargebacks', key='card', partitions=4);

LOAD '${data}/payments.csv' INTO payments_file;
LOAD '${data}/chargebacks.csv' INTO chargebacks_file;
