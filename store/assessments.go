package store

import (
	"context"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"allium/clinic"
)

// AssessmentDraftTTL is how long an anonymous assessment is kept. A draft linked to a client
// is kept with the client's record instead.
const AssessmentDraftTTL = 30 * 24 * time.Hour

// Assessment is one online assessment, draft or submitted. The browser holds a random token;
// the table keeps only its SHA-256, so a copy of the database opens no one's answers.
type Assessment struct {
	ID       int64
	ClientID int64
	// Steps is how many steps have been saved, in order: the next step to fill in.
	Steps     int
	Answers   clinic.AssessmentAnswers
	Submitted bool
	// Result is the stored result, nil for a draft. It is shown as stored, never re-scored.
	Result    *clinic.AssessmentResult
	CreatedAt time.Time
	UpdatedAt time.Time
}

// AssessmentAlertMail is the data of the email telling the clinic an assessment stopped at
// the safety gate. It carries no answers beyond the safety reasons.
type AssessmentAlertMail struct {
	ID       int64
	Outcome  string
	Headline string
	Reasons  []string
}

// CreateAssessmentDraft starts an assessment and returns the token that opens it.
func (s *Store) CreateAssessmentDraft(ctx context.Context) (string, int64, error) {
	tok := hex.EncodeToString(randomBytes(24))
	var id int64
	err := s.write(ctx, func(tx *sql.Tx) error {
		now := s.now()
		res, err := tx.ExecContext(ctx, `INSERT INTO assessments (token_hash, created_at, updated_at, expires_at)
			VALUES (?, ?, ?, ?)`, hashID(tok), unix(now), unix(now), unix(now.Add(AssessmentDraftTTL)))
		if err != nil {
			return fmt.Errorf("create assessment: %w", err)
		}
		id, err = res.LastInsertId()
		return err
	})
	return tok, id, err
}

// AssessmentDraft returns the assessment a token opens. An unknown or expired token is ErrNotFound.
func (s *Store) AssessmentDraft(ctx context.Context, token string) (Assessment, error) {
	var a Assessment
	err := s.read(ctx, func(tx *sql.Tx) error {
		var err error
		a, err = s.assessmentByToken(ctx, tx, token)
		return err
	})
	return a, err
}

func (s *Store) assessmentByToken(ctx context.Context, tx *sql.Tx, token string) (Assessment, error) {
	var (
		a               Assessment
		client          sql.NullInt64
		answers, result string
		status          string
		created, upd    int64
	)
	err := tx.QueryRowContext(ctx, `SELECT id, client_id, step, answers, status, result, created_at, updated_at
		FROM assessments WHERE token_hash = ? AND (expires_at IS NULL OR expires_at > ?)`,
		hashID(token), unix(s.now())).Scan(&a.ID, &client, &a.Steps, &answers, &status, &result, &created, &upd)
	if errors.Is(err, sql.ErrNoRows) {
		return a, ErrNotFound
	}
	if err != nil {
		return a, fmt.Errorf("load assessment: %w", err)
	}
	a.ClientID, a.Submitted = client.Int64, status == "submitted"
	a.CreatedAt, a.UpdatedAt = unixTime(created), unixTime(upd)
	if err := json.Unmarshal([]byte(answers), &a.Answers); err != nil {
		return a, fmt.Errorf("assessment %d answers: %w", a.ID, err)
	}
	if a.Answers == nil {
		a.Answers = clinic.AssessmentAnswers{}
	}
	if result != "" {
		a.Result = &clinic.AssessmentResult{}
		if err := json.Unmarshal([]byte(result), a.Result); err != nil {
			return a, fmt.Errorf("assessment %d result: %w", a.ID, err)
		}
	}
	return a, nil
}

// SaveAssessmentStep merges one step's answers (0-based step) into the draft. The caller
// passes every item of the step, so an item with no values is an answer taken back and is
// removed. Steps counts the steps saved in order; saving an earlier step again keeps it.
// A submitted assessment cannot change: ErrConflict.
func (s *Store) SaveAssessmentStep(ctx context.Context, token string, step int, answers clinic.AssessmentAnswers) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		a, err := s.assessmentByToken(ctx, tx, token)
		if err != nil {
			return err
		}
		if a.Submitted {
			return ErrConflict
		}
		if step > a.Steps {
			return fmt.Errorf("save assessment step %d before step %d: %w", step, a.Steps, ErrConflict)
		}
		for id, vals := range answers {
			if len(vals) == 0 {
				delete(a.Answers, id)
			} else {
				a.Answers[id] = vals
			}
		}
		b, err := json.Marshal(a.Answers)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE assessments SET answers = ?, step = max(step, ?), updated_at = ? WHERE id = ?`,
			string(b), step+1, unix(s.now()), a.ID)
		return err
	})
}

// SubmitAssessment stores the result. A result that blocks booking queues an alert to the
// clinic in the same transaction, so the alert cannot be lost between the two. Submitting
// twice keeps the first result: a stored result is never re-scored.
func (s *Store) SubmitAssessment(ctx context.Context, token string, r clinic.AssessmentResult, now time.Time) error {
	b, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("encode assessment result: %w", err)
	}
	return s.write(ctx, func(tx *sql.Tx) error {
		a, err := s.assessmentByToken(ctx, tx, token)
		if err != nil || a.Submitted {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE assessments SET status = 'submitted', result = ?, scoring_version = ?,
			primary_class = ?, safety_outcome = ?, updated_at = ? WHERE id = ?`,
			string(b), r.Version, string(r.Primary), string(r.Safety.Outcome), unix(now), a.ID)
		if err != nil {
			return fmt.Errorf("submit assessment: %w", err)
		}
		if !r.Safety.BookingBlocked {
			return nil
		}
		return s.alertAssessment(ctx, tx, a, r, now)
	})
}

func (s *Store) alertAssessment(ctx context.Context, tx *sql.Tx, a Assessment, r clinic.AssessmentResult, now time.Time) error {
	to, err := clinicAlertAddresses(ctx, tx)
	if err != nil {
		return err
	}
	p := AssessmentAlertMail{ID: a.ID, Outcome: string(r.Safety.Outcome), Headline: r.Safety.Headline}
	for _, t := range r.Safety.Triggers {
		p.Reasons = append(p.Reasons, t.Reason)
	}
	for _, addr := range to {
		err := enqueue(ctx, tx, now, Email{Kind: "assessment_alert", To: addr, RefType: "assessment", RefID: a.ID,
			DedupeKey: fmt.Sprintf("assessment_alert:%d:%s", a.ID, addr), Payload: p})
		if err != nil {
			return err
		}
	}
	return audit(ctx, tx, System, unix(now), "alert", "assessment", a.ID, a.ClientID, string(r.Safety.Outcome))
}

// clinicAlertAddresses is the clinic's own address, or failing that every active owner's.
func clinicAlertAddresses(ctx context.Context, tx *sql.Tx) ([]string, error) {
	var set string
	err := tx.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = 'email'`).Scan(&set)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("clinic email: %w", err)
	}
	if set != "" {
		return []string{set}, nil
	}
	rows, err := tx.QueryContext(ctx, `SELECT email FROM users WHERE role = 'owner' AND active = 1 ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("owner emails: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var e string
		if err := rows.Scan(&e); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// LinkAssessment attaches an assessment to the signed-in client, so the therapist sees it and
// it no longer expires. An assessment already linked to someone else is ErrNotFound.
func (s *Store) LinkAssessment(ctx context.Context, by Actor, token string) error {
	if by.Role != clinic.RoleClient || by.ClientID == 0 {
		return ErrForbidden
	}
	return s.write(ctx, func(tx *sql.Tx) error {
		return linkAssessmentHash(ctx, tx, by, hashID(token), unix(s.now()))
	})
}

// linkAssessmentHash is LinkAssessment inside the caller's transaction, by the token's hash.
func linkAssessmentHash(ctx context.Context, tx *sql.Tx, by Actor, hash []byte, now int64) error {
	var id int64
	var client sql.NullInt64
	var result string
	err := tx.QueryRowContext(ctx, `SELECT id, client_id, result FROM assessments WHERE token_hash = ?
		AND (expires_at IS NULL OR expires_at > ?)`, hash, now).Scan(&id, &client, &result)
	if err != nil {
		return fmt.Errorf("link assessment: %w", translate(err))
	}
	if client.Int64 == by.ClientID {
		return nil
	}
	if client.Valid {
		return ErrNotFound
	}
	if _, err := tx.ExecContext(ctx, `UPDATE assessments SET client_id = ?, expires_at = NULL, updated_at = ? WHERE id = ?`,
		by.ClientID, now, id); err != nil {
		return fmt.Errorf("link assessment: %w", err)
	}
	if result != "" {
		var r clinic.AssessmentResult
		if err := json.Unmarshal([]byte(result), &r); err != nil {
			return fmt.Errorf("assessment %d result: %w", id, err)
		}
		// A result that calls for a doctor first closes online booking for the person, not just
		// for this browser: a clinician reopens it on the chart once the clinic has spoken with them.
		if r.Safety.BookingBlocked {
			if err := blockClient(ctx, tx, id, by.ClientID, now); err != nil {
				return err
			}
		}
	}
	return audit(ctx, tx, by, now, "link", "assessment", id, by.ClientID, "")
}

// AssessmentAgreement tallies computed against confirmed classes, for validating the scoring
// (domain model 4.6). Owner only. Version names the scoring version; empty means all.
func (s *Store) AssessmentAgreement(ctx context.Context, by Actor, version string) ([]clinic.AgreementRow, error) {
	if by.Role != clinic.RoleOwner {
		return nil, ErrNotFound
	}
	rows, err := s.r.QueryContext(ctx, `SELECT primary_class, confirmed_class, count(*) FROM assessments
		WHERE status = 'submitted' AND confirmed_class IS NOT NULL AND (? = '' OR scoring_version = ?)
		GROUP BY 1, 2 ORDER BY 1, 2`, version, version)
	if err != nil {
		return nil, fmt.Errorf("assessment agreement: %w", err)
	}
	defer rows.Close()
	var out []clinic.AgreementRow
	for rows.Next() {
		var r clinic.AgreementRow
		if err := rows.Scan(&r.Computed, &r.Confirmed, &r.Count); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// AssessmentAlerts lists the last 30 days' results that blocked online booking, newest first,
// for reception to follow up. Staff only.
func (s *Store) AssessmentAlerts(ctx context.Context, by Actor) ([]clinic.AssessmentAlert, error) {
	if !by.Staff() {
		return nil, ErrNotFound
	}
	rows, err := s.r.QueryContext(ctx, `SELECT a.id, coalesce(a.client_id, 0), coalesce(c.name, ''), a.safety_outcome, a.updated_at
		FROM assessments a LEFT JOIN clients c ON c.id = a.client_id
		WHERE a.status = 'submitted' AND a.safety_outcome IN ('emergency', 'urgent_medical', 'refer_before_treatment')
		AND a.updated_at > ? ORDER BY a.updated_at DESC LIMIT 100`, unix(s.now().AddDate(0, 0, -30)))
	if err != nil {
		return nil, fmt.Errorf("assessment alerts: %w", err)
	}
	defer rows.Close()
	var out []clinic.AssessmentAlert
	for rows.Next() {
		var r clinic.AssessmentAlert
		var at int64
		if err := rows.Scan(&r.ID, &r.ClientID, &r.ClientName, &r.Outcome, &at); err != nil {
			return nil, err
		}
		r.At = unixTime(at)
		out = append(out, r)
	}
	return out, rows.Err()
}
