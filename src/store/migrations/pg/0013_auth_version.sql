-- 0013 (PostgreSQL): a counter of changes to what credentials resolve to
-- (roles today). Each server caches token answers for 30 s; it watches this
-- counter (about five times a second) and drops its cache when another
-- server moved it.
CREATE TABLE auth_version (
  id BIGINT PRIMARY KEY CHECK (id = 1),
  version BIGINT NOT NULL
);
INSERT INTO auth_version(id, version) VALUES (1, 0);
