-- SPDX-License-Identifier: Apache-2.0
-- Nexmark q1: currency conversion; the price becomes a DOUBLE (a DECIMAL
-- literal times a BIGINT would stay DECIMAL in Flink).
SELECT auction, bidder, CAST(0.908 AS DOUBLE) * price AS price, `dateTime`
FROM bid
