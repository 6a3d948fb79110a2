-- A library that does not exist is named in the error.
CREATE FUNCTION f(VARCHAR) RETURNS BOOLEAN LANGUAGE C AS '/nonexistent/libx.so';
