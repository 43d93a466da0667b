package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"allium/clinic"
)

// ClientDetails is what reception types in for a new client.
type ClientDetails struct {
	Name     string
	Email    string // optional: some clients only give a phone number
	Phone    string
	Cautions string
}

// ErrClientExists is returned by AddClient, with the existing record, when a client with the
// same email is already on file: the desk opens that one rather than making a twin.
var ErrClientExists = fmt.Errorf("a client with this email is already on file: %w", ErrConflict)

const clientColumns = `c.id, coalesce(c.user_id, 0), c.name, c.email, c.phone, c.birth_date, c.cautions, c.notes,
	c.consent_treatment_at, c.consent_reminders, c.nudges_opt_out, c.booking_blocked, c.created_at`

func scanClient(row interface{ Scan(...any) error }) (clinic.Client, error) {
	var c clinic.Client
	var consent sql.NullInt64
	var created int64
	err := row.Scan(&c.ID, &c.UserID, &c.Name, &c.Email, &c.Phone, &c.BirthDate, &c.Cautions, &c.Notes,
		&consent, &c.ConsentReminders, &c.NudgesOptOut, &c.BookingBlocked, &created)
	c.ConsentTreatmentAt, c.CreatedAt = nullUnix(consent), unixTime(created)
	return c, err
}

func queryClients(ctx context.Context, db querier, where string, args ...any) ([]clinic.Client, error) {
	var out []clinic.Client
	err := scanInto(ctx, db, func(r *sql.Rows) error {
		c, err := scanClient(r)
		out = append(out, c)
		return err
	}, `SELECT `+clientColumns+` FROM clients c WHERE c.merged_into IS NULL AND `+where, args...)
	return out, err
}

// likeEscape makes user text match literally inside a LIKE pattern with ESCAPE '\'.
func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// digitsOnly keeps the digits of a phone number as typed, so "0412 345" finds "0412345678".
func digitsOnly(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// SearchClients finds clients whose name, email or phone contains q, names starting with q
// first. An empty q lists the newest clients. Staff only.
func (s *Store) SearchClients(ctx context.Context, by Actor, q string, limit int) ([]clinic.Client, error) {
	if !by.Staff() {
		return nil, ErrNotFound
	}
	if limit <= 0 || limit > 100 {
		limit = 50
	}
	q = strings.TrimSpace(q)
	if q == "" {
		return queryClients(ctx, s.r, `1 = 1 ORDER BY c.id DESC LIMIT ?`, limit)
	}
	pat := "%" + likeEscape(q) + "%"
	digits := digitsOnly(q)
	return queryClients(ctx, s.r, `(c.name LIKE ? ESCAPE '\' OR c.email LIKE ? ESCAPE '\' OR c.phone LIKE ? ESCAPE '\'
		OR (? <> '' AND replace(replace(replace(c.phone, ' ', ''), '-', ''), '+', '') LIKE '%' || ? || '%'))
		ORDER BY c.name LIKE ? ESCAPE '\' DESC, c.name COLLATE NOCASE, c.id LIMIT ?`,
		pat, pat, pat, digits, digits, likeEscape(q)+"%", limit)
}

// ClientByID returns a client's record: staff see any, a client only their own. Anything else
// is ErrNotFound, the same as a missing record.
func (s *Store) ClientByID(ctx context.Context, by Actor, id int64) (clinic.Client, error) {
	if !by.Staff() && (by.ClientID == 0 || by.ClientID != id) {
		return clinic.Client{}, ErrNotFound
	}
	list, err := queryClients(ctx, s.r, `c.id = ?`, id)
	if err != nil {
		return clinic.Client{}, err
	}
	if len(list) == 0 {
		return clinic.Client{}, fmt.Errorf("client %d: %w", id, ErrNotFound)
	}
	return list[0], nil
}

// AddClient makes a client record for someone who phoned or walked in; they can make an
// account later with the same email and it links to this record. Staff only.
func (s *Store) AddClient(ctx context.Context, by Actor, d ClientDetails) (clinic.Client, error) {
	if !by.Staff() {
		return clinic.Client{}, ErrNotFound
	}
	var c clinic.Client
	err := s.write(ctx, func(tx *sql.Tx) error {
		if d.Email != "" {
			same, err := queryClients(ctx, tx, `c.email = ? ORDER BY c.id LIMIT 1`, d.Email)
			if err != nil {
				return err
			}
			if len(same) > 0 {
				c = same[0]
				return ErrClientExists
			}
		}
		now := unix(s.now())
		var id int64
		if err := tx.QueryRowContext(ctx, `INSERT INTO clients (name, email, phone, cautions, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?) RETURNING id`, d.Name, d.Email, d.Phone, d.Cautions, now, now).Scan(&id); err != nil {
			return fmt.Errorf("add client: %w", err)
		}
		list, err := queryClients(ctx, tx, `c.id = ?`, id)
		if err != nil || len(list) == 0 {
			return errors.Join(ErrNotFound, err)
		}
		c = list[0]
		return audit(ctx, tx, by, now, "create", "client", id, id, "")
	})
	return c, err
}

// RecallList lists stalled courses whose last session was after since, longest waiting first.
// A session counts as done when it was held (booked, checked in or completed in the past);
// no-shows and cancellations do not. Staff only.
//
// Only courses with a session since `since` are looked at, through the start-time index, so
// the cost follows the recent weeks, not the clinic's whole history.
func (s *Store) RecallList(ctx context.Context, by Actor, since time.Time, limit int) ([]clinic.RecallCourse, error) {
	if !by.Staff() {
		return nil, ErrNotFound
	}
	if limit <= 0 || limit > 500 {
		limit = 200
	}
	now := unix(s.now())
	var out []clinic.RecallCourse
	err := scanInto(ctx, s.r, func(r *sql.Rows) error {
		var rc clinic.RecallCourse
		var last int64
		err := r.Scan(&rc.CourseID, &rc.ClientID, &rc.ClientName, &rc.ClientPhone, &rc.ClientEmail, &rc.TherapistID,
			&rc.TherapistName, &rc.ServiceID, &rc.ServiceName, &rc.Sessions, &rc.SpacingMax, &last, &rc.Done)
		rc.LastAt = unixTime(last)
		out = append(out, rc)
		return err
	}, `SELECT co.id, co.client_id, c.name, c.phone, c.email, co.therapist_id, t.name, co.service_id, sv.name,
			co.sessions, co.spacing_max, x.last_at, x.done
		FROM (SELECT a.course_id,
				max(CASE WHEN a.status <> `+sqlCancelled+` AND a.starts_at < ?1 THEN a.starts_at END) AS last_at,
				sum(a.status IN (`+sqlBooked+`, `+sqlCheckedIn+`, `+sqlCompleted+`) AND a.starts_at < ?1) AS done,
				sum(a.status IN (`+sqlBooked+`, `+sqlCheckedIn+`) AND a.starts_at >= ?1) AS ahead
			FROM appointments a
			WHERE a.course_id IN (SELECT course_id FROM appointments INDEXED BY appointments_start
				WHERE starts_at >= ?2 AND starts_at < ?1 AND course_id IS NOT NULL)
			GROUP BY a.course_id) x
		JOIN courses co ON co.id = x.course_id
		JOIN clients c ON c.id = co.client_id
		JOIN users t ON t.id = co.therapist_id
		JOIN services sv ON sv.id = co.service_id
		WHERE x.ahead = 0 AND x.last_at IS NOT NULL AND x.done < co.sessions
			AND x.last_at < ?1 - co.spacing_max * 86400 AND c.merged_into IS NULL
		ORDER BY x.last_at LIMIT ?3`, now, unix(since), limit)
	return out, err
}
