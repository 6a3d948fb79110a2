-- INSERT into a stream checks its CHECKs: a statement whose second row
-- breaks one fails at that row, naming it, and writes neither row (the
-- shell test shows the stream afterwards).  NULL passes a CHECK.
CREATE STREAM orders (id BIGINT, qty INT, note VARCHAR,
                      CHECK (qty > 0), CHECK (LENGTH(note) < 6))
  WITH (topic='orders');
INSERT INTO orders VALUES (1, 2, 'ok'), (2, 3, NULL);
INSERT INTO orders (id, qty) VALUES (3, 1);
SELECT id, qty, note FROM orders;
INSERT INTO orders VALUES (4, 1, 'fine'),
  (5, 1, 'much too long');
