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
