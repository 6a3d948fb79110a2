CREATE STREAM s (card VARCHAR, merchant VARCHAR, amount DOUBLE);
SELECT card, merchant, SUM(amount) FROM s GROUP BY card;
