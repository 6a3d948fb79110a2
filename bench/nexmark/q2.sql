-- SPDX-License-Identifier: Apache-2.0
-- Nexmark q2, selection: the bids on every 123rd auction.
CREATE STREAM bid (
  auction BIGINT, bidder BIGINT, price BIGINT, channel VARCHAR, url VARCHAR,
  "dateTime" TIMESTAMP, extra VARCHAR,
  WATERMARK FOR "dateTime" AS "dateTime" - INTERVAL '1' SECOND
) WITH (topic='${BID}', timestamp_format='epoch_ms');

CREATE STREAM nexmark_q2 WITH (topic='${OUT}') AS
  SELECT auction, price
    FROM bid
   WHERE auction % 123 = 0;
