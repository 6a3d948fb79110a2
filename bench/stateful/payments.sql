-- The input of every stateful benchmark query: payments written to ${IN}
-- by `sluice gen records` (bench/stateful/run.sh): ids 1, 2, 3, ...; the
-- card is the record key, with as many distinct cards as the run asks
-- for; 1,000 merchants; event times one millisecond apart (1,000
-- payments per second of event time, a million spanning 16.7 minutes),
-- rising within each partition, so none is late.  Every payment has a
-- card: the column is NOT NULL, so a query grouping by it keeps its state
-- per partition of the topic, with no repartition topic.
CREATE STREAM payments (id BIGINT, card BIGINT NOT NULL, merchant INT,
                        amount DOUBLE, currency VARCHAR, ts TIMESTAMP)
  WITH (topic='${IN}', key='card', timestamp='ts');
