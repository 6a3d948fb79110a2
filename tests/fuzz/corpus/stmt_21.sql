EXPLAIN SELECT 1; EXPLAIN alerts_insert_1;;
