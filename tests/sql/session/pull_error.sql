-- A row that fails in a pull query stops it with the reason.
CREATE TABLE t (id INT PRIMARY KEY, d INT);
INSERT INTO t VALUES (1, 0);
SELECT id / d AS q FROM t;
