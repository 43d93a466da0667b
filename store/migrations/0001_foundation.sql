-- 0001: people, roles, sessions, tokens, sign-in throttling, settings, audit log, outbox and mailbox.
-- Instants are INTEGER unix seconds in UTC; the clinic's zone is a setting.

CREATE TABLE settings (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
) STRICT;

-- Secrets the server makes for itself on first start (session keys), kept so restarts keep sessions.
CREATE TABLE app_keys (
  name  TEXT PRIMARY KEY,
  value BLOB NOT NULL
) STRICT;

CREATE TABLE users (
  id            INTEGER PRIMARY KEY,
  role          TEXT NOT NULL CHECK (role IN ('owner', 'therapist', 'reception', 'client')),
  email         TEXT NOT NULL COLLATE NOCASE UNIQUE,
  name          TEXT NOT NULL,
  phone         TEXT NOT NULL DEFAULT '',
  password_hash TEXT NOT NULL DEFAULT '',
  active        INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
  created_at    INTEGER NOT NULL,
  updated_at    INTEGER NOT NULL
) STRICT;

-- Server-side sessions: the cookie carries a random id, the table keeps only its SHA-256.
CREATE TABLE sessions (
  id_hash      BLOB PRIMARY KEY,
  user_id      INTEGER REFERENCES users(id) ON DELETE CASCADE,
  data         BLOB NOT NULL,
  created_at   INTEGER NOT NULL,
  seen_at      INTEGER NOT NULL,
  expires_at   INTEGER NOT NULL
) STRICT;
CREATE INDEX sessions_user ON sessions(user_id);
CREATE INDEX sessions_expires ON sessions(expires_at);

-- Single-use emailed tokens (password reset, sign-in link, staff invite); only the hash is kept.
CREATE TABLE tokens (
  hash       BLOB PRIMARY KEY,
  purpose    TEXT NOT NULL CHECK (purpose IN ('reset', 'signin', 'invite')),
  user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  expires_at INTEGER NOT NULL,
  used_at    INTEGER
) STRICT;
CREATE INDEX tokens_user ON tokens(user_id, purpose);

-- Failed sign-ins, per account and per address, for throttling.
CREATE TABLE auth_failures (
  scope TEXT NOT NULL CHECK (scope IN ('account', 'address')),
  key   TEXT NOT NULL,
  at    INTEGER NOT NULL
) STRICT;
CREATE INDEX auth_failures_key ON auth_failures(scope, key, at);

CREATE TABLE audit_log (
  id          INTEGER PRIMARY KEY,
  at          INTEGER NOT NULL,
  actor_id    INTEGER,
  actor_role  TEXT NOT NULL,
  action      TEXT NOT NULL,
  record_type TEXT NOT NULL,
  record_id   INTEGER NOT NULL DEFAULT 0,
  client_id   INTEGER NOT NULL DEFAULT 0,
  address     TEXT NOT NULL DEFAULT '',
  detail      TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX audit_log_record ON audit_log(record_type, record_id);
CREATE INDEX audit_log_client ON audit_log(client_id, at);

-- The outbox: every email is a row written in the transaction of the change that causes it.
CREATE TABLE outbox (
  id          INTEGER PRIMARY KEY,
  kind        TEXT NOT NULL,
  recipient   TEXT NOT NULL,
  ref_type    TEXT NOT NULL DEFAULT '',
  ref_id      INTEGER NOT NULL DEFAULT 0,
  dedupe_key  TEXT NOT NULL UNIQUE,
  payload     TEXT NOT NULL DEFAULT '{}',
  send_after  INTEGER NOT NULL,
  expires_at  INTEGER NOT NULL DEFAULT 0,
  status      TEXT NOT NULL DEFAULT 'queued'
              CHECK (status IN ('queued', 'sending', 'sent', 'failed', 'expired', 'cancelled')),
  attempts    INTEGER NOT NULL DEFAULT 0,
  last_error  TEXT NOT NULL DEFAULT '',
  lease_until INTEGER NOT NULL DEFAULT 0,
  message_id  TEXT NOT NULL,
  created_at  INTEGER NOT NULL,
  sent_at     INTEGER
) STRICT;
CREATE INDEX outbox_due ON outbox(status, send_after);
CREATE INDEX outbox_ref ON outbox(ref_type, ref_id);

-- The built-in mailbox: where mail goes when no SMTP server is configured.
CREATE TABLE mailbox (
  id          INTEGER PRIMARY KEY,
  message_id  TEXT NOT NULL,
  recipient   TEXT NOT NULL,
  subject     TEXT NOT NULL,
  text_body   TEXT NOT NULL,
  html_body   TEXT NOT NULL,
  raw         BLOB NOT NULL,
  received_at INTEGER NOT NULL
) STRICT;
