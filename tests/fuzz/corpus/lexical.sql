-- comment
/* block */ SELECT "Quoted ""id""" FROM t WHERE a::INT[1] IN (1, 2.5, 1e3) AND b NOT LIKE 'x%';
