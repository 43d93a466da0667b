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

-- 0004: the therapist's chart. Findings recorded after palpation, treatment plans with goals and a
-- history of events, SOAP notes that lock when signed (addenda only after that), outcome readings,
-- reassessments with their decision, referrals, and clearances of the assessment's safety flags.
-- Findings, signed notes, addenda and reassessments are append-only: triggers abort any change,
-- so not even a bug in the store can rewrite a clinical record after the fact.

CREATE TABLE findings (
  id              INTEGER PRIMARY KEY,
  client_id       INTEGER NOT NULL REFERENCES clients(id),
  therapist_id    INTEGER NOT NULL REFERENCES users(id),
  appointment_id  INTEGER REFERENCES appointments(id),
  kind            TEXT NOT NULL CHECK (kind IN ('initial', 'reassessment', 'ad_hoc')),
  complaint       TEXT NOT NULL DEFAULT '',
  aggravating     TEXT NOT NULL DEFAULT '',
  easing          TEXT NOT NULL DEFAULT '',
  impression      TEXT NOT NULL DEFAULT '',
  confirmed_class TEXT NOT NULL DEFAULT ''
                  CHECK (confirmed_class IN ('', 'mechanical', 'systemic', 'recovery', 'mixed', 'undifferentiated')),
  chart_regions   TEXT NOT NULL DEFAULT '', -- body chart areas marked as painful, space-separated codes
  channels        TEXT NOT NULL DEFAULT '', -- Tui Na channels involved, space-separated codes
  created_at      INTEGER NOT NULL
) STRICT;
CREATE INDEX findings_client ON findings(client_id, created_at);

CREATE TRIGGER findings_no_update BEFORE UPDATE ON findings
BEGIN
  SELECT RAISE(ABORT, 'findings are append-only');
END;

CREATE TRIGGER findings_no_delete BEFORE DELETE ON findings
BEGIN
  SELECT RAISE(ABORT, 'findings are append-only');
END;

CREATE TABLE finding_posture (
  id          INTEGER PRIMARY KEY,
  finding_id  INTEGER NOT NULL REFERENCES findings(id),
  observation TEXT NOT NULL,
  side        TEXT NOT NULL DEFAULT '' CHECK (side IN ('', 'left', 'right', 'bilateral', 'midline')),
  note        TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX finding_posture_f ON finding_posture(finding_id);

CREATE TABLE finding_rom (
  id         INTEGER PRIMARY KEY,
  finding_id INTEGER NOT NULL REFERENCES findings(id),
  joint      TEXT NOT NULL,
  movement   TEXT NOT NULL,
  side       TEXT NOT NULL DEFAULT '' CHECK (side IN ('', 'left', 'right', 'bilateral', 'midline')),
  mode       TEXT NOT NULL DEFAULT 'active' CHECK (mode IN ('active', 'passive', 'resisted')),
  degrees    INTEGER CHECK (degrees IS NULL OR degrees BETWEEN 0 AND 360),
  grade      TEXT NOT NULL DEFAULT '' CHECK (grade IN ('', 'full', '75', '50', '25', 'minimal')),
  pain       TEXT NOT NULL DEFAULT 'none' CHECK (pain IN ('none', 'end_range', 'through_range', 'painful_arc')),
  note       TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX finding_rom_f ON finding_rom(finding_id);

CREATE TABLE finding_tests (
  id         INTEGER PRIMARY KEY,
  finding_id INTEGER NOT NULL REFERENCES findings(id),
  name       TEXT NOT NULL,
  side       TEXT NOT NULL DEFAULT '' CHECK (side IN ('', 'left', 'right', 'bilateral', 'midline')),
  result     TEXT NOT NULL CHECK (result IN ('positive', 'negative', 'equivocal')),
  note       TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX finding_tests_f ON finding_tests(finding_id);

-- One row per palpated structure. The five trigger point signs are separate columns because
-- examiners agree on them unevenly; no single column says "trigger point".
CREATE TABLE finding_palpation (
  id                  INTEGER PRIMARY KEY,
  finding_id          INTEGER NOT NULL REFERENCES findings(id),
  region              TEXT NOT NULL,
  side                TEXT NOT NULL CHECK (side IN ('left', 'right', 'bilateral', 'midline')),
  muscle              TEXT NOT NULL DEFAULT '',
  finding_type        TEXT NOT NULL,
  tenderness          INTEGER CHECK (tenderness IS NULL OR tenderness BETWEEN 0 AND 4),
  tone                TEXT NOT NULL DEFAULT '' CHECK (tone IN ('', 'hypotonic', 'normal', 'hypertonic', 'spasm')),
  texture             TEXT NOT NULL DEFAULT ''
                      CHECK (texture IN ('', 'normal', 'ropy', 'fibrotic', 'boggy_oedematous', 'adhered', 'thin_atrophic')),
  trp_spot_tenderness INTEGER NOT NULL DEFAULT 0 CHECK (trp_spot_tenderness IN (0, 1)),
  trp_taut_band       INTEGER NOT NULL DEFAULT 0 CHECK (trp_taut_band IN (0, 1)),
  trp_recognised_pain INTEGER NOT NULL DEFAULT 0 CHECK (trp_recognised_pain IN (0, 1)),
  trp_referral        INTEGER NOT NULL DEFAULT 0 CHECK (trp_referral IN (0, 1)),
  trp_twitch          INTEGER NOT NULL DEFAULT 0 CHECK (trp_twitch IN (0, 1)),
  trp_status          TEXT NOT NULL DEFAULT '' CHECK (trp_status IN ('', 'active', 'latent')),
  fascial_direction   TEXT NOT NULL DEFAULT '',
  fascial_layer       TEXT NOT NULL DEFAULT '' CHECK (fascial_layer IN ('', 'superficial', 'deep')),
  note                TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX finding_palpation_f ON finding_palpation(finding_id);

CREATE TABLE finding_points (
  id         INTEGER PRIMARY KEY,
  finding_id INTEGER NOT NULL REFERENCES findings(id),
  code       TEXT NOT NULL,
  side       TEXT NOT NULL DEFAULT '' CHECK (side IN ('', 'left', 'right', 'bilateral', 'midline')),
  role       TEXT NOT NULL DEFAULT '' CHECK (role IN ('', 'local', 'adjacent', 'distal', 'root')),
  note       TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX finding_points_f ON finding_points(finding_id);

-- A treatment plan. Dates are civil dates in the clinic's zone (YYYY-MM-DD); layers are
-- space-separated layer codes. Status moves only through the plan rules, recorded in plan_events.
CREATE TABLE treatment_plans (
  id                INTEGER PRIMARY KEY,
  client_id         INTEGER NOT NULL REFERENCES clients(id),
  therapist_id      INTEGER NOT NULL REFERENCES users(id),
  assessment_id     INTEGER REFERENCES assessments(id),
  findings_id       INTEGER REFERENCES findings(id),
  previous_plan_id  INTEGER REFERENCES treatment_plans(id),
  status            TEXT NOT NULL DEFAULT 'draft'
                    CHECK (status IN ('draft', 'active', 'reassess_due', 'completed', 'extended', 'referred',
                                      'changed', 'on_hold', 'discontinued', 'cancelled', 'entered_in_error')),
  layers            TEXT NOT NULL,
  planned_sessions  INTEGER NOT NULL CHECK (planned_sessions BETWEEN 3 AND 6),
  target_days       INTEGER NOT NULL,
  min_days          INTEGER NOT NULL,
  max_days          INTEGER NOT NULL,
  start_date        TEXT NOT NULL,
  reassessment_date TEXT NOT NULL,
  extensions_used   INTEGER NOT NULL DEFAULT 0 CHECK (extensions_used BETWEEN 0 AND 1),
  extension_sessions INTEGER NOT NULL DEFAULT 0 CHECK (extension_sessions BETWEEN 0 AND 6),
  maintenance_due   TEXT NOT NULL DEFAULT '',
  home_care         TEXT NOT NULL DEFAULT '',
  version           INTEGER NOT NULL DEFAULT 1,
  created_at        INTEGER NOT NULL,
  updated_at        INTEGER NOT NULL,
  CHECK (min_days <= target_days AND target_days <= max_days)
) STRICT;
CREATE INDEX treatment_plans_client ON treatment_plans(client_id, status);

CREATE TABLE plan_goals (
  id          INTEGER PRIMARY KEY,
  plan_id     INTEGER NOT NULL REFERENCES treatment_plans(id),
  position    INTEGER NOT NULL,
  description TEXT NOT NULL,
  measure     TEXT NOT NULL CHECK (measure IN ('pain_0_10', 'psfs', 'psfs_mean')),
  activity    TEXT NOT NULL DEFAULT '',
  baseline    REAL NOT NULL CHECK (baseline BETWEEN 0 AND 10),
  target      REAL NOT NULL CHECK (target BETWEEN 0 AND 10),
  UNIQUE (plan_id, position)
) STRICT;

CREATE TABLE plan_events (
  id          INTEGER PRIMARY KEY,
  plan_id     INTEGER NOT NULL REFERENCES treatment_plans(id),
  event       TEXT NOT NULL,
  from_status TEXT NOT NULL,
  to_status   TEXT NOT NULL,
  reason      TEXT NOT NULL DEFAULT '',
  actor_id    INTEGER REFERENCES users(id),
  at          INTEGER NOT NULL
) STRICT;
CREATE INDEX plan_events_plan ON plan_events(plan_id, id);

-- A course booked while its client has a running plan that still lacks a course for its current
-- block (the first course, or the one extension) joins that plan, so booking from the plan links
-- the appointments without the booking code knowing about plans.
ALTER TABLE courses ADD COLUMN plan_id INTEGER REFERENCES treatment_plans(id);
CREATE INDEX courses_plan ON courses(plan_id) WHERE plan_id IS NOT NULL;

CREATE TRIGGER courses_join_plan AFTER INSERT ON courses
WHEN NEW.plan_id IS NULL
BEGIN
  UPDATE courses SET plan_id = (
    SELECT p.id FROM treatment_plans p
    WHERE p.client_id = NEW.client_id AND p.status IN ('active', 'extended')
      AND (SELECT count(*) FROM courses c WHERE c.plan_id = p.id) < 1 + p.extensions_used
    ORDER BY p.id DESC LIMIT 1)
  WHERE id = NEW.id;
END;

-- The SOAP note of one appointment. A draft changes freely; signing locks it for good.
CREATE TABLE session_notes (
  id                INTEGER PRIMARY KEY,
  appointment_id    INTEGER NOT NULL UNIQUE REFERENCES appointments(id),
  client_id         INTEGER NOT NULL REFERENCES clients(id),
  therapist_id      INTEGER NOT NULL REFERENCES users(id),
  plan_id           INTEGER REFERENCES treatment_plans(id),
  findings_id       INTEGER REFERENCES findings(id),
  status            TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'signed')),
  subjective        TEXT NOT NULL DEFAULT '',
  pain_today        INTEGER CHECK (pain_today IS NULL OR pain_today BETWEEN 0 AND 10),
  change_since_last TEXT NOT NULL DEFAULT ''
                    CHECK (change_since_last IN ('', 'much_better', 'better', 'same', 'worse', 'much_worse')),
  objective         TEXT NOT NULL DEFAULT '',
  response          TEXT NOT NULL DEFAULT '',
  progress          TEXT NOT NULL DEFAULT '',
  next_focus        TEXT NOT NULL DEFAULT '',
  home_care         TEXT NOT NULL DEFAULT '',
  adverse           TEXT NOT NULL DEFAULT ''
                    CHECK (adverse IN ('', 'none', 'soreness', 'bruising', 'headache', 'dizziness', 'nausea', 'fatigue', 'other')),
  adverse_severity  TEXT NOT NULL DEFAULT '' CHECK (adverse_severity IN ('', 'mild', 'moderate', 'severe')),
  adverse_note      TEXT NOT NULL DEFAULT '',
  version           INTEGER NOT NULL DEFAULT 1,
  created_at        INTEGER NOT NULL,
  updated_at        INTEGER NOT NULL,
  signed_at         INTEGER,
  signed_by         INTEGER REFERENCES users(id),
  CHECK ((status = 'signed') = (signed_at IS NOT NULL))
) STRICT;
CREATE INDEX session_notes_client ON session_notes(client_id);
CREATE INDEX session_notes_plan ON session_notes(plan_id) WHERE plan_id IS NOT NULL;

CREATE TRIGGER session_notes_signed_no_update BEFORE UPDATE ON session_notes
WHEN OLD.status = 'signed'
BEGIN
  SELECT RAISE(ABORT, 'a signed note cannot be changed; add an addendum');
END;

CREATE TRIGGER session_notes_signed_no_delete BEFORE DELETE ON session_notes
WHEN OLD.status = 'signed'
BEGIN
  SELECT RAISE(ABORT, 'a signed note cannot be deleted');
END;

-- What was done in a session: one row per technique applied.
CREATE TABLE note_treatments (
  id        INTEGER PRIMARY KEY,
  note_id   INTEGER NOT NULL REFERENCES session_notes(id),
  position  INTEGER NOT NULL,
  technique TEXT NOT NULL,
  region    TEXT NOT NULL DEFAULT '',
  side      TEXT NOT NULL DEFAULT '' CHECK (side IN ('', 'left', 'right', 'bilateral', 'midline')),
  muscle    TEXT NOT NULL DEFAULT '',
  point     TEXT NOT NULL DEFAULT '',
  minutes   INTEGER CHECK (minutes IS NULL OR minutes BETWEEN 0 AND 240),
  pressure  TEXT NOT NULL DEFAULT '' CHECK (pressure IN ('', 'light', 'moderate', 'firm', 'deep')),
  note      TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX note_treatments_note ON note_treatments(note_id);

CREATE TRIGGER note_treatments_signed_no_insert BEFORE INSERT ON note_treatments
WHEN (SELECT status FROM session_notes WHERE id = NEW.note_id) = 'signed'
BEGIN
  SELECT RAISE(ABORT, 'a signed note cannot be changed; add an addendum');
END;

CREATE TRIGGER note_treatments_signed_no_update BEFORE UPDATE ON note_treatments
WHEN (SELECT status FROM session_notes WHERE id = OLD.note_id) = 'signed'
BEGIN
  SELECT RAISE(ABORT, 'a signed note cannot be changed; add an addendum');
END;

CREATE TRIGGER note_treatments_signed_no_delete BEFORE DELETE ON note_treatments
WHEN (SELECT status FROM session_notes WHERE id = OLD.note_id) = 'signed'
BEGIN
  SELECT RAISE(ABORT, 'a signed note cannot be changed; add an addendum');
END;

-- The only way to add to a signed note. Addenda are never changed or removed.
CREATE TABLE note_addenda (
  id         INTEGER PRIMARY KEY,
  note_id    INTEGER NOT NULL REFERENCES session_notes(id),
  text       TEXT NOT NULL CHECK (length(text) > 0),
  author_id  INTEGER NOT NULL REFERENCES users(id),
  created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX note_addenda_note ON note_addenda(note_id, id);

CREATE TRIGGER note_addenda_only_signed BEFORE INSERT ON note_addenda
WHEN (SELECT status FROM session_notes WHERE id = NEW.note_id) IS NOT 'signed'
BEGIN
  SELECT RAISE(ABORT, 'an addendum extends a signed note; edit the draft instead');
END;

CREATE TRIGGER note_addenda_no_update BEFORE UPDATE ON note_addenda
BEGIN
  SELECT RAISE(ABORT, 'addenda are append-only');
END;

CREATE TRIGGER note_addenda_no_delete BEFORE DELETE ON note_addenda
BEGIN
  SELECT RAISE(ABORT, 'addenda are append-only');
END;

CREATE TABLE reassessments (
  id                INTEGER PRIMARY KEY,
  plan_id           INTEGER NOT NULL REFERENCES treatment_plans(id),
  client_id         INTEGER NOT NULL REFERENCES clients(id),
  therapist_id      INTEGER NOT NULL REFERENCES users(id),
  appointment_id    INTEGER REFERENCES appointments(id),
  decision          TEXT NOT NULL
                    CHECK (decision IN ('goal_met', 'maintenance_monthly', 'extend', 'change_approach', 'refer')),
  rationale         TEXT NOT NULL DEFAULT '',
  from_status       TEXT NOT NULL,
  to_status         TEXT NOT NULL,
  maintenance_due   TEXT NOT NULL DEFAULT '',
  next_reassessment TEXT NOT NULL DEFAULT '',
  created_at        INTEGER NOT NULL
) STRICT;
CREATE INDEX reassessments_plan ON reassessments(plan_id, id);

CREATE TRIGGER reassessments_no_update BEFORE UPDATE ON reassessments
BEGIN
  SELECT RAISE(ABORT, 'reassessments are append-only');
END;

CREATE TABLE reassessment_goals (
  reassessment_id INTEGER NOT NULL REFERENCES reassessments(id),
  goal_id         INTEGER NOT NULL REFERENCES plan_goals(id),
  baseline        REAL NOT NULL,
  current         REAL NOT NULL CHECK (current BETWEEN 0 AND 10),
  gain            REAL NOT NULL,
  verdict         TEXT NOT NULL CHECK (verdict IN ('improved', 'no_meaningful_change', 'worse')),
  target_met      INTEGER NOT NULL CHECK (target_met IN (0, 1)),
  PRIMARY KEY (reassessment_id, goal_id)
) STRICT, WITHOUT ROWID;

-- A goal's score at a session (from the note) or at a reassessment. A note's readings lock with it.
CREATE TABLE outcome_readings (
  id              INTEGER PRIMARY KEY,
  client_id       INTEGER NOT NULL REFERENCES clients(id),
  plan_id         INTEGER NOT NULL REFERENCES treatment_plans(id),
  goal_id         INTEGER NOT NULL REFERENCES plan_goals(id),
  note_id         INTEGER REFERENCES session_notes(id),
  reassessment_id INTEGER REFERENCES reassessments(id),
  value           REAL NOT NULL CHECK (value BETWEEN 0 AND 10),
  taken_at        INTEGER NOT NULL,
  recorded_by     INTEGER REFERENCES users(id),
  CHECK ((note_id IS NULL) <> (reassessment_id IS NULL))
) STRICT;
CREATE INDEX outcome_readings_goal ON outcome_readings(goal_id, taken_at);
CREATE INDEX outcome_readings_note ON outcome_readings(note_id) WHERE note_id IS NOT NULL;

CREATE TRIGGER outcome_readings_signed_no_insert BEFORE INSERT ON outcome_readings
WHEN NEW.note_id IS NOT NULL AND (SELECT status FROM session_notes WHERE id = NEW.note_id) = 'signed'
BEGIN
  SELECT RAISE(ABORT, 'a signed note cannot be changed; add an addendum');
END;

CREATE TRIGGER outcome_readings_signed_no_update BEFORE UPDATE ON outcome_readings
WHEN OLD.reassessment_id IS NOT NULL OR (SELECT status FROM session_notes WHERE id = OLD.note_id) = 'signed'
BEGIN
  SELECT RAISE(ABORT, 'a recorded reading cannot be changed');
END;

CREATE TRIGGER outcome_readings_signed_no_delete BEFORE DELETE ON outcome_readings
WHEN OLD.reassessment_id IS NOT NULL OR (SELECT status FROM session_notes WHERE id = OLD.note_id) = 'signed'
BEGIN
  SELECT RAISE(ABORT, 'a recorded reading cannot be changed');
END;

CREATE TABLE referrals (
  id              INTEGER PRIMARY KEY,
  client_id       INTEGER NOT NULL REFERENCES clients(id),
  plan_id         INTEGER REFERENCES treatment_plans(id),
  reassessment_id INTEGER REFERENCES reassessments(id),
  author_id       INTEGER NOT NULL REFERENCES users(id),
  target          TEXT NOT NULL,
  reason          TEXT NOT NULL,
  urgency         TEXT NOT NULL CHECK (urgency IN ('emergency', 'same_day', 'soon_2_weeks', 'routine')),
  letter          TEXT NOT NULL DEFAULT '',
  status          TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'sent', 'cancelled')),
  created_at      INTEGER NOT NULL,
  sent_at         INTEGER
) STRICT;
CREATE INDEX referrals_client ON referrals(client_id, id);

-- A therapist's record that a safety flag raised by the self-assessment has been dealt with
-- (a doctor's clearance, a conversation), so a plan may start.
CREATE TABLE flag_clearances (
  id            INTEGER PRIMARY KEY,
  client_id     INTEGER NOT NULL REFERENCES clients(id),
  assessment_id INTEGER NOT NULL REFERENCES assessments(id),
  code          TEXT NOT NULL,
  note          TEXT NOT NULL CHECK (length(trim(note)) > 0),
  cleared_by    INTEGER NOT NULL REFERENCES users(id),
  cleared_at    INTEGER NOT NULL,
  UNIQUE (assessment_id, code)
) STRICT;

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

-- 0006: finding staff among a hundred thousand client accounts. The therapist list, the owner
-- check behind every sign-in page and /healthz, and the desk read users by role; without an
-- index each of them scanned every account.

CREATE INDEX users_role ON users(role, name);

-- 0007: merging two records of one person. Clinical records stay append-only in everything they
-- say; only the client they are filed under may change, which is what a merge does (and audits).
-- The triggers now guard every column but client_id.

DROP TRIGGER findings_no_update;
CREATE TRIGGER findings_no_update
BEFORE UPDATE OF id, therapist_id, appointment_id, kind, complaint, aggravating, easing, impression,
  confirmed_class, chart_regions, channels, created_at ON findings
BEGIN
  SELECT RAISE(ABORT, 'findings are append-only');
END;

DROP TRIGGER session_notes_signed_no_update;
CREATE TRIGGER session_notes_signed_no_update
BEFORE UPDATE OF id, appointment_id, therapist_id, plan_id, findings_id, status, subjective, pain_today,
  change_since_last, objective, response, progress, next_focus, home_care, adverse, adverse_severity,
  adverse_note, version, created_at, updated_at, signed_at, signed_by ON session_notes
WHEN OLD.status = 'signed'
BEGIN
  SELECT RAISE(ABORT, 'a signed note cannot be changed; add an addendum');
END;

DROP TRIGGER reassessments_no_update;
CREATE TRIGGER reassessments_no_update
BEFORE UPDATE OF id, plan_id, therapist_id, appointment_id, decision, rationale, from_status, to_status,
  maintenance_due, next_reassessment, created_at ON reassessments
BEGIN
  SELECT RAISE(ABORT, 'reassessments are append-only');
END;

DROP TRIGGER outcome_readings_signed_no_update;
CREATE TRIGGER outcome_readings_signed_no_update
BEFORE UPDATE OF id, plan_id, goal_id, note_id, reassessment_id, value, taken_at, recorded_by ON outcome_readings
WHEN OLD.reassessment_id IS NOT NULL OR (SELECT status FROM session_notes WHERE id = OLD.note_id) = 'signed'
BEGIN
  SELECT RAISE(ABORT, 'a recorded reading cannot be changed');
END;

-- 0008: a waitlist offer remembers the time it offered, so when someone books that time the
-- others offered it are told it has gone.

ALTER TABLE waitlist ADD COLUMN offered_start INTEGER;
ALTER TABLE waitlist ADD COLUMN offered_therapist INTEGER;

-- 0009: the free-time search and the overlap triggers need only a booking's therapist or room,
-- start, busy_until and status. With the last two in the index they are answered from the
-- index alone, without a lookup of the table row for every booking in the window.

DROP INDEX appointments_therapist;
CREATE INDEX appointments_therapist ON appointments(therapist_id, starts_at, busy_until, status);
DROP INDEX appointments_room;
CREATE INDEX appointments_room ON appointments(room_id, starts_at, busy_until, status) WHERE room_id IS NOT NULL;

-- Every booking page lists the services with the therapists who offer each; without an index
-- on the service, that read every therapist's every service once per service.
CREATE INDEX therapist_services_service ON therapist_services(service_id, therapist_id);

-- 0010: the client index carries the columns of a client's session list (the chart's timeline,
-- the courses a plan may link), so the list is read from the index alone instead of fetching
-- each appointment's row, scattered over years of bookings. Same leading columns, so every
-- query that used the index still does.

DROP INDEX appointments_client;
CREATE INDEX appointments_client ON appointments(client_id, starts_at, status, course_id, course_index, therapist_id, service_id);

-- 0011: each therapist's and each room's bookings of a day, kept by the schema as two JSON
-- arrays (the starts and, in the same order, the busy_until of the bookings not cancelled that
-- start that day). The free-time search reads a therapist's 60 days as 60 short rows here
-- instead of stepping through every booking in the index; on the large demo clinic a cold
-- 60-day search read about 5,300 bookings of the therapist and the eight rooms
-- (docs/performance.md, "Booking"). The appointments table stays the truth: bookings are
-- checked against its rows, and these rows are rewritten from them by the triggers below,
-- in the same transaction as every change, whoever makes it.
--
-- room: 0 for a therapist's day, 1 for a room's. day: Unix days (UTC), starts_at / 86400,
-- the days the search's cache keeps. A day with no bookings left holds two empty arrays.
CREATE TABLE busy_days (
  room     INTEGER NOT NULL,
  owner_id INTEGER NOT NULL,
  day      INTEGER NOT NULL,
  starts   TEXT NOT NULL,
  ends     TEXT NOT NULL,
  PRIMARY KEY (room, owner_id, day)
) WITHOUT ROWID;

INSERT INTO busy_days (room, owner_id, day, starts, ends)
SELECT 0, therapist_id, starts_at / 86400, json_group_array(starts_at), json_group_array(busy_until)
FROM appointments WHERE status <> 'cancelled' GROUP BY therapist_id, starts_at / 86400;

INSERT INTO busy_days (room, owner_id, day, starts, ends)
SELECT 1, room_id, starts_at / 86400, json_group_array(starts_at), json_group_array(busy_until)
FROM appointments WHERE status <> 'cancelled' AND room_id IS NOT NULL GROUP BY room_id, starts_at / 86400;

-- Each trigger rewrites the days a change touches from the index, one bounded range per day.
-- An update rewrites the old day only when the booking left it (another therapist, room or day).
-- SQLite triggers cannot share a procedure, so the one rewrite is spelled out for each side.
CREATE TRIGGER busy_days_insert AFTER INSERT ON appointments
BEGIN
  INSERT OR REPLACE INTO busy_days (room, owner_id, day, starts, ends)
  SELECT 0, NEW.therapist_id, NEW.starts_at / 86400, json_group_array(a.starts_at), json_group_array(a.busy_until)
  FROM appointments a WHERE a.therapist_id = NEW.therapist_id AND a.status <> 'cancelled'
    AND a.starts_at >= NEW.starts_at / 86400 * 86400 AND a.starts_at < NEW.starts_at / 86400 * 86400 + 86400;
  INSERT OR REPLACE INTO busy_days (room, owner_id, day, starts, ends)
  SELECT 1, NEW.room_id, NEW.starts_at / 86400, json_group_array(a.starts_at), json_group_array(a.busy_until)
  FROM appointments a WHERE a.room_id = NEW.room_id AND a.status <> 'cancelled'
    AND a.starts_at >= NEW.starts_at / 86400 * 86400 AND a.starts_at < NEW.starts_at / 86400 * 86400 + 86400
  HAVING NEW.room_id IS NOT NULL;
END;

CREATE TRIGGER busy_days_delete AFTER DELETE ON appointments
BEGIN
  INSERT OR REPLACE INTO busy_days (room, owner_id, day, starts, ends)
  SELECT 0, OLD.therapist_id, OLD.starts_at / 86400, json_group_array(a.starts_at), json_group_array(a.busy_until)
  FROM appointments a WHERE a.therapist_id = OLD.therapist_id AND a.status <> 'cancelled'
    AND a.starts_at >= OLD.starts_at / 86400 * 86400 AND a.starts_at < OLD.starts_at / 86400 * 86400 + 86400;
  INSERT OR REPLACE INTO busy_days (room, owner_id, day, starts, ends)
  SELECT 1, OLD.room_id, OLD.starts_at / 86400, json_group_array(a.starts_at), json_group_array(a.busy_until)
  FROM appointments a WHERE a.room_id = OLD.room_id AND a.status <> 'cancelled'
    AND a.starts_at >= OLD.starts_at / 86400 * 86400 AND a.starts_at < OLD.starts_at / 86400 * 86400 + 86400
  HAVING OLD.room_id IS NOT NULL;
END;

CREATE TRIGGER busy_days_update
AFTER UPDATE OF therapist_id, room_id, starts_at, busy_until, status ON appointments
BEGIN
  INSERT OR REPLACE INTO busy_days (room, owner_id, day, starts, ends)
  SELECT 0, OLD.therapist_id, OLD.starts_at / 86400, json_group_array(a.starts_at), json_group_array(a.busy_until)
  FROM appointments a WHERE a.therapist_id = OLD.therapist_id AND a.status <> 'cancelled'
    AND a.starts_at >= OLD.starts_at / 86400 * 86400 AND a.starts_at < OLD.starts_at / 86400 * 86400 + 86400
  HAVING OLD.therapist_id <> NEW.therapist_id OR OLD.starts_at / 86400 <> NEW.starts_at / 86400;
  INSERT OR REPLACE INTO busy_days (room, owner_id, day, starts, ends)
  SELECT 1, OLD.room_id, OLD.starts_at / 86400, json_group_array(a.starts_at), json_group_array(a.busy_until)
  FROM appointments a WHERE a.room_id = OLD.room_id AND a.status <> 'cancelled'
    AND a.starts_at >= OLD.starts_at / 86400 * 86400 AND a.starts_at < OLD.starts_at / 86400 * 86400 + 86400
  HAVING OLD.room_id IS NOT NULL
    AND (NEW.room_id IS NULL OR OLD.room_id <> NEW.room_id OR OLD.starts_at / 86400 <> NEW.starts_at / 86400);
  INSERT OR REPLACE INTO busy_days (room, owner_id, day, starts, ends)
  SELECT 0, NEW.therapist_id, NEW.starts_at / 86400, json_group_array(a.starts_at), json_group_array(a.busy_until)
  FROM appointments a WHERE a.therapist_id = NEW.therapist_id AND a.status <> 'cancelled'
    AND a.starts_at >= NEW.starts_at / 86400 * 86400 AND a.starts_at < NEW.starts_at / 86400 * 86400 + 86400;
  INSERT OR REPLACE INTO busy_days (room, owner_id, day, starts, ends)
  SELECT 1, NEW.room_id, NEW.starts_at / 86400, json_group_array(a.starts_at), json_group_array(a.busy_until)
  FROM appointments a WHERE a.room_id = NEW.room_id AND a.status <> 'cancelled'
    AND a.starts_at >= NEW.starts_at / 86400 * 86400 AND a.starts_at < NEW.starts_at / 86400 * 86400 + 86400
  HAVING NEW.room_id IS NOT NULL;
END;

-- 0012: an outbox row keeps the id of the request that queued it, so the worker's lines about
-- sending it (a failure, a retry) can be matched to that request's lines. Empty for mail the
-- server queues on its own (nudges, day lists).

ALTER TABLE outbox ADD COLUMN request_id TEXT NOT NULL DEFAULT '';

-- 0013: keeping records as long as the law asks and no longer. The retention job lists clients
-- whose records are past the clinic's retention period; the owner approves each; approval
-- de-identifies the client in one transaction: name, contact details and free text are removed,
-- while every row stays, so counts and reports are unchanged. Clinical records stay append-only
-- for everyone else: the triggers let a change through only once the client is de-identified.

ALTER TABLE clients ADD COLUMN deidentified_at INTEGER;

CREATE TABLE retention_reviews (
  client_id   INTEGER PRIMARY KEY REFERENCES clients(id),
  kept_until  TEXT NOT NULL,
  listed_at   INTEGER NOT NULL,
  approved_by INTEGER REFERENCES users(id),
  approved_at INTEGER
) STRICT;

DROP TRIGGER IF EXISTS findings_no_update;
CREATE TRIGGER findings_no_update
BEFORE UPDATE OF id, therapist_id, appointment_id, kind, complaint, aggravating, easing, impression,
  confirmed_class, chart_regions, channels, created_at ON findings
WHEN (SELECT deidentified_at FROM clients WHERE id = OLD.client_id) IS NULL
BEGIN
  SELECT RAISE(ABORT, 'findings are append-only');
END;

DROP TRIGGER IF EXISTS session_notes_signed_no_update;
CREATE TRIGGER session_notes_signed_no_update
BEFORE UPDATE OF id, appointment_id, therapist_id, plan_id, findings_id, status, subjective, pain_today,
  change_since_last, objective, response, progress, next_focus, home_care, adverse, adverse_severity,
  adverse_note, version, created_at, updated_at, signed_at, signed_by ON session_notes
WHEN OLD.status = 'signed' AND (SELECT deidentified_at FROM clients WHERE id = OLD.client_id) IS NULL
BEGIN
  SELECT RAISE(ABORT, 'a signed note cannot be changed; add an addendum');
END;

DROP TRIGGER IF EXISTS note_treatments_signed_no_update;
CREATE TRIGGER note_treatments_signed_no_update BEFORE UPDATE ON note_treatments
WHEN (SELECT n.status = 'signed' AND c.deidentified_at IS NULL FROM session_notes n
  JOIN clients c ON c.id = n.client_id WHERE n.id = OLD.note_id)
BEGIN
  SELECT RAISE(ABORT, 'a signed note cannot be changed; add an addendum');
END;

DROP TRIGGER IF EXISTS note_addenda_no_update;
CREATE TRIGGER note_addenda_no_update BEFORE UPDATE ON note_addenda
WHEN (SELECT c.deidentified_at FROM session_notes n JOIN clients c ON c.id = n.client_id
  WHERE n.id = OLD.note_id) IS NULL
BEGIN
  SELECT RAISE(ABORT, 'addenda are append-only');
END;

DROP TRIGGER IF EXISTS reassessments_no_update;
CREATE TRIGGER reassessments_no_update
BEFORE UPDATE OF id, plan_id, therapist_id, appointment_id, decision, rationale, from_status, to_status,
  maintenance_due, next_reassessment, created_at ON reassessments
WHEN (SELECT deidentified_at FROM clients WHERE id = OLD.client_id) IS NULL
BEGIN
  SELECT RAISE(ABORT, 'reassessments are append-only');
END;

-- 0014: what a clinic sets up for itself. A service's kind (a first visit with assessment, a
-- follow-up, a course session, maintenance) and, for course kinds, the spacing a course starts
-- with; therapists' public profiles and health-fund provider numbers; dates the whole clinic is
-- closed; and one-off hours of a therapist for a date, which replace the weekly hours that day.

ALTER TABLE services ADD COLUMN kind TEXT NOT NULL DEFAULT 'follow_up'
  CHECK (kind IN ('first_visit', 'follow_up', 'course', 'maintenance'));
ALTER TABLE services ADD COLUMN course_spacing_days INTEGER NOT NULL DEFAULT 7
  CHECK (course_spacing_days BETWEEN 1 AND 28);

CREATE TABLE therapist_profiles (
  therapist_id     INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
  display_name     TEXT NOT NULL DEFAULT '',
  bio              TEXT NOT NULL DEFAULT '',
  provider_numbers TEXT NOT NULL DEFAULT '' -- one "fund: number" a line, for receipts
) STRICT;

-- Civil dates (YYYY-MM-DD) in the clinic's zone: the whole day, whatever its length.
CREATE TABLE closures (
  date   TEXT PRIMARY KEY,
  reason TEXT NOT NULL DEFAULT ''
) STRICT, WITHOUT ROWID;

-- shifts: space-separated "HH:MM-HH:MM" in local time; empty means away all that day.
CREATE TABLE date_hours (
  therapist_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  date         TEXT NOT NULL,
  shifts       TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (therapist_id, date)
) STRICT, WITHOUT ROWID;

-- Services already booked as courses are course sessions.
UPDATE services SET kind = 'course' WHERE course_sessions > 1;

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

-- 0016: what the clients report would otherwise work out from every booking each time it is
-- asked, kept by the schema as busy_days is. On the large demo clinic a year's report looked up
-- the first session of each of 37,000 clients seen and regrouped the sessions of 9,000 courses:
-- 300 ms a year against a budget of 100 (docs/performance.md, "Reports"). The appointments table
-- stays the truth; these rows are rewritten from it by the triggers below, in the same
-- transaction as every change, whoever makes it.
--
-- client_first_visit: the start of each client's first session not cancelled or missed (a
-- booked future one counts: it is the first visit once it is held). A client with none has no row.
CREATE TABLE client_first_visit (
  client_id INTEGER PRIMARY KEY REFERENCES clients(id),
  first_at  INTEGER NOT NULL
) STRICT;
CREATE INDEX client_first_visit_at ON client_first_visit(first_at);

-- course_ends: each course's last session not cancelled (its start) and how many of its
-- sessions the client came to (checked in or completed). A course whose sessions are all
-- cancelled has no row.
CREATE TABLE course_ends (
  course_id INTEGER PRIMARY KEY REFERENCES courses(id),
  last_at   INTEGER NOT NULL,
  attended  INTEGER NOT NULL
) STRICT;
CREATE INDEX course_ends_last ON course_ends(last_at);

INSERT INTO client_first_visit (client_id, first_at)
SELECT client_id, min(starts_at) FROM appointments
WHERE status NOT IN ('cancelled', 'no_show') GROUP BY client_id;

INSERT INTO course_ends (course_id, last_at, attended)
SELECT course_id, max(starts_at), sum(status IN ('checked_in', 'completed')) FROM appointments
WHERE course_id IS NOT NULL AND status <> 'cancelled' GROUP BY course_id;

-- A new booking can only move a first visit earlier or a course's end later, so an insert
-- folds itself in (a bulk load of a million bookings pays one upsert each). A delete or a
-- change rewrites the row of each client and course it touched from the bookings: a client's
-- first session is the head of the client index; a course has at most a few sessions.
CREATE TRIGGER report_summaries_insert AFTER INSERT ON appointments
BEGIN
  INSERT INTO client_first_visit (client_id, first_at)
  SELECT NEW.client_id, NEW.starts_at WHERE NEW.status NOT IN ('cancelled', 'no_show')
  ON CONFLICT (client_id) DO UPDATE SET first_at = min(first_at, excluded.first_at);
  INSERT INTO course_ends (course_id, last_at, attended)
  SELECT NEW.course_id, NEW.starts_at, NEW.status IN ('checked_in', 'completed')
  WHERE NEW.course_id IS NOT NULL AND NEW.status <> 'cancelled'
  ON CONFLICT (course_id) DO UPDATE SET last_at = max(last_at, excluded.last_at), attended = attended + excluded.attended;
END;

CREATE TRIGGER report_summaries_delete AFTER DELETE ON appointments
BEGIN
  DELETE FROM client_first_visit WHERE client_id = OLD.client_id;
  INSERT INTO client_first_visit (client_id, first_at)
  SELECT client_id, starts_at FROM appointments
  WHERE client_id = OLD.client_id AND status NOT IN ('cancelled', 'no_show') ORDER BY starts_at LIMIT 1;
  DELETE FROM course_ends WHERE course_id = OLD.course_id;
  INSERT INTO course_ends (course_id, last_at, attended)
  SELECT course_id, max(starts_at), sum(status IN ('checked_in', 'completed')) FROM appointments
  WHERE course_id = OLD.course_id AND status <> 'cancelled' GROUP BY course_id;
END;

-- A check-in or completion changes no first visit; only a move, a change of client, or a
-- session cancelled, missed or restored does.
CREATE TRIGGER report_summaries_update_client AFTER UPDATE OF client_id, starts_at, status ON appointments
WHEN OLD.client_id <> NEW.client_id OR OLD.starts_at <> NEW.starts_at
  OR (OLD.status IN ('cancelled', 'no_show')) <> (NEW.status IN ('cancelled', 'no_show'))
BEGIN
  DELETE FROM client_first_visit WHERE client_id IN (OLD.client_id, NEW.client_id);
  INSERT INTO client_first_visit (client_id, first_at)
  SELECT client_id, starts_at FROM appointments
  WHERE client_id = OLD.client_id AND status NOT IN ('cancelled', 'no_show') ORDER BY starts_at LIMIT 1;
  INSERT INTO client_first_visit (client_id, first_at)
  SELECT client_id, starts_at FROM appointments
  WHERE client_id = NEW.client_id AND NEW.client_id <> OLD.client_id AND status NOT IN ('cancelled', 'no_show')
  ORDER BY starts_at LIMIT 1;
END;

CREATE TRIGGER report_summaries_update_course AFTER UPDATE OF course_id, starts_at, status ON appointments
WHEN OLD.course_id IS NOT NULL OR NEW.course_id IS NOT NULL
BEGIN
  DELETE FROM course_ends WHERE course_id IN (OLD.course_id, NEW.course_id);
  INSERT INTO course_ends (course_id, last_at, attended)
  SELECT course_id, max(starts_at), sum(status IN ('checked_in', 'completed')) FROM appointments
  WHERE course_id = OLD.course_id AND status <> 'cancelled' GROUP BY course_id;
  INSERT INTO course_ends (course_id, last_at, attended)
  SELECT course_id, max(starts_at), sum(status IN ('checked_in', 'completed')) FROM appointments
  WHERE course_id = NEW.course_id AND NEW.course_id IS NOT OLD.course_id AND status <> 'cancelled' GROUP BY course_id;
END;

-- The outcome report reads the period's reassessments and the clients report the period's
-- submitted assessments; with tens of thousands of each, a scan of the table costs more than
-- the month's budget.
CREATE INDEX reassessments_created ON reassessments(created_at);
CREATE INDEX assessments_submitted ON assessments(updated_at) WHERE status = 'submitted';

-- 0017: money. Every amount is INTEGER cents in the clinic's one currency (setting 'currency').
-- An appointment carries its own price, copied from the service when booked; reception may
-- change it (audited) until it is invoiced.
ALTER TABLE appointments ADD COLUMN price_cents INTEGER NOT NULL DEFAULT 0 CHECK (price_cents >= 0);
-- A client may ask not to be emailed receipts; they stay downloadable.
ALTER TABLE clients ADD COLUMN receipts_opt_out INTEGER NOT NULL DEFAULT 0 CHECK (receipts_opt_out IN (0, 1));

-- Invoices and credit notes: one numbered sequence for both, no gaps, no repeats (the number
-- is taken as max + 1 in the write transaction that issues the document, and UNIQUE makes a
-- repeat impossible even for a bug). A document copies everything it prints when issued, so
-- later changes to names, settings or prices never change an issued one, and the triggers
-- below refuse any change or deletion: a mistake is corrected by a credit note.
CREATE TABLE invoices (
  id              INTEGER PRIMARY KEY,
  number          INTEGER NOT NULL UNIQUE CHECK (number > 0),
  kind            TEXT NOT NULL CHECK (kind IN ('invoice', 'credit_note')),
  credits_id      INTEGER REFERENCES invoices(id),
  appointment_id  INTEGER REFERENCES appointments(id),
  client_id       INTEGER NOT NULL REFERENCES clients(id),
  therapist_id    INTEGER REFERENCES users(id),
  client_name     TEXT NOT NULL,
  therapist_name  TEXT NOT NULL DEFAULT '',
  provider_number TEXT NOT NULL DEFAULT '', -- the therapist's health-fund provider numbers, "; " between
  clinic_name     TEXT NOT NULL,
  clinic_address  TEXT NOT NULL DEFAULT '',
  clinic_phone    TEXT NOT NULL DEFAULT '',
  business_number TEXT NOT NULL DEFAULT '',
  gst_registered  INTEGER NOT NULL CHECK (gst_registered IN (0, 1)),
  currency        TEXT NOT NULL,
  item            TEXT NOT NULL,
  duration_min    INTEGER NOT NULL DEFAULT 0,
  service_id      INTEGER REFERENCES services(id),
  served_at       INTEGER NOT NULL,
  served_month    INTEGER NOT NULL CHECK (served_month BETWEEN 190001 AND 999912), -- yyyymm in the clinic's zone
  amount_cents    INTEGER NOT NULL CHECK (amount_cents > 0),
  gst_cents       INTEGER NOT NULL DEFAULT 0 CHECK (gst_cents >= 0),
  reason          TEXT NOT NULL DEFAULT '',
  issued_by       INTEGER,
  issued_at       INTEGER NOT NULL,
  CHECK ((kind = 'invoice') = (credits_id IS NULL))
) STRICT;
CREATE UNIQUE INDEX invoices_appointment ON invoices(appointment_id) WHERE kind = 'invoice';
CREATE INDEX invoices_client ON invoices(client_id);
CREATE INDEX invoices_credits ON invoices(credits_id) WHERE credits_id IS NOT NULL;


-- Every column but client_id and client_name: merging two records of one person re-files the
-- documents under the record kept (the name printed on them stays as issued), and the
-- retention policy, years after the tax office's five, replaces the name with the
-- de-identified record's (the next trigger allows no other name).
CREATE TRIGGER invoices_no_update
BEFORE UPDATE OF id, number, kind, credits_id, appointment_id, therapist_id, therapist_name,
  provider_number, clinic_name, clinic_address, clinic_phone, business_number, gst_registered, currency, item,
  duration_min, service_id, served_at, served_month, amount_cents, gst_cents, reason, issued_by, issued_at ON invoices
BEGIN
  SELECT RAISE(ABORT, 'an issued invoice cannot be changed; issue a credit note');
END;

CREATE TRIGGER invoices_name_deidentified_only BEFORE UPDATE OF client_name ON invoices
WHEN NEW.client_name <> 'Former client ' || NEW.client_id
BEGIN
  SELECT RAISE(ABORT, 'an issued invoice cannot be changed; issue a credit note');
END;

CREATE TRIGGER invoices_no_delete BEFORE DELETE ON invoices
BEGIN
  SELECT RAISE(ABORT, 'an issued invoice cannot be deleted; issue a credit note');
END;

-- Payments: money received (positive) or paid back (negative, a refund naming the payment it
-- returns). Like invoices they are never changed; a wrong one is refunded. idem_key is the
-- one-time key of the form that recorded it, so a double submit records one payment.
-- reference is the card terminal's or a future gateway's reference for the payment.
CREATE TABLE payments (
  id             INTEGER PRIMARY KEY,
  client_id      INTEGER NOT NULL REFERENCES clients(id),
  appointment_id INTEGER REFERENCES appointments(id),
  therapist_id   INTEGER REFERENCES users(id),
  method         TEXT NOT NULL CHECK (method IN ('cash', 'card', 'transfer', 'course_credit')),
  amount_cents   INTEGER NOT NULL CHECK (amount_cents <> 0),
  refund_of      INTEGER REFERENCES payments(id),
  reference      TEXT NOT NULL DEFAULT '',
  note           TEXT NOT NULL DEFAULT '',
  idem_key       TEXT NOT NULL UNIQUE,
  taken_by       INTEGER,
  taken_at       INTEGER NOT NULL,
  CHECK ((amount_cents < 0) = (refund_of IS NOT NULL))
) STRICT;
CREATE INDEX payments_taken ON payments(taken_at, method, therapist_id, amount_cents);
CREATE INDEX payments_client ON payments(client_id);
CREATE INDEX payments_appointment ON payments(appointment_id) WHERE appointment_id IS NOT NULL;
CREATE INDEX payments_refund ON payments(refund_of) WHERE refund_of IS NOT NULL;

CREATE TRIGGER payments_no_update
BEFORE UPDATE OF id, appointment_id, therapist_id, method, amount_cents, refund_of, reference, note, idem_key,
  taken_by, taken_at ON payments
BEGIN
  SELECT RAISE(ABORT, 'a payment cannot be changed; refund it');
END;

CREATE TRIGGER payments_no_delete BEFORE DELETE ON payments
BEGIN
  SELECT RAISE(ABORT, 'a payment cannot be deleted; refund it');
END;

-- What each client owes (positive) or holds in credit (negative): invoices less credit notes
-- less payments, kept by the triggers below in the transaction of every document and payment,
-- so the owed list and a balance read one row instead of summing a client's whole history
-- (or, for the list, everyone's). The documents and payments stay the truth; a test compares.
CREATE TABLE client_balances (
  client_id  INTEGER PRIMARY KEY REFERENCES clients(id),
  owed_cents INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX client_balances_owing ON client_balances(owed_cents) WHERE owed_cents > 0;

CREATE TRIGGER invoices_balance AFTER INSERT ON invoices
BEGIN
  INSERT INTO client_balances (client_id, owed_cents)
  VALUES (NEW.client_id, CASE NEW.kind WHEN 'invoice' THEN NEW.amount_cents ELSE -NEW.amount_cents END)
  ON CONFLICT (client_id) DO UPDATE SET owed_cents = owed_cents + excluded.owed_cents;
END;

CREATE TRIGGER payments_balance AFTER INSERT ON payments
BEGIN
  INSERT INTO client_balances (client_id, owed_cents) VALUES (NEW.client_id, -NEW.amount_cents)
  ON CONFLICT (client_id) DO UPDATE SET owed_cents = owed_cents + excluded.owed_cents;
END;

-- A merge re-files documents and payments: the amounts move with them.
CREATE TRIGGER invoices_balance_refile AFTER UPDATE OF client_id ON invoices
WHEN OLD.client_id <> NEW.client_id
BEGIN
  UPDATE client_balances SET owed_cents = owed_cents
    - CASE OLD.kind WHEN 'invoice' THEN OLD.amount_cents ELSE -OLD.amount_cents END WHERE client_id = OLD.client_id;
  INSERT INTO client_balances (client_id, owed_cents)
  VALUES (NEW.client_id, CASE NEW.kind WHEN 'invoice' THEN NEW.amount_cents ELSE -NEW.amount_cents END)
  ON CONFLICT (client_id) DO UPDATE SET owed_cents = owed_cents + excluded.owed_cents;
END;

CREATE TRIGGER payments_balance_refile AFTER UPDATE OF client_id ON payments
WHEN OLD.client_id <> NEW.client_id
BEGIN
  UPDATE client_balances SET owed_cents = owed_cents + OLD.amount_cents WHERE client_id = OLD.client_id;
  INSERT INTO client_balances (client_id, owed_cents) VALUES (NEW.client_id, -NEW.amount_cents)
  ON CONFLICT (client_id) DO UPDATE SET owed_cents = owed_cents + excluded.owed_cents;
END;

-- Revenue by month of service, therapist and service: invoices less credit notes, kept by the
-- trigger below in the transaction of every document. The owner's month and year read a few
-- hundred rows instead of every invoice of the period (100,000 a year on the large demo).
-- Fees are invoices with no duration: they add to revenue but are not sessions.
CREATE TABLE revenue_months (
  month        INTEGER NOT NULL,
  therapist_id INTEGER NOT NULL,
  service_id   INTEGER NOT NULL,
  sessions     INTEGER NOT NULL DEFAULT 0,
  amount_cents INTEGER NOT NULL DEFAULT 0,
  gst_cents    INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (month, therapist_id, service_id)
) STRICT, WITHOUT ROWID;

CREATE TRIGGER invoices_revenue AFTER INSERT ON invoices
BEGIN
  INSERT INTO revenue_months (month, therapist_id, service_id, sessions, amount_cents, gst_cents)
  VALUES (NEW.served_month, coalesce(NEW.therapist_id, 0), coalesce(NEW.service_id, 0),
    NEW.kind = 'invoice' AND NEW.duration_min > 0,
    CASE NEW.kind WHEN 'invoice' THEN NEW.amount_cents ELSE -NEW.amount_cents END,
    CASE NEW.kind WHEN 'invoice' THEN NEW.gst_cents ELSE -NEW.gst_cents END)
  ON CONFLICT (month, therapist_id, service_id) DO UPDATE SET sessions = sessions + excluded.sessions,
    amount_cents = amount_cents + excluded.amount_cents, gst_cents = gst_cents + excluded.gst_cents;
END;

-- 0018: the clinical timeline: the desk's same-day undo, a held course's first visit, the recall
-- list's marks and its indexes, corrections of findings.

-- When an appointment's status was last recorded at the desk (check-in, completed, no-show, or
-- an undo of one). The desk may take its record back on that day only; NULL for a
-- status nobody recorded since booking.

ALTER TABLE appointments ADD COLUMN status_at INTEGER;

-- A visitor's held course keeps its first visit's service when that differs from the course's
-- (the longer visit with assessment), so the booking made when they prove their email is the
-- one they chose. NULL: every session is service_id.
ALTER TABLE booking_holds ADD COLUMN first_service_id INTEGER REFERENCES services(id);

-- What reception did about an entry of the recall list, so the list remembers: contacted (it
-- stays, marked), snoozed until a day, or dismissed. One row per entry: the reason and the
-- course or plan it is about.
CREATE TABLE recall_marks (
  reason        TEXT NOT NULL CHECK (reason IN ('reassess_due', 'stalled', 'maintenance_due', 'lapsed')),
  ref_id        INTEGER NOT NULL,
  client_id     INTEGER NOT NULL REFERENCES clients(id),
  mark          TEXT NOT NULL CHECK (mark IN ('contacted', 'snoozed', 'dismissed')),
  snoozed_until TEXT NOT NULL DEFAULT '',
  marked_by     INTEGER REFERENCES users(id),
  marked_at     INTEGER NOT NULL,
  PRIMARY KEY (reason, ref_id)
) STRICT;

-- A findings record is corrected by a new one that supersedes it; the old one stays, shown
-- struck through with who corrected it and when. A record is corrected at most once: a later
-- correction corrects the correction.
ALTER TABLE findings ADD COLUMN supersedes_id INTEGER REFERENCES findings(id);
CREATE UNIQUE INDEX findings_supersedes ON findings(supersedes_id) WHERE supersedes_id IS NOT NULL;

-- The recall list's stalled courses: the courses with a session in the last months, read from
-- an index of course sessions by start alone, then each course's sessions from an index that
-- covers what the list counts. On the large demo the list went from 31 ms to 13 ms.
CREATE INDEX appointments_course_start ON appointments(starts_at, course_id) WHERE course_id IS NOT NULL;
DROP INDEX appointments_course;
CREATE INDEX appointments_course ON appointments(course_id, starts_at, status) WHERE course_id IS NOT NULL;

-- The recall list's plans: those that ended or came due in the last months, by status.
CREATE INDEX treatment_plans_recall ON treatment_plans(status, updated_at);

-- 0019: prepaid courses. A booked course can be sold as a package: one invoice for its sessions
-- not yet given, less the owner's discount for the course's service. Each session completed
-- afterwards draws one down instead of being invoiced; cancelling the rest credits the value
-- not drawn and either keeps it as the client's credit or refunds it.

-- The owner's discount for a course of this service sold as a package, in whole percent.
ALTER TABLE services ADD COLUMN package_discount_percent INTEGER NOT NULL DEFAULT 0
  CHECK (package_discount_percent BETWEEN 0 AND 50);

-- A package's invoice and the credit note that ends it name the course; so do its payments and
-- their refunds. An invoice of one session names none.
ALTER TABLE invoices ADD COLUMN course_id INTEGER REFERENCES courses(id);
ALTER TABLE payments ADD COLUMN course_id INTEGER REFERENCES courses(id);
CREATE INDEX invoices_course ON invoices(course_id) WHERE course_id IS NOT NULL;
CREATE INDEX payments_course ON payments(course_id) WHERE course_id IS NOT NULL;

-- The append-only triggers again, with the new column among those nobody may change.
DROP TRIGGER invoices_no_update;
CREATE TRIGGER invoices_no_update
BEFORE UPDATE OF id, number, kind, credits_id, appointment_id, therapist_id, therapist_name,
  provider_number, clinic_name, clinic_address, clinic_phone, business_number, gst_registered, currency, item,
  duration_min, service_id, served_at, served_month, amount_cents, gst_cents, reason, issued_by, issued_at, course_id ON invoices
BEGIN
  SELECT RAISE(ABORT, 'an issued invoice cannot be changed; issue a credit note');
END;

DROP TRIGGER payments_no_update;
CREATE TRIGGER payments_no_update
BEFORE UPDATE OF id, appointment_id, therapist_id, method, amount_cents, refund_of, reference, note, idem_key,
  taken_by, taken_at, course_id ON payments
BEGIN
  SELECT RAISE(ABORT, 'a payment cannot be changed; refund it');
END;

-- Revenue is counted by date of service: a package's invoice and its ending credit note are
-- money owed, not sessions given, so they stay out of revenue_months; each session drawn down
-- adds its share in the month it was given (prepaid_sessions_revenue below).
DROP TRIGGER invoices_revenue;
CREATE TRIGGER invoices_revenue AFTER INSERT ON invoices WHEN NEW.course_id IS NULL
BEGIN
  INSERT INTO revenue_months (month, therapist_id, service_id, sessions, amount_cents, gst_cents)
  VALUES (NEW.served_month, coalesce(NEW.therapist_id, 0), coalesce(NEW.service_id, 0),
    NEW.kind = 'invoice' AND NEW.duration_min > 0,
    CASE NEW.kind WHEN 'invoice' THEN NEW.amount_cents ELSE -NEW.amount_cents END,
    CASE NEW.kind WHEN 'invoice' THEN NEW.gst_cents ELSE -NEW.gst_cents END)
  ON CONFLICT (month, therapist_id, service_id) DO UPDATE SET sessions = sessions + excluded.sessions,
    amount_cents = amount_cents + excluded.amount_cents, gst_cents = gst_cents + excluded.gst_cents;
END;

-- A payment by course credit spends credit the balance already holds (a package cancelled as
-- credit, an overpayment): it settles one debt with it and moves no balance, nor is it money
-- taken. Balances are rebuilt for the credit payments recorded before this rule.
DROP TRIGGER payments_balance;
CREATE TRIGGER payments_balance AFTER INSERT ON payments WHEN NEW.method <> 'course_credit'
BEGIN
  INSERT INTO client_balances (client_id, owed_cents) VALUES (NEW.client_id, -NEW.amount_cents)
  ON CONFLICT (client_id) DO UPDATE SET owed_cents = owed_cents + excluded.owed_cents;
END;

DROP TRIGGER payments_balance_refile;
CREATE TRIGGER payments_balance_refile AFTER UPDATE OF client_id ON payments
WHEN OLD.client_id <> NEW.client_id AND NEW.method <> 'course_credit'
BEGIN
  UPDATE client_balances SET owed_cents = owed_cents + OLD.amount_cents WHERE client_id = OLD.client_id;
  INSERT INTO client_balances (client_id, owed_cents) VALUES (NEW.client_id, -NEW.amount_cents)
  ON CONFLICT (client_id) DO UPDATE SET owed_cents = owed_cents + excluded.owed_cents;
END;

UPDATE client_balances SET owed_cents = owed_cents + coalesce((SELECT sum(p.amount_cents) FROM payments p
  WHERE p.client_id = client_balances.client_id AND p.method = 'course_credit'), 0);

-- A course sold as a package: one row, written when it is sold; the ending (the rest cancelled,
-- the value kept as credit or refunded, and why) is filled in once.
CREATE TABLE course_packages (
  course_id        INTEGER PRIMARY KEY REFERENCES courses(id),
  invoice_id       INTEGER NOT NULL UNIQUE REFERENCES invoices(id),
  sessions         INTEGER NOT NULL CHECK (sessions > 0),
  list_cents       INTEGER NOT NULL CHECK (list_cents > 0), -- the sessions' own prices
  discount_percent INTEGER NOT NULL DEFAULT 0,
  amount_cents     INTEGER NOT NULL CHECK (amount_cents > 0), -- the invoice's amount
  sold_by          INTEGER,
  sold_at          INTEGER NOT NULL,
  ended_at         INTEGER,
  ended_by         INTEGER,
  end_choice       TEXT CHECK (end_choice IN ('credit', 'refund')),
  end_reason       TEXT NOT NULL DEFAULT '',
  credit_note_id   INTEGER REFERENCES invoices(id),
  sold_key         TEXT NOT NULL UNIQUE, -- the selling form's one-time key: a double submit sells once
  end_key          TEXT UNIQUE           -- the same for the ending
) STRICT;

CREATE TRIGGER course_packages_no_update
BEFORE UPDATE OF course_id, invoice_id, sessions, list_cents, discount_percent, amount_cents, sold_by, sold_at, sold_key
ON course_packages
BEGIN
  SELECT RAISE(ABORT, 'a sold package cannot be changed; cancel the rest of the course');
END;

CREATE TRIGGER course_packages_end_once BEFORE UPDATE ON course_packages WHEN OLD.ended_at IS NOT NULL
BEGIN
  SELECT RAISE(ABORT, 'the rest of this package is already cancelled');
END;

CREATE TRIGGER course_packages_no_delete BEFORE DELETE ON course_packages
BEGIN
  SELECT RAISE(ABORT, 'a sold package cannot be deleted; cancel the rest of the course');
END;

-- A session of a package drawn down by its completion: the per-session document a health fund
-- claims on (the date of service, therapist and provider number, item and the session's share
-- of the package's price), copied when drawn and never changed, like an invoice. One per
-- appointment, so a completion undone and recorded again draws nothing more; seq is which of
-- the package's sessions it is, and carries that share (the last one the cents left over).
CREATE TABLE prepaid_sessions (
  appointment_id  INTEGER PRIMARY KEY REFERENCES appointments(id),
  course_id       INTEGER NOT NULL REFERENCES course_packages(course_id),
  seq             INTEGER NOT NULL CHECK (seq > 0),
  therapist_id    INTEGER NOT NULL REFERENCES users(id),
  therapist_name  TEXT NOT NULL,
  provider_number TEXT NOT NULL DEFAULT '',
  service_id      INTEGER NOT NULL REFERENCES services(id),
  item            TEXT NOT NULL,
  duration_min    INTEGER NOT NULL,
  served_at       INTEGER NOT NULL,
  served_month    INTEGER NOT NULL CHECK (served_month BETWEEN 190001 AND 999912),
  amount_cents    INTEGER NOT NULL CHECK (amount_cents >= 0),
  gst_cents       INTEGER NOT NULL DEFAULT 0 CHECK (gst_cents >= 0),
  drawn_by        INTEGER,
  drawn_at        INTEGER NOT NULL,
  UNIQUE (course_id, seq)
) STRICT;

CREATE TRIGGER prepaid_sessions_no_update BEFORE UPDATE ON prepaid_sessions
BEGIN
  SELECT RAISE(ABORT, 'a drawn session cannot be changed');
END;

CREATE TRIGGER prepaid_sessions_no_delete BEFORE DELETE ON prepaid_sessions
BEGIN
  SELECT RAISE(ABORT, 'a drawn session cannot be deleted');
END;

CREATE TRIGGER prepaid_sessions_revenue AFTER INSERT ON prepaid_sessions
BEGIN
  INSERT INTO revenue_months (month, therapist_id, service_id, sessions, amount_cents, gst_cents)
  VALUES (NEW.served_month, NEW.therapist_id, NEW.service_id, NEW.duration_min > 0, NEW.amount_cents, NEW.gst_cents)
  ON CONFLICT (month, therapist_id, service_id) DO UPDATE SET sessions = sessions + excluded.sessions,
    amount_cents = amount_cents + excluded.amount_cents, gst_cents = gst_cents + excluded.gst_cents;
END;

-- 0020: what the reports still worked out from a year's bookings each time they were asked, kept
-- by the schema as busy_days and client_first_visit are (docs/performance.md, "Reports"). The
-- appointments table stays the truth; these rows are rewritten from it by the triggers below, in
-- the same transaction as every change, whoever makes it.
--
-- client_visits: each instant a client has a session not cancelled or missed (a booked one
-- counts, as in client_first_visit), with the start of their previous such session (NULL: it is
-- their first). A client seen in a period has exactly one visit in it whose previous one is
-- before the period, so "clients seen" is a count over the period's rows instead of a DISTINCT
-- over its hundred thousand sessions (on the large demo 150 ms a year), and "new" is the count
-- of those with no previous visit. Two sessions of one client at one instant are one visit.
CREATE TABLE client_visits (
  starts_at INTEGER NOT NULL,
  client_id INTEGER NOT NULL,
  prev_at   INTEGER,
  PRIMARY KEY (starts_at, client_id)
) STRICT, WITHOUT ROWID;

INSERT INTO client_visits (starts_at, client_id, prev_at)
SELECT starts_at, client_id, prev_at FROM (
  SELECT starts_at, client_id, lag(starts_at) OVER (PARTITION BY client_id ORDER BY starts_at) AS prev_at
  FROM (SELECT DISTINCT client_id, starts_at FROM appointments WHERE status NOT IN ('cancelled', 'no_show')))
ORDER BY starts_at, client_id;

-- A change at one instant of one client touches two visits: the one at that instant (there may
-- be none left, or a new one) and the client's next one, whose previous visit may have been it.
-- Both are rewritten from the client index. An update does so at the old instant and the new;
-- SQLite triggers cannot share a procedure, so the rewrite is spelled out for each side.
CREATE TRIGGER client_visits_insert AFTER INSERT ON appointments
WHEN NEW.status NOT IN ('cancelled', 'no_show')
BEGIN
  INSERT OR REPLACE INTO client_visits (starts_at, client_id, prev_at)
  SELECT NEW.starts_at, NEW.client_id, (SELECT max(a.starts_at) FROM appointments a
    WHERE a.client_id = NEW.client_id AND a.starts_at < NEW.starts_at AND a.status NOT IN ('cancelled', 'no_show'));
  UPDATE client_visits SET prev_at = NEW.starts_at
  WHERE client_id = NEW.client_id AND starts_at = (SELECT min(a.starts_at) FROM appointments a
    WHERE a.client_id = NEW.client_id AND a.starts_at > NEW.starts_at AND a.status NOT IN ('cancelled', 'no_show'));
END;

CREATE TRIGGER client_visits_delete AFTER DELETE ON appointments
WHEN OLD.status NOT IN ('cancelled', 'no_show')
BEGIN
  DELETE FROM client_visits WHERE starts_at = OLD.starts_at AND client_id = OLD.client_id;
  INSERT INTO client_visits (starts_at, client_id, prev_at)
  SELECT OLD.starts_at, OLD.client_id, (SELECT max(a.starts_at) FROM appointments a
    WHERE a.client_id = OLD.client_id AND a.starts_at < OLD.starts_at AND a.status NOT IN ('cancelled', 'no_show'))
  WHERE EXISTS (SELECT 1 FROM appointments a
    WHERE a.client_id = OLD.client_id AND a.starts_at = OLD.starts_at AND a.status NOT IN ('cancelled', 'no_show'));
  UPDATE client_visits SET prev_at = (SELECT max(a.starts_at) FROM appointments a
    WHERE a.client_id = OLD.client_id AND a.starts_at < client_visits.starts_at AND a.status NOT IN ('cancelled', 'no_show'))
  WHERE client_id = OLD.client_id AND starts_at = (SELECT min(a.starts_at) FROM appointments a
    WHERE a.client_id = OLD.client_id AND a.starts_at > OLD.starts_at AND a.status NOT IN ('cancelled', 'no_show'));
END;

-- A check-in or completion changes no visit; a move, a change of client (a merge), or a session
-- cancelled, missed or restored does.
CREATE TRIGGER client_visits_update AFTER UPDATE OF client_id, starts_at, status ON appointments
WHEN OLD.client_id <> NEW.client_id OR OLD.starts_at <> NEW.starts_at
  OR (OLD.status IN ('cancelled', 'no_show')) <> (NEW.status IN ('cancelled', 'no_show'))
BEGIN
  DELETE FROM client_visits WHERE starts_at = OLD.starts_at AND client_id = OLD.client_id;
  INSERT INTO client_visits (starts_at, client_id, prev_at)
  SELECT OLD.starts_at, OLD.client_id, (SELECT max(a.starts_at) FROM appointments a
    WHERE a.client_id = OLD.client_id AND a.starts_at < OLD.starts_at AND a.status NOT IN ('cancelled', 'no_show'))
  WHERE EXISTS (SELECT 1 FROM appointments a
    WHERE a.client_id = OLD.client_id AND a.starts_at = OLD.starts_at AND a.status NOT IN ('cancelled', 'no_show'));
  UPDATE client_visits SET prev_at = (SELECT max(a.starts_at) FROM appointments a
    WHERE a.client_id = OLD.client_id AND a.starts_at < client_visits.starts_at AND a.status NOT IN ('cancelled', 'no_show'))
  WHERE client_id = OLD.client_id AND starts_at = (SELECT min(a.starts_at) FROM appointments a
    WHERE a.client_id = OLD.client_id AND a.starts_at > OLD.starts_at AND a.status NOT IN ('cancelled', 'no_show'));
  DELETE FROM client_visits WHERE starts_at = NEW.starts_at AND client_id = NEW.client_id;
  INSERT INTO client_visits (starts_at, client_id, prev_at)
  SELECT NEW.starts_at, NEW.client_id, (SELECT max(a.starts_at) FROM appointments a
    WHERE a.client_id = NEW.client_id AND a.starts_at < NEW.starts_at AND a.status NOT IN ('cancelled', 'no_show'))
  WHERE EXISTS (SELECT 1 FROM appointments a
    WHERE a.client_id = NEW.client_id AND a.starts_at = NEW.starts_at AND a.status NOT IN ('cancelled', 'no_show'));
  UPDATE client_visits SET prev_at = (SELECT max(a.starts_at) FROM appointments a
    WHERE a.client_id = NEW.client_id AND a.starts_at < client_visits.starts_at AND a.status NOT IN ('cancelled', 'no_show'))
  WHERE client_id = NEW.client_id AND starts_at = (SELECT min(a.starts_at) FROM appointments a
    WHERE a.client_id = NEW.client_id AND a.starts_at > NEW.starts_at AND a.status NOT IN ('cancelled', 'no_show'));
END;

-- report_days: each therapist's sessions of each of the clinic's days, by room (0: none), as the
-- no-show and utilisation reports count them: the sessions due (not cancelled, or cancelled
-- late), the no-shows, the late cancellations, and the seconds booked (sessions not cancelled).
-- A year is about 16,500 rows here against 100,000 sessions. The day is the clinic's: the start
-- plus the clinic zone's UTC offset at that instant, over 86400, exact across clock changes.
--
-- report_zone holds that zone's offsets: each span's first instant after it (until; the last
-- span's is the largest integer) and its offset. The store writes it from the zone setting when
-- it opens and when the setting changes, and rebuilds report_days then (docs/performance.md,
-- "Reports"); the triggers below read it. Until the store has written it a day is UTC's.
CREATE TABLE report_zone (
  until      INTEGER PRIMARY KEY,
  utc_offset INTEGER NOT NULL,
  zone       TEXT NOT NULL
) STRICT;

CREATE TABLE report_days (
  day          INTEGER NOT NULL,
  therapist_id INTEGER NOT NULL,
  room_id      INTEGER NOT NULL,
  sessions     INTEGER NOT NULL,
  no_shows     INTEGER NOT NULL,
  late_cancels INTEGER NOT NULL,
  booked_secs  INTEGER NOT NULL,
  PRIMARY KEY (day, therapist_id, room_id)
) STRICT, WITHOUT ROWID;

-- Every count is a sum over sessions, so a change subtracts what the booking counted before and
-- adds what it counts now; a row left counting nothing goes.
CREATE TRIGGER report_days_insert AFTER INSERT ON appointments
WHEN NEW.status <> 'cancelled' OR NEW.late_cancel = 1
BEGIN
  INSERT INTO report_days (day, therapist_id, room_id, sessions, no_shows, late_cancels, booked_secs)
  SELECT (NEW.starts_at + coalesce((SELECT z.utc_offset FROM report_zone z WHERE z.until > NEW.starts_at
      ORDER BY z.until LIMIT 1), 0)) / 86400, NEW.therapist_id, coalesce(NEW.room_id, 0),
    1, NEW.status = 'no_show', NEW.status = 'cancelled',
    CASE WHEN NEW.status <> 'cancelled' THEN NEW.ends_at - NEW.starts_at ELSE 0 END
  ON CONFLICT (day, therapist_id, room_id) DO UPDATE SET sessions = sessions + excluded.sessions,
    no_shows = no_shows + excluded.no_shows, late_cancels = late_cancels + excluded.late_cancels,
    booked_secs = booked_secs + excluded.booked_secs;
END;

CREATE TRIGGER report_days_delete AFTER DELETE ON appointments
WHEN OLD.status <> 'cancelled' OR OLD.late_cancel = 1
BEGIN
  UPDATE report_days SET sessions = sessions - 1, no_shows = no_shows - (OLD.status = 'no_show'),
    late_cancels = late_cancels - (OLD.status = 'cancelled'),
    booked_secs = booked_secs - CASE WHEN OLD.status <> 'cancelled' THEN OLD.ends_at - OLD.starts_at ELSE 0 END
  WHERE day = (OLD.starts_at + coalesce((SELECT z.utc_offset FROM report_zone z WHERE z.until > OLD.starts_at
      ORDER BY z.until LIMIT 1), 0)) / 86400
    AND therapist_id = OLD.therapist_id AND room_id = coalesce(OLD.room_id, 0);
  DELETE FROM report_days WHERE sessions = 0
    AND day = (OLD.starts_at + coalesce((SELECT z.utc_offset FROM report_zone z WHERE z.until > OLD.starts_at
      ORDER BY z.until LIMIT 1), 0)) / 86400
    AND therapist_id = OLD.therapist_id AND room_id = coalesce(OLD.room_id, 0);
END;

CREATE TRIGGER report_days_update
AFTER UPDATE OF therapist_id, room_id, starts_at, ends_at, status, late_cancel ON appointments
BEGIN
  UPDATE report_days SET sessions = sessions - 1, no_shows = no_shows - (OLD.status = 'no_show'),
    late_cancels = late_cancels - (OLD.status = 'cancelled'),
    booked_secs = booked_secs - CASE WHEN OLD.status <> 'cancelled' THEN OLD.ends_at - OLD.starts_at ELSE 0 END
  WHERE (OLD.status <> 'cancelled' OR OLD.late_cancel = 1)
    AND day = (OLD.starts_at + coalesce((SELECT z.utc_offset FROM report_zone z WHERE z.until > OLD.starts_at
      ORDER BY z.until LIMIT 1), 0)) / 86400
    AND therapist_id = OLD.therapist_id AND room_id = coalesce(OLD.room_id, 0);
  DELETE FROM report_days WHERE sessions = 0
    AND day = (OLD.starts_at + coalesce((SELECT z.utc_offset FROM report_zone z WHERE z.until > OLD.starts_at
      ORDER BY z.until LIMIT 1), 0)) / 86400
    AND therapist_id = OLD.therapist_id AND room_id = coalesce(OLD.room_id, 0);
  INSERT INTO report_days (day, therapist_id, room_id, sessions, no_shows, late_cancels, booked_secs)
  SELECT (NEW.starts_at + coalesce((SELECT z.utc_offset FROM report_zone z WHERE z.until > NEW.starts_at
      ORDER BY z.until LIMIT 1), 0)) / 86400, NEW.therapist_id, coalesce(NEW.room_id, 0),
    1, NEW.status = 'no_show', NEW.status = 'cancelled',
    CASE WHEN NEW.status <> 'cancelled' THEN NEW.ends_at - NEW.starts_at ELSE 0 END
  WHERE NEW.status <> 'cancelled' OR NEW.late_cancel = 1
  ON CONFLICT (day, therapist_id, room_id) DO UPDATE SET sessions = sessions + excluded.sessions,
    no_shows = no_shows + excluded.no_shows, late_cancels = late_cancels + excluded.late_cancels,
    booked_secs = booked_secs + excluded.booked_secs;
END;

-- course_next: for each course with a session not cancelled, the start of its client's first
-- booking not cancelled after the course's last such session (NULL: none), so "booked again
-- within the spacing" is a comparison instead of a search of the client's bookings for each of
-- the 9,000 courses that end in a year (50 ms). Any other change to a client's bookings, or a
-- course given to another client (a merge), rewrites the client's courses' rows from the
-- bookings: a client has a course or two, each a few sessions.
CREATE TABLE course_next (
  course_id INTEGER PRIMARY KEY REFERENCES courses(id),
  next_at   INTEGER
) STRICT;

INSERT INTO course_next (course_id, next_at)
SELECT e.course_id, (SELECT min(b.starts_at) FROM appointments b
  WHERE b.client_id = c.client_id AND b.status <> 'cancelled' AND b.starts_at > e.last_at)
FROM course_ends e JOIN courses c ON c.id = e.course_id;

-- A new booking can only bring the next booking after a course of the client's earlier, and
-- make its own course's last session later; a bulk load of a million bookings pays that and
-- no more. The client's other courses' last sessions are read from course_ends, which this
-- booking does not change.
CREATE TRIGGER course_next_insert AFTER INSERT ON appointments
WHEN NEW.status <> 'cancelled'
BEGIN
  UPDATE course_next SET next_at = NEW.starts_at
  WHERE course_id IN (SELECT c.id FROM courses c JOIN course_ends e ON e.course_id = c.id
      WHERE c.client_id = NEW.client_id AND e.last_at < NEW.starts_at AND c.id IS NOT NEW.course_id)
    AND (next_at IS NULL OR next_at > NEW.starts_at);
  INSERT OR REPLACE INTO course_next (course_id, next_at)
  SELECT NEW.course_id, (SELECT min(b.starts_at) FROM appointments b
    WHERE b.client_id = NEW.client_id AND b.status <> 'cancelled' AND b.starts_at > x.last_at)
  FROM (SELECT max(a.starts_at) AS last_at FROM appointments a WHERE a.course_id = NEW.course_id AND a.status <> 'cancelled') x
  WHERE NEW.course_id IS NOT NULL;
END;

CREATE TRIGGER course_next_delete AFTER DELETE ON appointments
WHEN OLD.status <> 'cancelled'
BEGIN
  DELETE FROM course_next WHERE course_id IN (SELECT id FROM courses WHERE client_id = OLD.client_id);
  INSERT INTO course_next (course_id, next_at)
  SELECT x.id, (SELECT min(b.starts_at) FROM appointments b
    WHERE b.client_id = OLD.client_id AND b.status <> 'cancelled' AND b.starts_at > x.last_at)
  FROM (SELECT c.id, (SELECT max(a.starts_at) FROM appointments a WHERE a.course_id = c.id AND a.status <> 'cancelled') AS last_at
    FROM courses c WHERE c.client_id = OLD.client_id) x
  WHERE x.last_at IS NOT NULL;
END;

CREATE TRIGGER course_next_update AFTER UPDATE OF client_id, course_id, starts_at, status ON appointments
WHEN OLD.client_id <> NEW.client_id OR OLD.course_id IS NOT NEW.course_id OR OLD.starts_at <> NEW.starts_at
  OR (OLD.status = 'cancelled') <> (NEW.status = 'cancelled')
BEGIN
  DELETE FROM course_next WHERE course_id IN (SELECT id FROM courses WHERE client_id IN (OLD.client_id, NEW.client_id));
  INSERT INTO course_next (course_id, next_at)
  SELECT x.id, (SELECT min(b.starts_at) FROM appointments b
    WHERE b.client_id = x.client_id AND b.status <> 'cancelled' AND b.starts_at > x.last_at)
  FROM (SELECT c.id, c.client_id, (SELECT max(a.starts_at) FROM appointments a WHERE a.course_id = c.id AND a.status <> 'cancelled') AS last_at
    FROM courses c WHERE c.client_id IN (OLD.client_id, NEW.client_id)) x
  WHERE x.last_at IS NOT NULL;
END;

CREATE TRIGGER course_next_course_client AFTER UPDATE OF client_id ON courses
BEGIN
  DELETE FROM course_next WHERE course_id = NEW.id;
  INSERT INTO course_next (course_id, next_at)
  SELECT NEW.id, (SELECT min(b.starts_at) FROM appointments b
    WHERE b.client_id = NEW.client_id AND b.status <> 'cancelled' AND b.starts_at > x.last_at)
  FROM (SELECT max(a.starts_at) AS last_at FROM appointments a WHERE a.course_id = NEW.id AND a.status <> 'cancelled') x
  WHERE x.last_at IS NOT NULL;
END;

-- assessment_bookings: for each submitted assessment of a known client, when the client made
-- their first booking at or after it (made and starting then or later; NULL: none), so the
-- conversion table's "booked within 30 days" is a comparison instead of a search of the
-- client's bookings for each of the 4,900 assessments submitted in a year: for a client who did
-- not book in time that read every later booking from the table (100 ms a year on the large
-- demo). A new booking can only bring the first one earlier; any other change to a client's
-- bookings rewrites the rows of the client's assessments, and a change to an assessment its own.
CREATE TABLE assessment_bookings (
  assessment_id INTEGER PRIMARY KEY,
  made_at       INTEGER
) STRICT;

INSERT INTO assessment_bookings (assessment_id, made_at)
SELECT a.id, (SELECT min(b.created_at) FROM appointments b
  WHERE b.client_id = a.client_id AND b.starts_at >= a.updated_at AND b.created_at >= a.updated_at)
FROM assessments a WHERE a.status = 'submitted' AND a.client_id IS NOT NULL;

CREATE TRIGGER assessment_bookings_appt_insert AFTER INSERT ON appointments
BEGIN
  UPDATE assessment_bookings SET made_at = NEW.created_at
  WHERE assessment_id IN (SELECT a.id FROM assessments a WHERE a.client_id = NEW.client_id AND a.status = 'submitted'
      AND a.updated_at <= NEW.created_at AND a.updated_at <= NEW.starts_at)
    AND (made_at IS NULL OR made_at > NEW.created_at);
END;

CREATE TRIGGER assessment_bookings_appt_delete AFTER DELETE ON appointments
BEGIN
  DELETE FROM assessment_bookings WHERE assessment_id IN (SELECT id FROM assessments WHERE client_id = OLD.client_id);
  INSERT INTO assessment_bookings (assessment_id, made_at)
  SELECT a.id, (SELECT min(b.created_at) FROM appointments b
    WHERE b.client_id = a.client_id AND b.starts_at >= a.updated_at AND b.created_at >= a.updated_at)
  FROM assessments a WHERE a.client_id = OLD.client_id AND a.status = 'submitted';
END;

CREATE TRIGGER assessment_bookings_appt_update AFTER UPDATE OF client_id, starts_at, created_at ON appointments
WHEN OLD.client_id <> NEW.client_id OR OLD.starts_at <> NEW.starts_at OR OLD.created_at <> NEW.created_at
BEGIN
  DELETE FROM assessment_bookings WHERE assessment_id IN (SELECT id FROM assessments
    WHERE client_id IN (OLD.client_id, NEW.client_id));
  INSERT INTO assessment_bookings (assessment_id, made_at)
  SELECT a.id, (SELECT min(b.created_at) FROM appointments b
    WHERE b.client_id = a.client_id AND b.starts_at >= a.updated_at AND b.created_at >= a.updated_at)
  FROM assessments a WHERE a.client_id IN (OLD.client_id, NEW.client_id) AND a.status = 'submitted';
END;

CREATE TRIGGER assessment_bookings_insert AFTER INSERT ON assessments
WHEN NEW.status = 'submitted' AND NEW.client_id IS NOT NULL
BEGIN
  INSERT INTO assessment_bookings (assessment_id, made_at)
  SELECT NEW.id, (SELECT min(b.created_at) FROM appointments b
    WHERE b.client_id = NEW.client_id AND b.starts_at >= NEW.updated_at AND b.created_at >= NEW.updated_at);
END;

CREATE TRIGGER assessment_bookings_update AFTER UPDATE OF client_id, status, updated_at ON assessments
BEGIN
  DELETE FROM assessment_bookings WHERE assessment_id = OLD.id;
  INSERT INTO assessment_bookings (assessment_id, made_at)
  SELECT NEW.id, (SELECT min(b.created_at) FROM appointments b
    WHERE b.client_id = NEW.client_id AND b.starts_at >= NEW.updated_at AND b.created_at >= NEW.updated_at)
  WHERE NEW.status = 'submitted' AND NEW.client_id IS NOT NULL;
END;

CREATE TRIGGER assessment_bookings_delete AFTER DELETE ON assessments
BEGIN
  DELETE FROM assessment_bookings WHERE assessment_id = OLD.id;
END;

