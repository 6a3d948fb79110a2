-- Hopping windows of ten minutes advancing by five: every payment is in
-- two windows.
CREATE STREAM hopping_out WITH (topic='${OUT}') AS
  SELECT card, COUNT(*) AS n, SUM(amount) AS total, WINDOW_START,
         WINDOW_END
    FROM payments
  WINDOW HOPPING (SIZE 10 MINUTES, ADVANCE BY 5 MINUTES)
   GROUP BY card
    EMIT FINAL;
