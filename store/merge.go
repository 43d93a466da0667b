package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"allium/clinic"
)

// clientTables are the tables whose rows belong to a client; a merge re-files them all. The
// audit log is not among them: it records what happened to which record at the time.
var clientTables = []string{"courses", "appointments", "waitlist", "assessments", "findings", "treatment_plans",
	"session_notes", "reassessments", "outcome_readings", "referrals", "flag_clearances", "invoices", "payments"}

// ErrBothAccounts refuses a merge of two records that each have a sign-in account: one person
// cannot keep two, and which to keep is theirs to say, so the clinic asks them first.
var ErrBothAccounts = fmt.Errorf("both records have an account: %w", ErrConflict)

// MergeClients moves everything of the record `drop` (appointments, courses, plans, notes,
// findings, assessments ...) to the record `keep`, fills keep's empty contact details from drop,
// joins both cautions, and retires drop, in one transaction with an audit row. Content of
// clinical records is unchanged; only the client they are filed under changes. Owner and
// reception only; unknown or already merged records are ErrNotFound.
func (s *Store) MergeClients(ctx context.Context, by Actor, keep, drop int64) error {
	if by.Role != clinic.RoleOwner && by.Role != clinic.RoleReception {
		return ErrNotFound
	}
	if keep == drop {
		return fmt.Errorf("merge a record with itself: %w", ErrConflict)
	}
	return s.write(ctx, func(tx *sql.Tx) error {
		both, err := queryClients(ctx, tx, `c.id IN (?, ?) ORDER BY c.id = ? DESC`, keep, drop, keep)
		if err != nil {
			return err
		}
		if len(both) != 2 {
			return ErrNotFound
		}
		k, d := both[0], both[1]
		if k.UserID != 0 && d.UserID != 0 {
			return ErrBothAccounts
		}
		for _, table := range clientTables {
			if _, err := tx.ExecContext(ctx, `UPDATE `+table+` SET client_id = ? WHERE client_id = ?`, keep, drop); err != nil {
				return fmt.Errorf("merge %s: %w", table, err)
			}
		}
		now := unix(s.now())
		if _, err := tx.ExecContext(ctx, `UPDATE clients SET merged_into = ?, user_id = NULL, updated_at = ? WHERE id = ?`,
			keep, now, drop); err != nil {
			return err
		}
		cautions := strings.TrimSpace(strings.Join(nonEmpty(k.Cautions, d.Cautions), "\n"))
		if _, err := tx.ExecContext(ctx, `UPDATE clients SET
			user_id = coalesce(user_id, ?), email = CASE WHEN email = '' THEN ? ELSE email END,
			phone = CASE WHEN phone = '' THEN ? ELSE phone END,
			birth_date = CASE WHEN birth_date = '' THEN ? ELSE birth_date END,
			cautions = ?, booking_blocked = max(booking_blocked, ?), updated_at = ? WHERE id = ?`,
			nullID(d.UserID), d.Email, d.Phone, d.BirthDate, cautions, d.BookingBlocked, now, keep); err != nil {
			return err
		}
		return audit(ctx, tx, by, now, "merge", "client", keep, keep, fmt.Sprintf("merged client #%d (%s) into this record", drop, d.Name))
	})
}

func nonEmpty(ss ...string) []string {
	var out []string
	for _, s := range ss {
		if strings.TrimSpace(s) != "" && !contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// UpdateClient changes a client's contact details and cautions. Staff only. An email another
// client already has is ErrClientExists.
func (s *Store) UpdateClient(ctx context.Context, by Actor, id int64, d ClientDetails) error {
	if !by.Staff() {
		return ErrNotFound
	}
	return s.write(ctx, func(tx *sql.Tx) error {
		if d.Email != "" {
			same, err := queryClients(ctx, tx, `c.email = ? AND c.id <> ? LIMIT 1`, d.Email, id)
			if err != nil {
				return err
			}
			if len(same) > 0 {
				return ErrClientExists
			}
		}
		now := unix(s.now())
		res, err := tx.ExecContext(ctx, `UPDATE clients SET name = ?, email = ?, phone = ?, cautions = ?, updated_at = ?
			WHERE id = ? AND merged_into IS NULL`, d.Name, d.Email, d.Phone, d.Cautions, now, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrNotFound
		}
		return audit(ctx, tx, by, now, "update", "client", id, id, "")
	})
}

// LikelyDuplicates lists other records that share the client's name, email or phone digits,
// for reception to merge. Staff only.
func (s *Store) LikelyDuplicates(ctx context.Context, by Actor, c clinic.Client) ([]clinic.Client, error) {
	if !by.Staff() {
		return nil, ErrNotFound
	}
	digits := strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, c.Phone)
	return queryClients(ctx, s.r, `c.id <> ? AND (c.name = ? COLLATE NOCASE OR (? <> '' AND c.email = ?)
		OR (length(?) >= 8 AND replace(replace(replace(c.phone, ' ', ''), '-', ''), '+', '') = ?)) ORDER BY c.id LIMIT 10`,
		c.ID, c.Name, c.Email, c.Email, digits, digits)
}
