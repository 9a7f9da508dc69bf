-- 0039: the text search indexes the task data's string values only (issue
-- #20; see the SQLite twin): jsonb_to_tsvector over the strings, nested
-- objects and arrays walked, keys and numbers left out. The queries in
-- store.c use the same expression.
DROP INDEX tasks_fts;
CREATE INDEX tasks_fts ON tasks USING GIN (jsonb_to_tsvector('simple', data::jsonb, '["string"]'));
