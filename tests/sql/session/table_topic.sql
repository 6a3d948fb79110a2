-- A table WITH (topic=...) follows its changelog topic: each record
-- upserts by key, a later record for the same key replaces the row.
-- INSERT into such a table writes through the topic.
CREATE TABLE rates (currency VARCHAR PRIMARY KEY, rate DOUBLE)
  WITH (topic='rates', format='json');
INSERT INTO rates VALUES ('EUR', 1.08), ('GBP', 1.27);
INSERT INTO rates VALUES ('EUR', 1.09);
SELECT * FROM rates;
