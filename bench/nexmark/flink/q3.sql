-- SPDX-License-Identifier: Apache-2.0
-- Nexmark q3: sellers in three states of the auctions of category 10.  A
-- regular (unwindowed) inner join of two append-only streams, so its output
-- is append-only and both sides are kept in state for the whole run.
SELECT P.name, P.city, P.state, A.id
FROM auction AS A
JOIN person AS P ON A.seller = P.id
WHERE A.category = 10 AND P.state IN ('OR', 'ID', 'CA')
