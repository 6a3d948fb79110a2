-- COPY writes a table as CSV with a header; LOAD reads it back.
CREATE TABLE prices (sku VARCHAR PRIMARY KEY, price DECIMAL(8,2),
                     note VARCHAR, updated TIMESTAMP);
INSERT INTO prices VALUES
  ('a-1', 1.50, 'plain', TIMESTAMP '2024-05-01 12:00:00'),
  ('b-2', 20.00, 'comma, inside', NULL),
  ('c-3', NULL, '', TIMESTAMP '2024-05-02 00:00:00.5');
COPY prices TO 'prices.csv';
CREATE TABLE prices_again (sku VARCHAR PRIMARY KEY, price DECIMAL(8,2),
                           note VARCHAR, updated TIMESTAMP);
LOAD 'prices.csv' INTO prices_again;
SELECT * FROM prices_again;
