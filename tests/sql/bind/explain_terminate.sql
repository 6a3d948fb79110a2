-- EXPLAIN a statement (bound, not run) or a running query; TERMINATE.
CREATE STREAM s (id BIGINT, amount DOUBLE);
EXPLAIN SELECT id FROM s WHERE amount > 10;
EXPLAIN CREATE STREAM big AS SELECT * FROM s WHERE amount > 100;
EXPLAIN big;
TERMINATE big_insert_1;
TERMINATE ALL;
