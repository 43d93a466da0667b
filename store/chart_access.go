package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"allium/clinic"
)

// The chart is the clinical record: findings, plans, session notes, readings, reassessments
// and referrals. Only the owner and a treating therapist (one who has or had an appointment
// with the client) read it; everyone else gets ErrNotFound, as for a client who does not
// exist. Every read and every write of it lands in the audit log: a write's row in its own
// transaction, a read's in the view log after the read (views.go).

// ErrInvalidRecord says a clinical record failed its checks. Handlers run the same Validate
// first and answer 422; this is the backstop for a caller that did not.
var ErrInvalidRecord = errors.New("invalid clinical record")

// invalid wraps the first problem of a record into ErrInvalidRecord.
func invalidRecord(what string, problems map[string]string) error {
	for k, v := range problems {
		return fmt.Errorf("%s: %s: %s: %w", what, k, v, ErrInvalidRecord)
	}
	return nil
}

// clinicalAccess admits the owner and treating therapists to a client's clinical record.
func clinicalAccess(ctx context.Context, tx *sql.Tx, by Actor, clientID int64) error {
	var ok bool
	var err error
	switch by.Role {
	case clinic.RoleOwner:
		err = tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM clients WHERE id = ?)`, clientID).Scan(&ok)
	case clinic.RoleTherapist:
		err = tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM appointments
			WHERE client_id = ? AND therapist_id = ? AND status <> `+sqlCancelled+`)`, clientID, by.UserID).Scan(&ok)
	}
	if err != nil {
		return fmt.Errorf("clinical access: %w", err)
	}
	if !ok {
		return fmt.Errorf("client %d: %w", clientID, ErrNotFound)
	}
	return nil
}

// clinicalWriter is clinicalAccess for a change: the change is signed by a real person.
func clinicalWriter(ctx context.Context, tx *sql.Tx, by Actor, clientID int64) error {
	if by.UserID == 0 {
		return fmt.Errorf("clinical record written by no one: %w", ErrForbidden)
	}
	return clinicalAccess(ctx, tx, by, clientID)
}

// MayTreat returns nil when the actor may read and write the client's clinical record, and
// ErrNotFound otherwise. Handlers ask it before looking at a form, so a person without access
// learns nothing from the answer, not even which field was wrong. Nothing is read, so nothing
// is audited.
func (s *Store) MayTreat(ctx context.Context, by Actor, clientID int64) error {
	return s.read(ctx, func(tx *sql.Tx) error { return clinicalAccess(ctx, tx, by, clientID) })
}

// MayTreatPlan is MayTreat for the client a plan belongs to.
func (s *Store) MayTreatPlan(ctx context.Context, by Actor, planID int64) error {
	return s.read(ctx, func(tx *sql.Tx) error {
		clientID, err := planClient(ctx, tx, planID)
		if err != nil {
			return err
		}
		return clinicalAccess(ctx, tx, by, clientID)
	})
}
