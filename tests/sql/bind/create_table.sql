-- Lookup tables: a PRIMARY KEY on a column or after the columns, a
-- changelog topic, versions for temporal joins.
CREATE TABLE merchants (id BIGINT PRIMARY KEY, name VARCHAR, risk DOUBLE);
CREATE TABLE rates (
  base VARCHAR,
  quote VARCHAR,
  rate DECIMAL(12,6) NOT NULL,
  PRIMARY KEY (base, quote)
) WITH (topic='fx-rates', format='json', versioned=true);
CREATE TABLE IF NOT EXISTS merchants (id BIGINT PRIMARY KEY);
CREATE TABLE limits (card VARCHAR PRIMARY KEY, max_amount DOUBLE,
  CHECK (max_amount >= 0)) WITH (topic='limits', errors='fail');
