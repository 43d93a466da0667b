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
