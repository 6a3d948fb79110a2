-- SPDX-License-Identifier: Apache-2.0
-- Nexmark q7: per 10 s tumbling window, the bid(s) with the highest price,
-- ties kept.  Flink's window Top-N only takes ROW_NUMBER (which would drop
-- ties), so the windowed bids are joined with each window's maximum price.
-- Window bounds leave as epoch milliseconds (the session time zone is UTC).
SELECT B.auction, B.price, B.bidder, B.`dateTime`,
  1000 * CAST(TIMESTAMPDIFF(SECOND, TIMESTAMP '1970-01-01 00:00:00',
                            B.window_start) AS BIGINT) AS window_start,
  1000 * CAST(TIMESTAMPDIFF(SECOND, TIMESTAMP '1970-01-01 00:00:00',
                            B.window_end) AS BIGINT) AS window_end
FROM TABLE(TUMBLE(TABLE bid, DESCRIPTOR(ts), INTERVAL '10' SECOND)) AS B
JOIN (
  SELECT window_start, window_end, MAX(price) AS max_price
  FROM TABLE(TUMBLE(TABLE bid, DESCRIPTOR(ts), INTERVAL '10' SECOND))
  GROUP BY window_start, window_end
) AS M
ON B.window_start = M.window_start AND B.window_end = M.window_end
  AND B.price = M.max_price
