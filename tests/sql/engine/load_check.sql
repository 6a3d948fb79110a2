-- LOAD into a stream: a record that breaks a CHECK follows the LOAD's
-- error policy, here skip (counted and logged), as the stream's queries
-- would treat it; the others are written.
CREATE STREAM orders (id BIGINT, qty INT, note VARCHAR,
                      CHECK (qty > 0), CHECK (LENGTH(note) < 6))
  WITH (topic='orders');
LOAD '${dir}/load_check.csv' INTO orders WITH (errors='skip');
SELECT id, qty, note FROM orders;
