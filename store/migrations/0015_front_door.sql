-- 0015: the front door. A visitor's booking holds its times until they prove their email by an
-- emailed link; forms that send mail or start work are limited per address and per email; a
-- safety block belongs to the person's email and phone; staff may sign in with a second factor.

-- A hold: the booking a visitor asked for, kept until the emailed link completes it. Only the
-- token's SHA-256 is kept. password_hash is the password a new account would get; it is never
-- given to an account that already exists.
CREATE TABLE booking_holds (
  id              INTEGER PRIMARY KEY,
  token_hash      BLOB NOT NULL UNIQUE,
  email           TEXT NOT NULL COLLATE NOCASE,
  name            TEXT NOT NULL,
  phone           TEXT NOT NULL DEFAULT '',
  password_hash   TEXT NOT NULL DEFAULT '',
  service_id      INTEGER NOT NULL REFERENCES services(id),
  therapist_id    INTEGER NOT NULL REFERENCES users(id),
  spacing_days    INTEGER NOT NULL DEFAULT 7,
  reminders       INTEGER NOT NULL DEFAULT 0 CHECK (reminders IN (0, 1)),
  assessment_hash BLOB,
  created_at      INTEGER NOT NULL,
  expires_at      INTEGER NOT NULL,
  used_at         INTEGER
) STRICT;
CREATE INDEX booking_holds_expires ON booking_holds(expires_at);

-- The times a hold keeps from everyone else until it expires or is used (then its rows go).
CREATE TABLE hold_sessions (
  hold_id      INTEGER NOT NULL REFERENCES booking_holds(id) ON DELETE CASCADE,
  session      INTEGER NOT NULL,
  therapist_id INTEGER NOT NULL,
  room_id      INTEGER,
  starts_at    INTEGER NOT NULL,
  busy_until   INTEGER NOT NULL,
  expires_at   INTEGER NOT NULL,
  PRIMARY KEY (hold_id, session)
) STRICT;
CREATE INDEX hold_sessions_start ON hold_sessions(starts_at);

-- Requests that send mail or start work, counted per address and per target email.
CREATE TABLE rate_events (
  kind  TEXT NOT NULL,
  scope TEXT NOT NULL CHECK (scope IN ('address', 'email')),
  key   TEXT NOT NULL,
  at    INTEGER NOT NULL
) STRICT;
CREATE INDEX rate_events_key ON rate_events(kind, scope, key, at);

-- An assessment that called for a doctor first closes online booking for the email and the
-- phone (digits only) of the person, whichever browser they use, until a clinician clears it.
CREATE TABLE safety_blocks (
  id            INTEGER PRIMARY KEY,
  assessment_id INTEGER REFERENCES assessments(id) ON DELETE SET NULL,
  email         TEXT NOT NULL DEFAULT '' COLLATE NOCASE,
  phone         TEXT NOT NULL DEFAULT '',
  created_at    INTEGER NOT NULL,
  cleared_at    INTEGER,
  cleared_by    INTEGER REFERENCES users(id)
) STRICT;
CREATE INDEX safety_blocks_email ON safety_blocks(email) WHERE cleared_at IS NULL;
CREATE INDEX safety_blocks_phone ON safety_blocks(phone) WHERE cleared_at IS NULL;

-- Staff two-factor sign-in: the TOTP secret of a staff member who set it up, the last time
-- step a code was accepted for (a code works once), and ten single-use recovery codes, kept
-- as hashes.
ALTER TABLE users ADD COLUMN totp_secret TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN totp_step INTEGER NOT NULL DEFAULT 0;
CREATE TABLE recovery_codes (
  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  hash    BLOB NOT NULL,
  used_at INTEGER,
  PRIMARY KEY (user_id, hash)
) STRICT;
