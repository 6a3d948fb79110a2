-- A pull query on a table: WHERE, expressions and LIMIT over the rows it
-- holds now, with the same expression semantics as on streams.
CREATE TABLE accounts (id BIGINT PRIMARY KEY, owner VARCHAR,
                       balance DECIMAL(10,2), opened DATE);
INSERT INTO accounts VALUES
  (1, 'ana', 120.50, DATE '2020-01-15'),
  (2, 'bo', -3.25, DATE '2021-06-30'),
  (3, 'cy', 0.00, DATE '2019-12-31'),
  (4, NULL, 99.99, NULL);
SELECT id, UPPER(owner) AS owner, balance * 2 AS doubled,
       CASE WHEN balance < 0 THEN 'overdrawn' ELSE 'ok' END AS status
  FROM accounts WHERE balance < 100 OR owner = 'ana';
SELECT owner || '#' || CAST(id AS VARCHAR) AS tag FROM accounts
  WHERE owner IS NOT NULL LIMIT 2;
SELECT 7 / 2 AS int_div, 7 % 3 AS modulo, 7.0 / 2 AS dec_div,
       COALESCE(owner, 'nobody') AS who FROM accounts WHERE id = 4;
