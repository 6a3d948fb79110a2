CREATE TRAINING SET ts WITH (depersonalize='a,b') AS SELECT a, b FROM s;;
