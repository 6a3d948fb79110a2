CREATE STREAM s (id BIGINT, amount DOUBLE);
INSERT INTO s (id, amount) VALUES (1, 'ten');
