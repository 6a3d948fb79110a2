-- GROUP BY without a window, global aggregates, HAVING, DISTINCT, and
-- grouping by an expression.
CREATE STREAM payments (card VARCHAR, merchant VARCHAR, amount INT);
SELECT card, COUNT(*), COUNT(merchant), COUNT(DISTINCT merchant),
       SUM(amount), AVG(amount), STDDEV(amount), SUM(amount) / COUNT(*)
FROM payments GROUP BY card HAVING SUM(amount) > 100 EMIT CHANGES;
SELECT COUNT(*) AS total FROM payments;
SELECT LOWER(merchant) AS m, MAX(amount) FROM payments
GROUP BY LOWER(merchant);
