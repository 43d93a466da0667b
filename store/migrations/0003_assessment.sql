-- 0003: the free online assessment. A draft is found by the hash of a random token the browser keeps;
-- a submitted result is stored as JSON with its scoring version and never re-scored.

CREATE TABLE assessments (
  id              INTEGER PRIMARY KEY,
  token_hash      BLOB NOT NULL UNIQUE,
  client_id       INTEGER REFERENCES clients(id),
  step            INTEGER NOT NULL DEFAULT 0 CHECK (step >= 0),
  answers         TEXT NOT NULL DEFAULT '{}',
  status          TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'submitted')),
  result          TEXT NOT NULL DEFAULT '',
  scoring_version TEXT NOT NULL DEFAULT '',
  primary_class   TEXT NOT NULL DEFAULT '',
  safety_outcome  TEXT NOT NULL DEFAULT '',
  confirmed_class TEXT,
  confirmed_by    INTEGER REFERENCES users(id),
  created_at      INTEGER NOT NULL,
  updated_at      INTEGER NOT NULL,
  expires_at      INTEGER
) STRICT;
CREATE INDEX assessments_client ON assessments(client_id);
CREATE INDEX assessments_expires ON assessments(expires_at);
