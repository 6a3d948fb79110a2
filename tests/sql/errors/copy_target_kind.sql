CREATE STREAM s (id BIGINT);
COPY s TO 'out.csv';
