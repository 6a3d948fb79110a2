-- SPDX-License-Identifier: Apache-2.0
-- Nexmark q3, local item suggestion: the sellers in Oregon, Idaho and
-- California of auctions in category 10.  The persons are a table that
-- follows ${PERSON}; a bounded run loads it to the topic's end before the
-- join starts, so each auction meets its seller, who joined before it.
CREATE TABLE person (
  id BIGINT PRIMARY KEY, name VARCHAR, "emailAddress" VARCHAR,
  "creditCard" VARCHAR, city VARCHAR, state VARCHAR, "dateTime" BIGINT,
  extra VARCHAR
) WITH (topic='${PERSON}');

CREATE STREAM auction (
  id BIGINT, "itemName" VARCHAR, description VARCHAR, "initialBid" BIGINT,
  reserve BIGINT, "dateTime" TIMESTAMP, expires BIGINT, seller BIGINT,
  category BIGINT, extra VARCHAR,
  WATERMARK FOR "dateTime" AS "dateTime" - INTERVAL '1' SECOND
) WITH (topic='${AUCTION}', timestamp_format='epoch_ms');

CREATE STREAM nexmark_q3 WITH (topic='${OUT}') AS
  SELECT p.name, p.city, p.state, a.id
    FROM auction a JOIN person p ON a.seller = p.id
   WHERE a.category = 10 AND p.state IN ('OR', 'ID', 'CA');
