-- Tumbling COUNT/SUM by card over ten-minute windows: 600,000 payments a
-- window, so every card has a window open at once.  Each window's row
-- goes to ${OUT} when it closes.
CREATE STREAM tumbling_out WITH (topic='${OUT}') AS
  SELECT card, COUNT(*) AS n, SUM(amount) AS total, WINDOW_START,
         WINDOW_END
    FROM payments
  WINDOW TUMBLING (SIZE 10 MINUTES)
   GROUP BY card
    EMIT FINAL;
