-- SPDX-License-Identifier: Apache-2.0
-- Nexmark q2: the bids of every 123rd auction.
SELECT auction, price
FROM bid
WHERE MOD(auction, 123) = 0
