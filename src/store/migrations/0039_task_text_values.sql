-- 0039: the data manager's text search indexes the task data's string
-- values only (issue #20): what a person searches for, not the JSON's keys
-- ("image", "text" matched every task), punctuation or numbers outside
-- strings. Nested objects and arrays are walked; URLs stay strings.
--
-- The index is contentless (its text is derived from tasks.data, so there
-- is no column for external content to read; FTS5 reads external content
-- with virtual tables refused, which rules out a view over json_tree).
-- columnsize=0: no per-row size record (bm25 is not used; the search pages
-- by id or priority), which cut FTS5's insert CPU by a third. detail=full
-- stays: the query's words are phrases ("..."), and a word a person types
-- may be two tokens to unicode61 (phrase queries need positions).
--
-- A task's text is its string values joined by one space, in document
-- order: SQL here (json_tree), and in C for a bulk import
-- (fc_scan_text_values, fed through json_each so both unescape alike).
DROP TRIGGER tasks_fts_insert;
DROP TRIGGER tasks_fts_delete;
DROP TRIGGER tasks_fts_update;
DROP TABLE tasks_fts;
CREATE VIRTUAL TABLE tasks_fts USING fts5(text, content='', columnsize=0);
INSERT INTO tasks_fts(rowid, text)
  SELECT id, (SELECT group_concat(value, ' ') FROM json_tree(tasks.data) WHERE type = 'text') FROM tasks;
CREATE TRIGGER tasks_fts_insert AFTER INSERT ON tasks
BEGIN
  INSERT INTO tasks_fts(rowid, text)
    VALUES (NEW.id, (SELECT group_concat(value, ' ') FROM json_tree(NEW.data) WHERE type = 'text'));
END;
CREATE TRIGGER tasks_fts_delete AFTER DELETE ON tasks
BEGIN
  INSERT INTO tasks_fts(tasks_fts, rowid, text)
    VALUES ('delete', OLD.id, (SELECT group_concat(value, ' ') FROM json_tree(OLD.data) WHERE type = 'text'));
END;
CREATE TRIGGER tasks_fts_update AFTER UPDATE OF data ON tasks
BEGIN
  INSERT INTO tasks_fts(tasks_fts, rowid, text)
    VALUES ('delete', OLD.id, (SELECT group_concat(value, ' ') FROM json_tree(OLD.data) WHERE type = 'text'));
  INSERT INTO tasks_fts(rowid, text)
    VALUES (NEW.id, (SELECT group_concat(value, ' ') FROM json_tree(NEW.data) WHERE type = 'text'));
END;
