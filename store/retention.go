package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"allium/clinic"
)

// RetentionReview is one client on the owner's list: past the retention
// period and waiting for approval to be de-identified.
type RetentionReview struct {
	ClientID    int64
	Name        string
	LastContact clinic.Date
	KeptUntil   clinic.Date
	Listed      time.Time
}

// retentionFacts reads every client not yet de-identified with their first and
// last contact (joining the clinic, or a session not cancelled) as civil dates in loc.
func retentionFacts(ctx context.Context, db rowsQuerier, loc *time.Location, clientID int64) ([]clinic.RetentionFact, error) {
	var out []clinic.RetentionFact
	err := scanInto(ctx, db, func(r *sql.Rows) error {
		var f clinic.RetentionFact
		var birth string
		var created, first, last int64
		if err := r.Scan(&f.ClientID, &f.Name, &birth, &created, &first, &last); err != nil {
			return err
		}
		f.Birth, _ = clinic.ParseDate(birth) // unknown or unreadable: zero, the adult rule
		f.FirstContact = clinic.DateOf(unixTime(min(created, first)), loc)
		f.LastContact = clinic.DateOf(unixTime(max(created, last)), loc)
		out = append(out, f)
		return nil
	}, `SELECT c.id, c.name, c.birth_date, c.created_at,
			coalesce(min(a.starts_at), c.created_at), coalesce(max(a.starts_at), c.created_at)
		FROM clients c LEFT JOIN appointments a ON a.client_id = c.id AND a.status <> `+sqlCancelled+`
		WHERE c.deidentified_at IS NULL AND c.merged_into IS NULL AND (? = 0 OR c.id = ?)
		GROUP BY c.id`, clientID, clientID)
	return out, err
}

// ListRetentionDue is the daily retention job: it puts every client whose
// record is past the clinic's retention period on the owner's list, and takes
// off those who have since come back. It removes nothing. Days are the
// clinic's, so the list changes at local midnight whatever the clocks do.
func (s *Store) ListRetentionDue(ctx context.Context) (int, error) {
	set, err := s.Settings(ctx)
	if err != nil {
		return 0, err
	}
	loc, err := set.Location()
	if err != nil {
		return 0, err
	}
	now := s.now()
	today := clinic.DateOf(now, loc)
	listed := 0
	err = s.write(ctx, func(tx *sql.Tx) error {
		facts, err := retentionFacts(ctx, tx, loc, 0)
		if err != nil {
			return err
		}
		for _, f := range facts {
			if !f.PastRetention(today, set.RetentionYears) {
				if _, err := tx.ExecContext(ctx, `DELETE FROM retention_reviews WHERE client_id = ? AND approved_at IS NULL`, f.ClientID); err != nil {
					return err
				}
				continue
			}
			listed++
			if _, err := tx.ExecContext(ctx, `INSERT INTO retention_reviews (client_id, kept_until, listed_at) VALUES (?, ?, ?)
				ON CONFLICT (client_id) DO UPDATE SET kept_until = excluded.kept_until`,
				f.ClientID, f.KeptUntil(set.RetentionYears).String(), unix(now)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("retention job: %w", err)
	}
	return listed, nil
}

// RetentionReviews is the owner's list of records waiting for approval.
func (s *Store) RetentionReviews(ctx context.Context, by Actor) ([]RetentionReview, error) {
	if by.Role != clinic.RoleOwner {
		return nil, ErrNotFound
	}
	loc, err := s.clinicLoc(ctx)
	if err != nil {
		return nil, err
	}
	var out []RetentionReview
	err = scanInto(ctx, s.r, func(r *sql.Rows) error {
		var v RetentionReview
		var until string
		var last, listed int64
		if err := r.Scan(&v.ClientID, &v.Name, &until, &last, &listed); err != nil {
			return err
		}
		v.KeptUntil, _ = clinic.ParseDate(until)
		v.LastContact = clinic.DateOf(unixTime(last), loc)
		v.Listed = unixTime(listed)
		out = append(out, v)
		return nil
	}, `SELECT c.id, c.name, rr.kept_until,
			max(c.created_at, coalesce((SELECT max(starts_at) FROM appointments a WHERE a.client_id = c.id AND a.status <> `+sqlCancelled+`), 0)),
			rr.listed_at
		FROM retention_reviews rr JOIN clients c ON c.id = rr.client_id
		WHERE rr.approved_at IS NULL AND c.deidentified_at IS NULL ORDER BY rr.kept_until, c.id`)
	return out, err
}

func (s *Store) clinicLoc(ctx context.Context) (*time.Location, error) {
	set, err := s.Settings(ctx)
	if err != nil {
		return nil, err
	}
	return set.Location()
}

// ErrNotDue says a client is not (or no longer) past the retention period.
var ErrNotDue = fmt.Errorf("this record is not past its retention period: %w", ErrConflict)

// Deidentify removes a listed client's name, contact details and free text,
// on the owner's approval, in one transaction with its audit row. Every row
// stays, so the reports count the same. The rule is checked again inside the
// transaction: a client who came back since the list was made is kept.
func (s *Store) Deidentify(ctx context.Context, by Actor, clientID int64) error {
	if by.Role != clinic.RoleOwner {
		return ErrNotFound
	}
	set, err := s.Settings(ctx)
	if err != nil {
		return err
	}
	loc, err := set.Location()
	if err != nil {
		return err
	}
	now := s.now()
	return s.write(ctx, func(tx *sql.Tx) error {
		var listed int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM retention_reviews WHERE client_id = ? AND approved_at IS NULL`,
			clientID).Scan(&listed); err != nil {
			return err
		}
		facts, err := retentionFacts(ctx, tx, loc, clientID)
		if err != nil {
			return err
		}
		if listed == 0 || len(facts) != 1 || !facts[0].PastRetention(clinic.DateOf(now, loc), set.RetentionYears) {
			return ErrNotDue
		}
		var userID sql.NullInt64
		var email string
		if err := tx.QueryRowContext(ctx, `SELECT user_id, email FROM clients WHERE id = ?`, clientID).Scan(&userID, &email); err != nil {
			return err
		}
		at := unix(now)
		steps := []execStep{
			{`UPDATE clients SET name = 'Former client ' || id, email = '', phone = '', birth_date = '', cautions = '',
				notes = '', user_id = NULL, deidentified_at = ?, updated_at = ? WHERE id = ?`, []any{at, at, clientID}},
			{`UPDATE appointments SET cancel_reason = '' WHERE client_id = ? AND cancel_reason <> ''`, []any{clientID}},
			// Invoices keep their amounts for the accounts; only the name they print goes.
			{`UPDATE invoices SET client_name = 'Former client ' || client_id WHERE client_id = ?`, []any{clientID}},
			{`UPDATE assessments SET answers = '{}' WHERE client_id = ?`, []any{clientID}},
			{`UPDATE findings SET complaint = '', aggravating = '', easing = '', impression = '' WHERE client_id = ?`, []any{clientID}},
			{`UPDATE treatment_plans SET home_care = '' WHERE client_id = ?`, []any{clientID}},
			{`UPDATE plan_goals SET description = 'Goal ' || position, activity = ''
				WHERE plan_id IN (SELECT id FROM treatment_plans WHERE client_id = ?)`, []any{clientID}},
			{`UPDATE session_notes SET subjective = '', objective = '', response = '', progress = '', next_focus = '',
				home_care = '', adverse_note = '' WHERE client_id = ?`, []any{clientID}},
			{`UPDATE note_treatments SET note = '' WHERE note_id IN (SELECT id FROM session_notes WHERE client_id = ?)`, []any{clientID}},
			{`UPDATE note_addenda SET text = 'Removed under the retention policy.'
				WHERE note_id IN (SELECT id FROM session_notes WHERE client_id = ?)`, []any{clientID}},
			{`UPDATE reassessments SET rationale = '' WHERE client_id = ?`, []any{clientID}},
			{`UPDATE referrals SET reason = '', letter = '' WHERE client_id = ?`, []any{clientID}},
			// Mail to them carries their name: it goes, but for a message a worker is sending
			// this moment, which it marks sent or failed a moment later with nothing to resend.
			{`DELETE FROM outbox WHERE recipient = ? AND recipient <> '' AND status <> 'sending'`, []any{email}},
			{`DELETE FROM mailbox WHERE recipient = ? AND recipient <> ''`, []any{email}},
			{`UPDATE retention_reviews SET approved_by = nullif(?, 0), approved_at = ? WHERE client_id = ?`, []any{by.UserID, at, clientID}},
		}
		if userID.Valid {
			steps = append(steps,
				execStep{`UPDATE users SET name = 'Former client', email = 'removed-' || id || '@invalid', phone = '',
					password_hash = '', active = 0, updated_at = ? WHERE id = ?`, []any{at, userID.Int64}},
				execStep{`DELETE FROM sessions WHERE user_id = ?`, []any{userID.Int64}})
		}
		for _, st := range steps {
			if _, err := tx.ExecContext(ctx, st.q, st.args...); err != nil {
				return fmt.Errorf("de-identify client %d: %w", clientID, err)
			}
		}
		return audit(ctx, tx, by, at, "deidentify", "client", clientID, clientID, "past the retention period; approved by the owner")
	})
}

// execStep is one statement of a multi-statement change.
type execStep struct {
	q    string
	args []any
}
