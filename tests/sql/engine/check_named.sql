-- Each CHECK of a stream is kept apart: a record that fails one goes to
-- the dead-letter topic (reason check) naming the first CHECK it fails,
-- in declaration order, as written (white space and comments as one
-- space).  A CHECK that is NULL (unknown) passes, as in SQL.  The
-- records come through a stream without CHECKs on the same topic (an
-- INSERT into orders itself would refuse them).
CREATE STREAM orders_in (id VARCHAR, qty INT, price DOUBLE, ts TIMESTAMP)
  WITH (topic='orders', timestamp='ts', partitions=1);
CREATE STREAM orders (id VARCHAR, qty INT, price DOUBLE, ts TIMESTAMP,
                      CHECK (qty >= 0),
                      CHECK (price > 0 -- priced
                             AND id <> 'x)'))
  WITH (topic='orders', timestamp='ts', partitions=1);
INSERT INTO orders_in VALUES
  ('ok', 1, 2.5, TIMESTAMP '2024-01-01 00:00:00'),
  ('first', -1, 2.5, TIMESTAMP '2024-01-01 00:00:01'),
  ('second', 3, 0, TIMESTAMP '2024-01-01 00:00:02'),
  ('both', -2, -1.0, TIMESTAMP '2024-01-01 00:00:03'),
  ('x)', 4, 1.0, TIMESTAMP '2024-01-01 00:00:04'),
  ('null_qty', NULL, 1.0, TIMESTAMP '2024-01-01 00:00:05'),
  ('null_all', NULL, NULL, TIMESTAMP '2024-01-01 00:00:06'),
  ('null_then_false', NULL, -3.0, TIMESTAMP '2024-01-01 00:00:07');
-- ok passes both; first fails the first CHECK; second fails the second;
-- both fails both and is named by the first; x) fails the second on
-- its id; null_qty (NULL, TRUE) and null_all (NULL, NULL) pass;
-- null_then_false (NULL, FALSE) fails the second.
SELECT id, qty, price FROM orders;
PRINT 'orders.dlq' FROM BEGINNING;
