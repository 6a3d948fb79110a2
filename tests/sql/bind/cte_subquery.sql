-- WITH lists (inlined where used, later ones seeing earlier ones),
-- nested WITH, and subqueries in FROM.
CREATE STREAM payments (id BIGINT, card VARCHAR, amount DOUBLE);
CREATE TABLE cards (card VARCHAR PRIMARY KEY, owner VARCHAR);
WITH big AS (SELECT id, card, amount FROM payments WHERE amount > 100),
     bigger AS (SELECT id, card FROM big WHERE amount > 1000)
SELECT b.id, c.owner FROM bigger b JOIN cards c ON b.card = c.card;
SELECT s.card, s.doubled FROM (
  WITH t AS (SELECT card, amount * 2 AS doubled FROM payments)
  SELECT * FROM t
) AS s;
SELECT x.id FROM (SELECT id FROM payments) x;
