-- SPDX-License-Identifier: Apache-2.0
-- Nexmark q5: per 10 s hopping window sliding by 2 s, the auction(s) with the
-- most bids, ties kept.  Flink's window Top-N only takes ROW_NUMBER (which
-- would drop ties), so the maximum count per window comes from a cascaded
-- window aggregation (a 2 s tumble over each hop window's window_time holds
-- exactly one hop window) and is joined back to the counts; both sides are
-- append-only, so the join is too.  Window bounds leave as epoch
-- milliseconds (the session time zone is UTC).
CREATE TEMPORARY VIEW auction_counts AS
SELECT auction, COUNT(*) AS num, window_start AS hop_start,
  window_end AS hop_end, window_time AS hop_time
FROM TABLE(HOP(TABLE bid, DESCRIPTOR(ts),
               INTERVAL '2' SECOND, INTERVAL '10' SECOND))
GROUP BY auction, window_start, window_end, window_time;

SELECT C.auction, C.num,
  1000 * CAST(TIMESTAMPDIFF(SECOND, TIMESTAMP '1970-01-01 00:00:00',
                            C.hop_start) AS BIGINT) AS window_start,
  1000 * CAST(TIMESTAMPDIFF(SECOND, TIMESTAMP '1970-01-01 00:00:00',
                            C.hop_end) AS BIGINT) AS window_end
FROM auction_counts AS C
JOIN (
  SELECT hop_start, MAX(num) AS max_num
  FROM TABLE(TUMBLE(TABLE auction_counts, DESCRIPTOR(hop_time),
                    INTERVAL '2' SECOND))
  GROUP BY hop_start, window_start, window_end
) AS M
ON C.hop_start = M.hop_start AND C.num = M.max_num
