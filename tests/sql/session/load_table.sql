-- LOAD fills a lookup table from CSV; INSERT with an existing key
-- replaces the row.
CREATE TABLE merchants (id VARCHAR PRIMARY KEY, category VARCHAR,
                        risk DOUBLE);
LOAD '${dir}/merchants.csv' INTO merchants;
INSERT INTO merchants VALUES ('m2', 'travel', 0.9);
SELECT * FROM merchants;
