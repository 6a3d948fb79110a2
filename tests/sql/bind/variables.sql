-- ${name} variables are substituted from -D before lexing.
CREATE STREAM ${env}_payments (id BIGINT, amount DOUBLE)
  WITH (topic='${env}.payments');
SELECT id FROM ${env}_payments WHERE amount > ${threshold};
