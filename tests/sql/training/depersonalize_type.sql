-- A depersonalized column holds its hash as text, so it must be VARCHAR.
CREATE STREAM signups (id BIGINT, card VARCHAR) WITH (partitions=1);
CREATE TRAINING SET people WITH (depersonalize='id') AS
  SELECT id, card FROM signups;
