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
