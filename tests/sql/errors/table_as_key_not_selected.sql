CREATE STREAM s (card VARCHAR, amount DOUBLE);
CREATE TABLE totals AS SELECT SUM(amount) AS total FROM s GROUP BY card;
