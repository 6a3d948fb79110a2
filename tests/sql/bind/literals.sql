-- Lexical forms: numbers, strings, booleans, NULL, TIMESTAMP and DATE
-- literals, both interval forms, quoted identifiers and keywords as
-- column names.
CREATE STREAM "Mixed Case" ("Id" BIGINT, key VARCHAR, value DOUBLE,
  type VARCHAR, "select" INT);
SELECT "Id", key, value, type, "select",
  42, -7, 2147483648, 9223372036854775807, 123456789012345678901234,
  3.14, 0.5, .25, 1e3, 2.5E-2,
  'it''s', '', TRUE, false, NULL,
  TIMESTAMP '2024-05-01 12:00:00', TIMESTAMP '2024-05-01T12:00:00.123Z',
  TIMESTAMP '2024-05-01 14:00:00+02:00', DATE '2024-02-29',
  INTERVAL '5' SECOND, INTERVAL '250' MILLISECOND, 10 MINUTES, 1 HOUR,
  30 DAYS, 2 SECONDS, 1 MILLISECOND
FROM "Mixed Case" /* a comment */ -- and another
WHERE "Id" > 0;
