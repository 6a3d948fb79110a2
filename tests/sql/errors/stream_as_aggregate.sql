CREATE STREAM s (card VARCHAR, amount DOUBLE);
CREATE STREAM totals AS SELECT card, SUM(amount) AS total FROM s GROUP BY card;
