-- SPDX-License-Identifier: Apache-2.0
-- Nexmark q5, hot items: in every hopping window of 10 s advancing by
-- 2 s, the auction(s) with the most bids (ties all kept: RANK, not
-- ROW_NUMBER).
CREATE STREAM bid (
  auction BIGINT, bidder BIGINT, price BIGINT, channel VARCHAR, url VARCHAR,
  "dateTime" TIMESTAMP, extra VARCHAR,
  WATERMARK FOR "dateTime" AS "dateTime" - INTERVAL '1' SECOND
) WITH (topic='${BID}', timestamp_format='epoch_ms');

CREATE STREAM nexmark_q5 WITH (topic='${OUT}') AS
  SELECT auction, num, CAST(window_start AS BIGINT) AS window_start,
         CAST(window_end AS BIGINT) AS window_end
    FROM (SELECT auction, num, window_start, window_end,
                 RANK() OVER (PARTITION BY window_start ORDER BY num DESC)
                   AS place
            FROM (SELECT auction, COUNT(*) AS num, WINDOW_START, WINDOW_END
                    FROM bid
                  WINDOW HOPPING (SIZE 10 SECONDS, ADVANCE BY 2 SECONDS)
                   GROUP BY auction) counted) ranked
   WHERE place <= 1;
