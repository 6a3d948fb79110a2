-- LOAD a CSV file into a table, a stream or a training set; COPY a
-- table or a training set to a file.
CREATE TABLE merchants (id BIGINT PRIMARY KEY, name VARCHAR);
CREATE STREAM payments (id BIGINT, merchant BIGINT, amount DOUBLE);
CREATE TRAINING SET history AS SELECT id, amount FROM payments;
LOAD 'merchants.csv' INTO merchants;
LOAD 'payments.tsv' INTO payments WITH (header=false, delimiter='|',
  null='NA', errors='skip');
LOAD 'history.csv' INTO history WITH (errors='fail');
COPY merchants TO 'merchants-out.csv';
COPY history TO 'history-out.csv';
