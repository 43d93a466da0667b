-- Allium schema: the fold of store/migrations/*.sql. A fresh database is built from this file;
-- an existing one is brought here by the migrations. Change both together.

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
-- 0002: clients, the clinic's calendar (rooms, services, hours, time off) and appointments with courses.

CREATE TABLE clients (
  id                 INTEGER PRIMARY KEY,
  user_id            INTEGER UNIQUE REFERENCES users(id) ON DELETE SET NULL,
  name               TEXT NOT NULL,
  email              TEXT NOT NULL DEFAULT '' COLLATE NOCASE,
  phone              TEXT NOT NULL DEFAULT '',
  birth_date         TEXT NOT NULL DEFAULT '',
  cautions           TEXT NOT NULL DEFAULT '',
  notes              TEXT NOT NULL DEFAULT '',
  consent_treatment_at INTEGER,
  consent_reminders  INTEGER NOT NULL DEFAULT 1 CHECK (consent_reminders IN (0, 1)),
  nudges_opt_out     INTEGER NOT NULL DEFAULT 0 CHECK (nudges_opt_out IN (0, 1)),
  booking_blocked    INTEGER NOT NULL DEFAULT 0 CHECK (booking_blocked IN (0, 1)),
  merged_into        INTEGER REFERENCES clients(id),
  created_at         INTEGER NOT NULL,
  updated_at         INTEGER NOT NULL
) STRICT;
CREATE INDEX clients_email ON clients(email);
CREATE INDEX clients_name ON clients(name COLLATE NOCASE);

CREATE TABLE rooms (
  id     INTEGER PRIMARY KEY,
  name   TEXT NOT NULL UNIQUE,
  active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1))
) STRICT;

CREATE TABLE services (
  id           INTEGER PRIMARY KEY,
  key          TEXT NOT NULL UNIQUE,
  name         TEXT NOT NULL,
  description  TEXT NOT NULL DEFAULT '',
  duration_min INTEGER NOT NULL CHECK (duration_min BETWEEN 5 AND 480),
  buffer_min   INTEGER NOT NULL DEFAULT 0 CHECK (buffer_min BETWEEN 0 AND 120),
  needs_room   INTEGER NOT NULL DEFAULT 1 CHECK (needs_room IN (0, 1)),
  price_cents  INTEGER NOT NULL DEFAULT 0,
  course_sessions INTEGER NOT NULL DEFAULT 1 CHECK (course_sessions BETWEEN 1 AND 6),
  active       INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
  sort         INTEGER NOT NULL DEFAULT 0
) STRICT;

CREATE TABLE therapist_services (
  therapist_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  service_id   INTEGER NOT NULL REFERENCES services(id) ON DELETE CASCADE,
  PRIMARY KEY (therapist_id, service_id)
) STRICT, WITHOUT ROWID;

-- Weekly hours in clinic local time: minutes since local midnight; several rows a day make split shifts.
CREATE TABLE therapist_hours (
  therapist_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  weekday      INTEGER NOT NULL CHECK (weekday BETWEEN 0 AND 6),
  start_min    INTEGER NOT NULL CHECK (start_min BETWEEN 0 AND 1440),
  end_min      INTEGER NOT NULL CHECK (end_min BETWEEN 0 AND 1440),
  CHECK (end_min > start_min)
) STRICT;
CREATE INDEX therapist_hours_t ON therapist_hours(therapist_id, weekday);

CREATE TABLE time_off (
  id           INTEGER PRIMARY KEY,
  therapist_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  starts_at    INTEGER NOT NULL,
  ends_at      INTEGER NOT NULL,
  reason       TEXT NOT NULL DEFAULT '',
  CHECK (ends_at > starts_at)
) STRICT;
CREATE INDEX time_off_t ON time_off(therapist_id, starts_at);

CREATE TABLE courses (
  id            INTEGER PRIMARY KEY,
  client_id     INTEGER NOT NULL REFERENCES clients(id),
  therapist_id  INTEGER NOT NULL REFERENCES users(id),
  service_id    INTEGER NOT NULL REFERENCES services(id),
  sessions      INTEGER NOT NULL CHECK (sessions BETWEEN 1 AND 6),
  spacing_days  INTEGER NOT NULL DEFAULT 7,
  spacing_min   INTEGER NOT NULL DEFAULT 3,
  spacing_max   INTEGER NOT NULL DEFAULT 10,
  created_at    INTEGER NOT NULL
) STRICT;
CREATE INDEX courses_client ON courses(client_id);

-- busy_until is the end plus the service's buffer: the therapist and room stay taken until then.
-- No appointment blocks more than 12 hours, which lets the overlap checks look back a bounded distance.
CREATE TABLE appointments (
  id            INTEGER PRIMARY KEY,
  client_id     INTEGER NOT NULL REFERENCES clients(id),
  therapist_id  INTEGER NOT NULL REFERENCES users(id),
  service_id    INTEGER NOT NULL REFERENCES services(id),
  room_id       INTEGER REFERENCES rooms(id),
  course_id     INTEGER REFERENCES courses(id),
  course_index  INTEGER NOT NULL DEFAULT 1,
  starts_at     INTEGER NOT NULL,
  ends_at       INTEGER NOT NULL,
  busy_until    INTEGER NOT NULL,
  status        TEXT NOT NULL DEFAULT 'booked'
                CHECK (status IN ('booked', 'checked_in', 'completed', 'cancelled', 'no_show')),
  version       INTEGER NOT NULL DEFAULT 1,
  booked_via    TEXT NOT NULL DEFAULT 'online' CHECK (booked_via IN ('online', 'reception', 'demo')),
  created_by    INTEGER,
  created_at    INTEGER NOT NULL,
  updated_at    INTEGER NOT NULL,
  cancelled_at  INTEGER,
  cancelled_by  INTEGER,
  cancel_reason TEXT NOT NULL DEFAULT '',
  late_cancel   INTEGER NOT NULL DEFAULT 0,
  checked_in_at INTEGER,
  CHECK (ends_at > starts_at AND busy_until >= ends_at AND busy_until - starts_at <= 43200)
) STRICT;
CREATE INDEX appointments_therapist ON appointments(therapist_id, starts_at);
CREATE INDEX appointments_room ON appointments(room_id, starts_at) WHERE room_id IS NOT NULL;
CREATE INDEX appointments_client ON appointments(client_id, starts_at);
CREATE INDEX appointments_course ON appointments(course_id) WHERE course_id IS NOT NULL;
CREATE INDEX appointments_start ON appointments(starts_at);

-- The backstop for double bookings: even a bug in the booking code cannot make two active
-- appointments overlap for one therapist or one room. The store checks first and says which
-- session collided; these triggers only make the impossible stay impossible.
CREATE TRIGGER appointments_no_overlap_insert BEFORE INSERT ON appointments
WHEN NEW.status <> 'cancelled'
BEGIN
  SELECT RAISE(ABORT, 'appointment overlaps another')
  WHERE EXISTS (
    SELECT 1 FROM appointments a
    WHERE a.therapist_id = NEW.therapist_id AND a.status <> 'cancelled'
      AND a.starts_at > NEW.starts_at - 43200 AND a.starts_at < NEW.busy_until
      AND a.busy_until > NEW.starts_at)
  OR (NEW.room_id IS NOT NULL AND EXISTS (
    SELECT 1 FROM appointments a
    WHERE a.room_id = NEW.room_id AND a.status <> 'cancelled'
      AND a.starts_at > NEW.starts_at - 43200 AND a.starts_at < NEW.busy_until
      AND a.busy_until > NEW.starts_at));
END;

CREATE TRIGGER appointments_no_overlap_update
BEFORE UPDATE OF therapist_id, room_id, starts_at, busy_until, status ON appointments
WHEN NEW.status <> 'cancelled'
BEGIN
  SELECT RAISE(ABORT, 'appointment overlaps another')
  WHERE EXISTS (
    SELECT 1 FROM appointments a
    WHERE a.therapist_id = NEW.therapist_id AND a.status <> 'cancelled' AND a.id <> NEW.id
      AND a.starts_at > NEW.starts_at - 43200 AND a.starts_at < NEW.busy_until
      AND a.busy_until > NEW.starts_at)
  OR (NEW.room_id IS NOT NULL AND EXISTS (
    SELECT 1 FROM appointments a
    WHERE a.room_id = NEW.room_id AND a.status <> 'cancelled' AND a.id <> NEW.id
      AND a.starts_at > NEW.starts_at - 43200 AND a.starts_at < NEW.busy_until
      AND a.busy_until > NEW.starts_at));
END;

CREATE TABLE waitlist (
  id           INTEGER PRIMARY KEY,
  client_id    INTEGER NOT NULL REFERENCES clients(id),
  service_id   INTEGER NOT NULL REFERENCES services(id),
  therapist_id INTEGER REFERENCES users(id),
  from_date    TEXT NOT NULL,
  to_date      TEXT NOT NULL,
  status       TEXT NOT NULL DEFAULT 'waiting' CHECK (status IN ('waiting', 'offered', 'booked', 'closed')),
  created_at   INTEGER NOT NULL
) STRICT;
CREATE INDEX waitlist_open ON waitlist(status, service_id);

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

-- 0005: reminders. A therapist's private calendar feed is found by the SHA-256 of its secret
-- token (the link itself is shown once), and a therapist may ask for tomorrow's list by email.

CREATE TABLE ical_feeds (
  user_id    INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
  token_hash BLOB NOT NULL UNIQUE,
  created_at INTEGER NOT NULL
) STRICT;

CREATE TABLE staff_mail_prefs (
  user_id  INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
  day_list INTEGER NOT NULL DEFAULT 0 CHECK (day_list IN (0, 1))
) STRICT;
