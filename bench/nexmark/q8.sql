-- SPDX-License-Identifier: Apache-2.0
-- Nexmark q8, monitor new users: the persons who joined and opened an
-- auction in the same tumbling window of 10 s: a window join of the
-- persons of each window with the sellers of each window.
CREATE STREAM person (
  id BIGINT, name VARCHAR, "emailAddress" VARCHAR, "creditCard" VARCHAR,
  city VARCHAR, state VARCHAR, "dateTime" TIMESTAMP, extra VARCHAR,
  WATERMARK FOR "dateTime" AS "dateTime" - INTERVAL '1' SECOND
) WITH (topic='${PERSON}', timestamp_format='epoch_ms');

CREATE STREAM auction (
  id BIGINT, "itemName" VARCHAR, description VARCHAR, "initialBid" BIGINT,
  reserve BIGINT, "dateTime" TIMESTAMP, expires BIGINT, seller BIGINT,
  category BIGINT, extra VARCHAR,
  WATERMARK FOR "dateTime" AS "dateTime" - INTERVAL '1' SECOND
) WITH (topic='${AUCTION}', timestamp_format='epoch_ms');

CREATE STREAM nexmark_q8 WITH (topic='${OUT}') AS
  WITH joined AS (SELECT id, name, WINDOW_START, WINDOW_END
                    FROM person WINDOW TUMBLING (SIZE 10 SECONDS)
                   GROUP BY id, name),
       sellers AS (SELECT seller, WINDOW_START, WINDOW_END
                     FROM auction WINDOW TUMBLING (SIZE 10 SECONDS)
                    GROUP BY seller)
  SELECT j.id, j.name, CAST(j.window_start AS BIGINT) AS window_start,
         CAST(j.window_end AS BIGINT) AS window_end
    FROM joined j JOIN sellers s
      ON j.id = s.seller AND j.window_start = s.window_start;
