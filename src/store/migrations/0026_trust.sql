-- 0026: trust (issue #18) — retention, identity verification, account
-- deletion, blocks with appeals.

-- Retention: media of a closed project is erased retention_days after the
-- project closed (NULL: kept). closed_at is set when the project closes.
ALTER TABLE projects ADD COLUMN retention_days INTEGER;
ALTER TABLE projects ADD COLUMN closed_at INTEGER;

-- Identity documents: the image sealed with libsodium secretbox under the
-- key named key_id (from configuration; rotation keeps old ids readable).
-- sealed (nonce || ciphertext) is set to NULL at the decision: nobody can
-- read the document afterwards.
CREATE TABLE identity_documents (
  id INTEGER PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending','approved','rejected')),
  content_type TEXT NOT NULL,
  key_id TEXT NOT NULL,
  sealed BLOB,
  reason TEXT,
  decided_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
  created_at INTEGER NOT NULL,
  decided_at INTEGER
) STRICT;
CREATE INDEX identity_documents_queue ON identity_documents(status, id);
CREATE INDEX identity_documents_user ON identity_documents(user_id, id);

-- Account deletion: the row stays (the ledger's accounts point at it) with
-- its personal data gone.
ALTER TABLE users ADD COLUMN deleted_at INTEGER;

-- Blocks: a contributor shut out of one project, with the reason they see;
-- one appeal, decided by someone other than the one who blocked.
CREATE TABLE blocks (
  id INTEGER PRIMARY KEY,
  project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  blocked_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
  reason TEXT NOT NULL CHECK (length(trim(reason)) > 0),
  created_at INTEGER NOT NULL,
  status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active','lifted')),
  appeal TEXT,
  appealed_at INTEGER,
  appeal_upheld INTEGER,
  decision_reason TEXT,
  decided_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
  decided_at INTEGER
) STRICT;
CREATE INDEX blocks_user ON blocks(user_id, project_id, status);
CREATE INDEX blocks_project ON blocks(project_id, id);
