-- An INTERVAL has days and time, never months: a calendar part is an
-- error naming the parts an INTERVAL has.
SELECT EXTRACT(MONTH FROM TIMESTAMP '2025-03-01 00:00:00'
                          - TIMESTAMP '2025-01-01 00:00:00');
