SELECT count(* FROM p;
SELECT 'open
