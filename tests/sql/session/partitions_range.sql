-- partitions beyond what the engine keeps state for are refused.
CREATE STREAM s (a INT) WITH (partitions=2147483647);
