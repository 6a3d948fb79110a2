-- A SELECT without FROM computes one row of constants, as in check.
SELECT 1 AS one, 'a' || 'b' AS ab, 7 / 2 AS q, -7 / 2 AS nq,
       CAST('2024-05-01' AS DATE) AS d, NULL IS NULL AS n;
SELECT UPPER('héllo') AS u, LENGTH('héllo') AS len, ROUND(2.567, 1) AS r;
