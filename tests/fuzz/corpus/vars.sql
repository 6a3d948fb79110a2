CREATE STREAM ${v}_s WITH (topic='${v}.x') AS SELECT ${n} AS n FROM ${v};
