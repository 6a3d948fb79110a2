-- SPDX-License-Identifier: Apache-2.0
-- Nexmark q0, pass-through: every bid, unchanged, from ${BID} to ${OUT}.
CREATE STREAM bid (
  auction BIGINT, bidder BIGINT, price BIGINT, channel VARCHAR, url VARCHAR,
  "dateTime" TIMESTAMP, extra VARCHAR,
  WATERMARK FOR "dateTime" AS "dateTime" - INTERVAL '1' SECOND
) WITH (topic='${BID}', timestamp_format='epoch_ms');

CREATE STREAM nexmark_q0 WITH (topic='${OUT}') AS
  SELECT auction, bidder, price, CAST("dateTime" AS BIGINT) AS "dateTime",
         extra
    FROM bid;
