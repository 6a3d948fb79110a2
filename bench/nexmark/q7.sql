-- SPDX-License-Identifier: Apache-2.0
-- Nexmark q7, highest bid: in every tumbling window of 10 s, the bid(s)
-- with the highest price (ties all kept).  Each bid is its own group
-- (auction, bidder, price and time), ranked by price within its window.
CREATE STREAM bid (
  auction BIGINT, bidder BIGINT, price BIGINT, channel VARCHAR, url VARCHAR,
  "dateTime" TIMESTAMP, extra VARCHAR,
  WATERMARK FOR "dateTime" AS "dateTime" - INTERVAL '1' SECOND
) WITH (topic='${BID}', timestamp_format='epoch_ms');

CREATE STREAM nexmark_q7 WITH (topic='${OUT}') AS
  SELECT auction, price, bidder, bid_time AS "dateTime",
         CAST(window_start AS BIGINT) AS window_start,
         CAST(window_end AS BIGINT) AS window_end
    FROM (SELECT auction, price, bidder, bid_time, window_start, window_end,
                 RANK() OVER (PARTITION BY window_start ORDER BY price DESC)
                   AS place
            FROM (SELECT auction, price, bidder,
                         CAST("dateTime" AS BIGINT) AS bid_time,
                         WINDOW_START, WINDOW_END
                    FROM bid WINDOW TUMBLING (SIZE 10 SECONDS)
                   GROUP BY auction, price, bidder,
                            CAST("dateTime" AS BIGINT)) bids) ranked
   WHERE place <= 1;
