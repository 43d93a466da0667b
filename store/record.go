package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"allium/clinic"
)

// ClientRecord gathers everything the clinic holds about a client, for the
// client themselves or for the owner or reception answering a request by post.
// Anyone else, another client included, gets ErrNotFound. Every export is on
// the audit log before it is returned. Signed notes are included only where
// the clinic's settings release them.
func (s *Store) ClientRecord(ctx context.Context, by Actor, clientID int64) (clinic.ClientRecord, error) {
	var rec clinic.ClientRecord
	switch {
	case by.Role == clinic.RoleClient && by.ClientID == clientID && clientID != 0:
	case by.Role == clinic.RoleOwner || by.Role == clinic.RoleReception:
	default:
		return rec, ErrNotFound
	}
	set, err := s.Settings(ctx)
	if err != nil {
		return rec, err
	}
	rec.Clinic, rec.GeneratedAt, rec.NotesReleased = set.Name, s.now().UTC(), set.ReleaseNotes
	tx, err := s.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return rec, fmt.Errorf("client record: %w", err)
	}
	defer tx.Rollback()
	var since int64
	err = tx.QueryRowContext(ctx, `SELECT name, email, phone, birth_date, cautions, notes, created_at
		FROM clients WHERE id = ? AND merged_into IS NULL`, clientID).Scan(&rec.Details.Name, &rec.Details.Email,
		&rec.Details.Phone, &rec.Details.BirthDate, &rec.Details.Cautions, &rec.Details.Notes, &since)
	if err == sql.ErrNoRows {
		return rec, ErrNotFound
	} else if err != nil {
		return rec, fmt.Errorf("client record: %w", err)
	}
	rec.Details.Since = unixTime(since)
	if err := recordParts(ctx, tx, clientID, &rec); err != nil {
		return rec, fmt.Errorf("client record: %w", err)
	}
	if err := tx.Rollback(); err != nil {
		return rec, err
	}
	return rec, s.auditRead(ctx, by, "export", "client_record", clientID, clientID, "")
}

// recordParts reads the record's lists in the caller's snapshot.
func recordParts(ctx context.Context, tx *sql.Tx, clientID int64, rec *clinic.ClientRecord) error {
	err := scanInto(ctx, tx, func(r *sql.Rows) error {
		var b clinic.RecordBooking
		var st, en int64
		if err := r.Scan(&st, &en, &b.Service, &b.Therapist, &b.Status, &b.CancelReason); err != nil {
			return err
		}
		b.Start, b.End = unixTime(st), unixTime(en)
		rec.Bookings = append(rec.Bookings, b)
		return nil
	}, `SELECT a.starts_at, a.ends_at, sv.name, u.name, a.status, a.cancel_reason FROM appointments a
		JOIN services sv ON sv.id = a.service_id JOIN users u ON u.id = a.therapist_id
		WHERE a.client_id = ? ORDER BY a.starts_at`, clientID)
	if err != nil {
		return err
	}
	err = scanInto(ctx, tx, func(r *sql.Rows) error {
		var a clinic.RecordAssessment
		var at int64
		if err := r.Scan(&at, &a.Class, &a.ConfirmedClass, &a.SafetyOutcome); err != nil {
			return err
		}
		a.Submitted = unixTime(at)
		rec.Assessments = append(rec.Assessments, a)
		return nil
	}, `SELECT updated_at, primary_class, coalesce(confirmed_class, ''), safety_outcome FROM assessments
		WHERE client_id = ? AND status = 'submitted' ORDER BY updated_at`, clientID)
	if err != nil {
		return err
	}
	plans := map[int64]int{}
	err = scanInto(ctx, tx, func(r *sql.Rows) error {
		var p clinic.RecordPlan
		var layers string
		if err := r.Scan(&p.ID, &p.Status, &p.StartDate, &p.ReassessmentDate, &layers, &p.Sessions, &p.HomeCare); err != nil {
			return err
		}
		p.Layers = strings.Fields(layers)
		plans[p.ID] = len(rec.Plans)
		rec.Plans = append(rec.Plans, p)
		return nil
	}, `SELECT id, status, start_date, reassessment_date, layers, planned_sessions, home_care FROM treatment_plans
		WHERE client_id = ? AND status <> 'entered_in_error' ORDER BY id`, clientID)
	if err != nil {
		return err
	}
	err = scanInto(ctx, tx, func(r *sql.Rows) error {
		var g clinic.RecordGoal
		var plan int64
		if err := r.Scan(&plan, &g.Description, &g.Measure, &g.Baseline, &g.Target); err != nil {
			return err
		}
		if i, ok := plans[plan]; ok {
			rec.Plans[i].Goals = append(rec.Plans[i].Goals, g)
		}
		return nil
	}, `SELECT g.plan_id, g.description, g.measure, g.baseline, g.target FROM plan_goals g
		JOIN treatment_plans p ON p.id = g.plan_id WHERE p.client_id = ? ORDER BY g.plan_id, g.position`, clientID)
	if err != nil {
		return err
	}
	err = scanInto(ctx, tx, func(r *sql.Rows) error {
		var o clinic.RecordReading
		var at int64
		if err := r.Scan(&at, &o.PlanID, &o.Goal, &o.Measure, &o.Value); err != nil {
			return err
		}
		if _, ok := plans[o.PlanID]; ok {
			o.Taken = unixTime(at)
			rec.Outcomes = append(rec.Outcomes, o)
		}
		return nil
	}, `SELECT o.taken_at, o.plan_id, g.description, g.measure, o.value FROM outcome_readings o
		JOIN plan_goals g ON g.id = o.goal_id
		LEFT JOIN session_notes n ON n.id = o.note_id
		WHERE o.client_id = ? AND (o.note_id IS NULL OR n.status = 'signed') ORDER BY o.taken_at, o.id`, clientID)
	if err != nil || !rec.NotesReleased {
		return err
	}
	return scanInto(ctx, tx, func(r *sql.Rows) error {
		var n clinic.RecordNote
		var at int64
		if err := r.Scan(&at, &n.Therapist, &n.Subjective, &n.Objective, &n.Response, &n.Progress, &n.HomeCare); err != nil {
			return err
		}
		n.Signed = unixTime(at)
		rec.Notes = append(rec.Notes, n)
		return nil
	}, `SELECT n.signed_at, u.name, n.subjective, n.objective, n.response, n.progress, n.home_care
		FROM session_notes n JOIN users u ON u.id = n.therapist_id
		WHERE n.client_id = ? AND n.status = 'signed' ORDER BY n.signed_at`, clientID)
}
