-- Expressions of every kind, with their types and the casts the binder
-- inserts.
CREATE STREAM e (
  id BIGINT, n INT, price DECIMAL(10,2), ratio DOUBLE, name VARCHAR,
  flag BOOLEAN, raw BYTES, day DATE, ts TIMESTAMP, wait INTERVAL,
  tags ARRAY<VARCHAR>, attrs MAP<VARCHAR, INT>,
  loc STRUCT<lat DOUBLE, lon DOUBLE, city STRUCT<name VARCHAR>>
);
SELECT
  -n, +ratio, NOT flag,
  n + id, n - 1, price * n, price / 3, n % 2, ratio * price, 7 / 2,
  name || '!', raw || raw,
  n = id, price <> ratio, name < 'm', day <= ts, n > 1.5, id >= 2,
  flag AND n > 0 OR name IS NULL,
  n IS NOT NULL, n BETWEEN 1 AND 10, n NOT BETWEEN 1.5 AND 2,
  name IN ('a', 'b'), id NOT IN (1, 2, 3), name LIKE 'a%', name NOT LIKE '%z',
  CASE WHEN n > 10 THEN 'big' WHEN n > 5 THEN 'mid' END AS size,
  CASE n WHEN 1 THEN 1.5 WHEN 2 THEN 2 ELSE ratio END AS mapped,
  CAST(n AS VARCHAR), CAST(name AS INT), id::DOUBLE, ts::DATE,
  tags[1], attrs['k'], loc.lat, e.loc.city.name, loc['lon'],
  ARRAY[n, id], ARRAY['x', name],
  EXTRACT(YEAR FROM ts), EXTRACT(DOW FROM day), EXTRACT(EPOCH FROM ts),
  ts + INTERVAL '1' HOUR, ts - wait, ts - ts, wait * 2, day + 7, day - day,
  INTERVAL '1' DAY + ts, wait / 4,
  COALESCE(name, 'none'), ABS(n), ROUND(price, 1), UPPER(name)
FROM e;
