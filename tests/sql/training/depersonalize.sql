-- depersonalize='card,email': those columns are stored as the hex
-- HMAC-SHA256 of their value under the instance's key (here the one in
-- secret.txt, given with --secret-file), so raw values are never kept
-- while equal values still match.  NULL stays NULL.
CREATE STREAM signups (id BIGINT, card VARCHAR, email VARCHAR,
  age INT, ts TIMESTAMP) WITH (timestamp='ts', partitions=1);
INSERT INTO signups VALUES
  (1, '4111-1111', 'ann@example.com', 31, TIMESTAMP '2024-02-01 10:00:00'),
  (2, '5500-0000', 'bob@example.com', 45, TIMESTAMP '2024-02-01 10:05:00'),
  (3, '4111-1111', NULL, 27, TIMESTAMP '2024-02-01 10:10:00'),
  (4, '', 'dan@example.com', 52, TIMESTAMP '2024-02-01 10:15:00');
CREATE TRAINING SET people WITH (depersonalize='card, email') AS
  SELECT id, card, email, age FROM signups;
-- The stored hashes are HMAC_SHA256(value, key) with the file's key
-- (its final line end is not part of it).
SELECT id, card,
       card = HMAC_SHA256(
         CASE id WHEN 1 THEN '4111-1111' WHEN 2 THEN '5500-0000'
                 WHEN 3 THEN '4111-1111' ELSE '' END,
         'training-set-key-0123') AS card_ok,
       email IS NULL OR email = HMAC_SHA256(
         CASE id WHEN 1 THEN 'ann@example.com' WHEN 2 THEN 'bob@example.com'
                 ELSE 'dan@example.com' END,
         'training-set-key-0123') AS email_ok,
       age
  FROM people;
-- No raw value is stored.
SELECT id FROM people WHERE card LIKE '%-%' OR email LIKE '%@%';
-- Equal raw values have equal hashes: rows 1 and 3 share a card.
SELECT id FROM people
  WHERE card = HMAC_SHA256('4111-1111', 'training-set-key-0123');
