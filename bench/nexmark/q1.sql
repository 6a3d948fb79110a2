-- SPDX-License-Identifier: Apache-2.0
-- Nexmark q1, currency conversion: every bid with its price in euros
-- (0.908 per dollar, as a DOUBLE).
CREATE STREAM bid (
  auction BIGINT, bidder BIGINT, price BIGINT, channel VARCHAR, url VARCHAR,
  "dateTime" TIMESTAMP, extra VARCHAR,
  WATERMARK FOR "dateTime" AS "dateTime" - INTERVAL '1' SECOND
) WITH (topic='${BID}', timestamp_format='epoch_ms');

CREATE STREAM nexmark_q1 WITH (topic='${OUT}') AS
  SELECT auction, bidder, 0.908e0 * price AS price,
         CAST("dateTime" AS BIGINT) AS "dateTime"
    FROM bid;
