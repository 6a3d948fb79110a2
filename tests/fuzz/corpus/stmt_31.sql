SELECT -a * b, NOT a AND b OR c, a IS NOT NULL, a LIKE 'x%', a NOT LIKE 'y', a NOT BETWEEN 1 AND 2, 1 + 2 * 3 - 4 / 5 % 6 FROM s;
