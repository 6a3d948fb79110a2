CREATE STREAM s (id BIGINT, card VARCHAR) WITH (key_format='json');
