package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"allium/clinic"
)

// The chart's view of the client's self-assessment: the latest one, the safety flags and
// cautions it raised and their clearances, and what a clinician records against it.

func latestAssessment(ctx context.Context, tx *sql.Tx, clientID int64) (*clinic.ChartAssessment, error) {
	var a clinic.ChartAssessment
	var answers, result string
	var at int64
	err := tx.QueryRowContext(ctx, `SELECT a.id, a.updated_at, a.answers, a.result, coalesce(a.confirmed_class, ''),
		coalesce(u.name, '') FROM assessments a LEFT JOIN users u ON u.id = a.confirmed_by
		WHERE a.client_id = ? AND a.status = 'submitted' ORDER BY a.updated_at DESC, a.id DESC LIMIT 1`, clientID).
		Scan(&a.ID, &at, &answers, &result, &a.ConfirmedClass, &a.ConfirmedBy)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("latest assessment: %w", err)
	}
	a.SubmittedAt = unixTime(at)
	if err := json.Unmarshal([]byte(answers), &a.Answers); err != nil {
		return nil, fmt.Errorf("assessment %d answers: %w", a.ID, err)
	}
	// A submitted assessment without a stored result (the large demo's bulk loader writes them
	// so) raises nothing, as in loadAssessment.
	if result != "" {
		if err := json.Unmarshal([]byte(result), &a.Result); err != nil {
			return nil, fmt.Errorf("assessment %d result: %w", a.ID, err)
		}
	}
	return &a, nil
}

// ConfirmAssessmentClass records the therapist's view of the class after seeing the client,
// beside (never over) the scored result.
func (s *Store) ConfirmAssessmentClass(ctx context.Context, by Actor, assessmentID int64, class string) error {
	if !clinic.KnownComplaintClass(class) {
		return fmt.Errorf("class %q: %w", class, ErrInvalidRecord)
	}
	return s.write(ctx, func(tx *sql.Tx) error {
		var clientID sql.NullInt64
		err := tx.QueryRowContext(ctx, `SELECT client_id FROM assessments WHERE id = ? AND status = 'submitted'`,
			assessmentID).Scan(&clientID)
		if err != nil {
			return err
		}
		if err := clinicalWriter(ctx, tx, by, clientID.Int64); err != nil {
			return err
		}
		now := unix(s.now())
		if _, err := tx.ExecContext(ctx, `UPDATE assessments SET confirmed_class = ?, confirmed_by = ?, updated_at = updated_at
			WHERE id = ?`, class, by.UserID, assessmentID); err != nil {
			return fmt.Errorf("confirm class: %w", err)
		}
		return audit(ctx, tx, by, now, "confirm_class", "assessment", assessmentID, clientID.Int64, class)
	})
}

// RecordTreatmentConsent notes that the client gave consent to treatment in the clinic, for a
// client who booked without giving it online. A plan cannot start without it.
func (s *Store) RecordTreatmentConsent(ctx context.Context, by Actor, clientID int64) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		if err := clinicalWriter(ctx, tx, by, clientID); err != nil {
			return err
		}
		now := unix(s.now())
		if _, err := tx.ExecContext(ctx, `UPDATE clients SET consent_treatment_at = coalesce(consent_treatment_at, ?),
			updated_at = ? WHERE id = ?`, now, now, clientID); err != nil {
			return fmt.Errorf("record consent: %w", err)
		}
		return audit(ctx, tx, by, now, "consent_treatment", "client", clientID, clientID, "recorded in clinic")
	})
}

func chartFlags(ctx context.Context, tx *sql.Tx, a *clinic.ChartAssessment) ([]clinic.ChartFlag, error) {
	flags := a.Flags()
	if len(flags) == 0 {
		return nil, nil
	}
	rows, err := tx.QueryContext(ctx, `SELECT f.code, f.note, u.name, f.cleared_at FROM flag_clearances f
		JOIN users u ON u.id = f.cleared_by WHERE f.assessment_id = ?`, a.ID)
	if err != nil {
		return nil, fmt.Errorf("flag clearances: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var code, note, name string
		var at int64
		if err := rows.Scan(&code, &note, &name, &at); err != nil {
			return nil, err
		}
		for i := range flags {
			if flags[i].Code == code {
				flags[i].Cleared, flags[i].ClearedNote, flags[i].ClearedBy, flags[i].ClearedAt = true, note, name, unixTime(at)
			}
		}
	}
	return flags, rows.Err()
}

// openPlanFlags are the client's flags not yet cleared, as the plan rules see them.
func openPlanFlags(ctx context.Context, tx *sql.Tx, clientID int64) ([]clinic.PlanFlag, error) {
	a, err := latestAssessment(ctx, tx, clientID)
	if err != nil {
		return nil, err
	}
	flags, err := chartFlags(ctx, tx, a)
	if err != nil {
		return nil, err
	}
	var out []clinic.PlanFlag
	for _, f := range flags {
		if !f.Cleared {
			out = append(out, clinic.PlanFlag{Code: f.Code, Action: f.Action})
		}
	}
	return out, nil
}

// ClearFlag records why a flag raised by the client's latest assessment no longer stands (a
// doctor's clearance, say). The note is required: a clearance without a reason is not one.
func (s *Store) ClearFlag(ctx context.Context, by Actor, clientID int64, code, note string) error {
	if strings.TrimSpace(note) == "" {
		return fmt.Errorf("clear flag without a note: %w", ErrInvalidRecord)
	}
	return s.write(ctx, func(tx *sql.Tx) error {
		if err := clinicalWriter(ctx, tx, by, clientID); err != nil {
			return err
		}
		a, err := latestAssessment(ctx, tx, clientID)
		if err != nil {
			return err
		}
		known := false
		for _, f := range a.Flags() {
			known = known || f.Code == code
		}
		if !known {
			return fmt.Errorf("flag %q: %w", code, ErrNotFound)
		}
		now := unix(s.now())
		if _, err := tx.ExecContext(ctx, `INSERT INTO flag_clearances (client_id, assessment_id, code, note, cleared_by, cleared_at)
			VALUES (?, ?, ?, ?, ?, ?)`, clientID, a.ID, code, note, by.UserID, now); err != nil {
			return fmt.Errorf("clear flag: %w", err)
		}
		return audit(ctx, tx, by, now, "clear_flag", "assessment", a.ID, clientID, code)
	})
}
