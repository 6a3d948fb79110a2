-- SPDX-License-Identifier: Apache-2.0
-- Nexmark q8: per 10 s tumbling window, the persons who joined and opened an
-- auction in that same window; one row per person and window (a window join
-- of the distinct persons and the distinct sellers of each window).
SELECT P.id, P.name,
  1000 * CAST(TIMESTAMPDIFF(SECOND, TIMESTAMP '1970-01-01 00:00:00',
                            P.window_start) AS BIGINT) AS window_start,
  1000 * CAST(TIMESTAMPDIFF(SECOND, TIMESTAMP '1970-01-01 00:00:00',
                            P.window_end) AS BIGINT) AS window_end
FROM (
  SELECT id, name, window_start, window_end
  FROM TABLE(TUMBLE(TABLE person, DESCRIPTOR(ts), INTERVAL '10' SECOND))
  GROUP BY id, name, window_start, window_end
) AS P
JOIN (
  SELECT seller, window_start, window_end
  FROM TABLE(TUMBLE(TABLE auction, DESCRIPTOR(ts), INTERVAL '10' SECOND))
  GROUP BY seller, window_start, window_end
) AS A
ON P.id = A.seller AND P.window_start = A.window_start
  AND P.window_end = A.window_end
