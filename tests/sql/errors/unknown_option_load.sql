CREATE TABLE t (id BIGINT PRIMARY KEY);
LOAD 'data.csv' INTO t WITH (headers=true);
