package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"allium/clinic"
)

// An assessment whose safety answers call for a doctor first closes online booking for the
// person. A browser is not a person: the block is kept against the email and the phone the
// person books with, and on their client record, so another browser or a second, all-clear
// assessment does not lift it. Only a clinician clears it, on the chart.

// phoneKey is a phone number as blocks compare it: its digits, "" when too short to name anyone.
func phoneKey(phone string) string {
	var b strings.Builder
	for _, r := range phone {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	if b.Len() < 6 {
		return ""
	}
	return b.String()
}

// safetyBlocked reports whether an uncleared block names this email or phone.
func safetyBlocked(ctx context.Context, tx *sql.Tx, email, phone string) (bool, error) {
	var n int
	err := tx.QueryRowContext(ctx, `SELECT count(*) FROM safety_blocks WHERE cleared_at IS NULL
		AND ((email <> '' AND email = ?) OR (phone <> '' AND phone = ?))`, email, phoneKey(phone)).Scan(&n)
	return n > 0, err
}

// recordSafetyBlock keeps a block for an assessment against an email and a phone.
func recordSafetyBlock(ctx context.Context, tx *sql.Tx, assessmentID int64, email, phone string, now int64) error {
	if email == "" && phoneKey(phone) == "" {
		return nil
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO safety_blocks (assessment_id, email, phone, created_at) VALUES (?, ?, ?, ?)`,
		assessmentID, email, phoneKey(phone), now)
	return err
}

// blockClient closes online booking for a client: their record, their email and their phone.
func blockClient(ctx context.Context, tx *sql.Tx, assessmentID, clientID, now int64) error {
	var email, phone string
	err := tx.QueryRowContext(ctx, `UPDATE clients SET booking_blocked = 1, updated_at = ? WHERE id = ? RETURNING email, phone`,
		now, clientID).Scan(&email, &phone)
	if err != nil {
		return fmt.Errorf("block client %d: %w", clientID, translate(err))
	}
	return recordSafetyBlock(ctx, tx, assessmentID, email, phone, now)
}

// BlockVisitor records that the visitor whose browser holds this assessment gave this email
// and phone: if its result called for a doctor first, booking stays closed for both. It
// reports whether the assessment blocks booking.
func (s *Store) BlockVisitor(ctx context.Context, token, email, phone string) (bool, error) {
	var blocked bool
	err := s.write(ctx, func(tx *sql.Tx) error {
		a, err := s.assessmentByToken(ctx, tx, token)
		if err != nil || a.Result == nil || !a.Result.Safety.BookingBlocked {
			return ignoreNotFound(err)
		}
		blocked = true
		return recordSafetyBlock(ctx, tx, a.ID, email, phone, unix(s.now()))
	})
	return blocked, err
}

func ignoreNotFound(err error) error {
	if errors.Is(err, ErrNotFound) {
		return nil
	}
	return err
}

// ClearSafetyBlock reopens online booking for a client after the clinic has spoken with them:
// their record and every block on their email and phone. A clinician treating the client only;
// audited.
func (s *Store) ClearSafetyBlock(ctx context.Context, by Actor, clientID int64) error {
	if by.Role != clinic.RoleOwner && by.Role != clinic.RoleTherapist {
		return ErrNotFound
	}
	return s.write(ctx, func(tx *sql.Tx) error {
		if err := clinicalAccess(ctx, tx, by, clientID); err != nil {
			return err
		}
		now := unix(s.now())
		var email, phone string
		err := tx.QueryRowContext(ctx, `UPDATE clients SET booking_blocked = 0, updated_at = ? WHERE id = ? AND merged_into IS NULL
			RETURNING email, phone`, now, clientID).Scan(&email, &phone)
		if err != nil {
			return fmt.Errorf("clear block of client %d: %w", clientID, translate(err))
		}
		_, err = tx.ExecContext(ctx, `UPDATE safety_blocks SET cleared_at = ?, cleared_by = ? WHERE cleared_at IS NULL
			AND ((email <> '' AND email = ?) OR (phone <> '' AND phone = ?))`, now, by.UserID, email, phoneKey(phone))
		if err != nil {
			return err
		}
		return audit(ctx, tx, by, now, "clear_safety_block", "client", clientID, clientID, "")
	})
}

// SafetyBlocked reports whether online booking is closed for a client, by their record or by a
// block on their email or phone. Staff only (the chart shows it).
func (s *Store) SafetyBlocked(ctx context.Context, by Actor, clientID int64) (bool, error) {
	if !by.Staff() {
		return false, ErrNotFound
	}
	var blocked bool
	err := s.read(ctx, func(tx *sql.Tx) error {
		var email, phone string
		err := tx.QueryRowContext(ctx, `SELECT booking_blocked, email, phone FROM clients WHERE id = ?`, clientID).
			Scan(&blocked, &email, &phone)
		if err != nil || blocked {
			return translate(err)
		}
		blocked, err = safetyBlocked(ctx, tx, email, phone)
		return err
	})
	return blocked, err
}

// AssessmentBlocks reports whether the assessment a token opens called for a doctor first and
// no clinician has cleared a block made from it.
func (s *Store) AssessmentBlocks(ctx context.Context, token string) (bool, error) {
	var blocks bool
	err := s.read(ctx, func(tx *sql.Tx) error {
		a, err := s.assessmentByToken(ctx, tx, token)
		if err != nil || a.Result == nil || !a.Result.Safety.BookingBlocked {
			return ignoreNotFound(err)
		}
		var cleared int
		err = tx.QueryRowContext(ctx, `SELECT count(*) FROM safety_blocks WHERE assessment_id = ? AND cleared_at IS NOT NULL`, a.ID).Scan(&cleared)
		blocks = cleared == 0
		return err
	})
	return blocks, err
}
