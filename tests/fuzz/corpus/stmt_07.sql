CREATE TABLE IF NOT EXISTS m (id BIGINT PRIMARY KEY, name VARCHAR NOT NULL) WITH (topic='m', format='json', versioned=true);;
