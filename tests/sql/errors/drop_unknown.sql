CREATE STREAM payments (id BIGINT);
DROP STREAM paymnts;
