-- Whether a column name was quoted is part of its declaration (the dump
-- shows quoted names in double quotes): a quoted name matches record
-- fields exactly.  CREATE STREAM ... AS keeps it for a column passed on
-- under its own name, takes it from the alias otherwise, and a STRUCT
-- field reached by name is quoted when it is written so.
CREATE STREAM q (id BIGINT, "amount" DOUBLE, "Total" DOUBLE, qty INT,
                 loc STRUCT<"City" VARCHAR, zip VARCHAR>);
CREATE STREAM q_all AS SELECT * FROM q;
CREATE STREAM q_named AS
  SELECT "amount", q.qty AS "n", "Total" AS total, id + 1 AS "next",
         amount * 2, loc."City", q.loc.zip
  FROM q;
