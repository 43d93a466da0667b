package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"allium/clinic"
)

// DemoMoney gives a demo clinic's history its money: each appointment without a price gets
// its service's, each completed one without an invoice gets one (numbered on from the last,
// in order of the session's end), and most invoices are paid on the day, by a believable mix
// of methods; about one in twenty is left owing. Safe to repeat: it fills only what is
// missing. For the demo and the benchmarks' large clinic, run before the server starts.
func (s *Store) DemoMoney(ctx context.Context, by Actor) error {
	if by.Role != System.Role {
		return ErrForbidden
	}
	return s.write(ctx, func(tx *sql.Tx) error {
		set, err := s.settingsIn(ctx, tx)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE appointments SET price_cents = (SELECT price_cents FROM services s WHERE s.id = service_id)
			WHERE price_cents = 0`); err != nil {
			return fmt.Errorf("demo prices: %w", err)
		}
		gst := set.GSTRegistered
		// The month of each session in the clinic's zone, from a small table of the months'
		// bounds: SQLite knows no time zones, and an invoice's month decides its revenue line.
		if err := demoMonths(ctx, tx, set); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO invoices (number, kind, appointment_id, client_id, therapist_id, client_name,
			therapist_name, provider_number, clinic_name, clinic_address, clinic_phone, business_number, gst_registered, currency,
			item, duration_min, service_id, served_at, served_month, amount_cents, gst_cents, issued_at)
			SELECT (SELECT coalesce(max(number), 0) FROM invoices) + row_number() OVER (ORDER BY a.ends_at, a.id), 'invoice',
				a.id, a.client_id, a.therapist_id, c.name, t.name,
				replace(coalesce((SELECT provider_numbers FROM therapist_profiles p WHERE p.therapist_id = a.therapist_id), ''), char(10), '; '),
				?, ?, ?, ?, ?, ?,
				sv.name || ', ' || ((a.ends_at - a.starts_at) / 60) || ' min', (a.ends_at - a.starts_at) / 60, a.service_id,
				a.starts_at, m.month, a.price_cents, CASE WHEN ? THEN (2 * a.price_cents + 11) / 22 ELSE 0 END, a.ends_at
			FROM appointments a JOIN clients c ON c.id = a.client_id JOIN users t ON t.id = a.therapist_id
				JOIN services sv ON sv.id = a.service_id
				JOIN temp.demo_months m ON a.starts_at >= m.from_at AND a.starts_at < m.to_at
			WHERE a.status = `+sqlCompleted+` AND a.price_cents > 0
				AND NOT EXISTS (SELECT 1 FROM invoices i WHERE i.appointment_id = a.id AND i.kind = 'invoice')
			ORDER BY a.ends_at, a.id`,
			set.Name, set.Address, set.Phone, set.BusinessNumber, gst, string(set.Currency), gst); err != nil {
			return fmt.Errorf("demo invoices: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO payments (client_id, appointment_id, therapist_id, method, amount_cents,
			idem_key, taken_at)
			SELECT i.client_id, i.appointment_id, i.therapist_id,
				CASE i.id % 10 WHEN 0 THEN 'cash' WHEN 1 THEN 'cash' WHEN 2 THEN 'transfer' ELSE 'card' END,
				i.amount_cents, 'demo:' || i.id, i.issued_at
			FROM invoices i
			WHERE i.kind = 'invoice' AND i.id % 20 <> 7 AND i.appointment_id IS NOT NULL -- a package is paid by DemoPrepaid
				AND NOT EXISTS (SELECT 1 FROM payments p WHERE p.appointment_id = i.appointment_id)`); err != nil {
			return fmt.Errorf("demo payments: %w", err)
		}
		_, err = tx.ExecContext(ctx, `DROP TABLE temp.demo_months`)
		return err
	})
}

// demoMonths fills temp.demo_months with the bounds, in the clinic's zone, of every month the
// appointments span.
func demoMonths(ctx context.Context, tx *sql.Tx, set clinic.Settings) error {
	loc, err := set.Location()
	if err != nil {
		return err
	}
	var lo, hi sql.NullInt64
	if err := tx.QueryRowContext(ctx, `SELECT min(starts_at), max(starts_at) FROM appointments`).Scan(&lo, &hi); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `CREATE TEMP TABLE demo_months (month INTEGER, from_at INTEGER, to_at INTEGER)`); err != nil {
		return err
	}
	if !lo.Valid {
		return nil
	}
	first := time.Unix(lo.Int64, 0).In(loc)
	for m := time.Date(first.Year(), first.Month(), 1, 0, 0, 0, 0, loc); m.Unix() <= hi.Int64; m = m.AddDate(0, 1, 0) {
		if _, err := tx.ExecContext(ctx, `INSERT INTO temp.demo_months VALUES (?, ?, ?)`,
			int(clinic.MonthOf(m, loc)), m.Unix(), m.AddDate(0, 1, 0).Unix()); err != nil {
			return err
		}
	}
	return nil
}

// DemoPrepaid sells the newest course of the client with this email that still has sessions
// ahead as a prepaid package, paid by card in full, so the demo shows a prepaid course at the
// desk and on the client's pages. Safe to repeat: the forms' keys are the course's.
func (s *Store) DemoPrepaid(ctx context.Context, by Actor, email string) error {
	if by.Role != System.Role {
		return ErrForbidden
	}
	var course int64
	err := s.r.QueryRowContext(ctx, `SELECT co.id FROM courses co JOIN clients c ON c.id = co.client_id
		WHERE c.email = ? AND EXISTS (SELECT 1 FROM appointments a WHERE a.course_id = co.id AND a.status = `+sqlBooked+`
			AND a.starts_at > ?) ORDER BY co.id DESC LIMIT 1`, email, unix(s.now())).Scan(&course)
	if errors.Is(err, sql.ErrNoRows) {
		return nil // nothing ahead to sell
	}
	if err != nil {
		return fmt.Errorf("demo prepaid: %w", err)
	}
	key := fmt.Sprintf("demo-prepaid-%d", course)
	pk, _, err := s.SellPackage(ctx, by, course, key)
	var fe *FieldError
	if errors.As(err, &fe) {
		return nil // sold before under another key, or nothing left to sell
	}
	if err != nil {
		return err
	}
	_, _, err = s.PayPackage(ctx, by, course, PaymentRequest{Method: clinic.PayCard, Amount: pk.Amount, Key: key + "-paid"})
	if errors.As(err, &fe) {
		return nil // paid before
	}
	return err
}
