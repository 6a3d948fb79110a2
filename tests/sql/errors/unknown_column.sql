-- An unknown column names the source and suggests the closest name.
CREATE STREAM s (id BIGINT, amount DOUBLE);
SELECT idd, amount FROM s;
