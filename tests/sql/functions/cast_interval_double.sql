-- An INTERVAL does not cast to DOUBLE; the error says what gives its
-- seconds and its milliseconds instead.
SELECT CAST(INTERVAL '1.5' SECOND AS DOUBLE);
