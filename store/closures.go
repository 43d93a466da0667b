package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"time"

	"allium/clinic"
)

// Closure is a date the whole clinic is closed: a public holiday, the Christmas break.
type Closure struct {
	Date   clinic.Date
	Reason string
}

// DateHours are a therapist's one-off hours for a date, replacing the weekly hours that day;
// no shifts is a day away.
type DateHours struct {
	TherapistID int64
	Date        clinic.Date
	Shifts      []clinic.Shift
}

// dayBounds are the instants a civil date starts and ends in loc: 23 or 25 hours apart on the
// days the clocks change.
func dayBounds(d clinic.Date, loc *time.Location) (time.Time, time.Time) {
	return time.Date(d.Y, d.M, d.D, 0, 0, 0, 0, loc), time.Date(d.Y, d.M, d.D+1, 0, 0, 0, 0, loc)
}

// Closures lists the closures from a date on. Staff only.
func (s *Store) Closures(ctx context.Context, by Actor, from clinic.Date) ([]Closure, error) {
	if !by.Staff() {
		return nil, ErrNotFound
	}
	return closuresIn(ctx, s.r, from.String(), "9999-12-31")
}

func closuresIn(ctx context.Context, db rowsQuerier, from, to string) ([]Closure, error) {
	var out []Closure
	err := scanInto(ctx, db, func(r *sql.Rows) error {
		var c Closure
		var d string
		if err := r.Scan(&d, &c.Reason); err != nil {
			return err
		}
		var err error
		c.Date, err = clinic.ParseDate(d)
		out = append(out, c)
		return err
	}, `SELECT date, reason FROM closures WHERE date >= ? AND date <= ? ORDER BY date`, from, to)
	return out, err
}

// AddClosure closes the clinic for a date (or changes the reason of a closure there is) and
// returns the bookings that day, for reception to move or cancel: they stay booked until
// someone does. Owner only.
func (s *Store) AddClosure(ctx context.Context, by Actor, c Closure, loc *time.Location) ([]BookingRef, error) {
	if err := ownerOnly(by); err != nil {
		return nil, err
	}
	var conflicts []BookingRef
	err := s.write(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO closures (date, reason) VALUES (?, ?)
			ON CONFLICT (date) DO UPDATE SET reason = excluded.reason`, c.Date.String(), c.Reason); err != nil {
			return err
		}
		from, to := dayBounds(c.Date, loc)
		var err error
		if conflicts, err = bookingsBetween(ctx, tx, `1 = 1`, from, to); err != nil {
			return err
		}
		return audit(ctx, tx, by, unix(s.now()), "add_closure", "clinic", 0, 0, c.Date.String())
	})
	return conflicts, err
}

// bookingsBetween lists the active bookings matching cond that overlap [from, to).
func bookingsBetween(ctx context.Context, db querier, cond string, from, to time.Time, args ...any) ([]BookingRef, error) {
	return bookingRefs(ctx, db, `SELECT a.id, c.name, a.starts_at FROM appointments a JOIN clients c ON c.id = a.client_id
		WHERE `+cond+` AND a.status IN (`+sqlBooked+`, `+sqlCheckedIn+`) AND a.starts_at > ? AND a.starts_at < ? AND a.busy_until > ?
		ORDER BY a.starts_at`, append(args, unix(from)-43200, unix(to), unix(from))...)
}

// bookingRefs runs a query whose rows are an appointment's id, its client's name and its start.
func bookingRefs(ctx context.Context, db querier, query string, args ...any) ([]BookingRef, error) {
	var out []BookingRef
	err := scanInto(ctx, db, func(r *sql.Rows) error {
		var b BookingRef
		var st int64
		err := r.Scan(&b.AppointmentID, &b.ClientName, &st)
		b.Start = unixTime(st)
		out = append(out, b)
		return err
	}, query, args...)
	return out, err
}

// DeleteClosure opens the clinic again on a date. Owner only.
func (s *Store) DeleteClosure(ctx context.Context, by Actor, d clinic.Date) error {
	if err := ownerOnly(by); err != nil {
		return err
	}
	return s.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM closures WHERE date = ?`, d.String())
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrNotFound
		}
		return audit(ctx, tx, by, unix(s.now()), "delete_closure", "clinic", 0, 0, d.String())
	})
}

// DateHoursOf lists a therapist's one-off hours from a date on. Same access as the hours.
func (s *Store) DateHoursOf(ctx context.Context, by Actor, therapistID int64, from clinic.Date) ([]DateHours, error) {
	if !canEditTherapist(by, therapistID) {
		return nil, ErrNotFound
	}
	m, err := dateHoursIn(ctx, s.r, []int64{therapistID}, from.String(), "9999-12-31")
	if err != nil {
		return nil, err
	}
	var out []DateHours
	for d, shifts := range m[therapistID] {
		out = append(out, DateHours{TherapistID: therapistID, Date: d, Shifts: shifts})
	}
	slices.SortFunc(out, func(a, b DateHours) int { return a.Date.Compare(b.Date) })
	return out, nil
}

// dateHoursIn reads the one-off hours of the therapists between two dates (inclusive).
func dateHoursIn(ctx context.Context, db rowsQuerier, ids []int64, from, to string) (map[int64]map[clinic.Date][]clinic.Shift, error) {
	out := map[int64]map[clinic.Date][]clinic.Shift{}
	if len(ids) == 0 {
		return out, nil
	}
	args := make([]any, 0, len(ids)+2)
	for _, id := range ids {
		args = append(args, id)
	}
	err := scanInto(ctx, db, func(r *sql.Rows) error {
		var id int64
		var d, shifts string
		if err := r.Scan(&id, &d, &shifts); err != nil {
			return err
		}
		date, err := clinic.ParseDate(d)
		if err != nil {
			return err
		}
		sh, err := clinic.ParseShifts(shifts)
		if err != nil {
			return fmt.Errorf("hours of %d on %s: %w", id, d, err)
		}
		if out[id] == nil {
			out[id] = map[clinic.Date][]clinic.Shift{}
		}
		out[id][date] = sh
		return nil
	}, `SELECT therapist_id, date, shifts FROM date_hours WHERE therapist_id IN (`+placeholders(len(ids))+`)
		AND date >= ? AND date <= ?`, append(args, from, to)...)
	return out, err
}

// SetDateHours sets a therapist's hours for one date and returns the bookings that day that
// no longer fit, for reception to move or cancel. Same access as SetHours.
func (s *Store) SetDateHours(ctx context.Context, by Actor, dh DateHours, loc *time.Location) ([]BookingRef, error) {
	if !canEditTherapist(by, dh.TherapistID) {
		return nil, ErrNotFound
	}
	var day clinic.WeeklyHours
	day[dh.Date.Weekday()] = dh.Shifts
	if err := day.Validate(); err != nil {
		return nil, err
	}
	var conflicts []BookingRef
	err := s.write(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM users WHERE id = ? AND role = 'therapist'`, dh.TherapistID).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return ErrNotFound
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO date_hours (therapist_id, date, shifts) VALUES (?, ?, ?)
			ON CONFLICT (therapist_id, date) DO UPDATE SET shifts = excluded.shifts`,
			dh.TherapistID, dh.Date.String(), clinic.FormatShifts(dh.Shifts)); err != nil {
			return err
		}
		from, to := dayBounds(dh.Date, loc)
		err := scanInto(ctx, tx, func(r *sql.Rows) error {
			var b BookingRef
			var st, bu int64
			if err := r.Scan(&b.AppointmentID, &b.ClientName, &st, &bu); err != nil {
				return err
			}
			b.Start = unixTime(st)
			if !day.Covers(loc, b.Start, unixTime(bu)) {
				conflicts = append(conflicts, b)
			}
			return nil
		}, `SELECT a.id, c.name, a.starts_at, a.busy_until FROM appointments a JOIN clients c ON c.id = a.client_id
			WHERE a.therapist_id = ? AND a.status IN (`+sqlBooked+`, `+sqlCheckedIn+`) AND a.starts_at >= ? AND a.starts_at < ?
			ORDER BY a.starts_at`, dh.TherapistID, unix(from), unix(to))
		if err != nil {
			return err
		}
		return audit(ctx, tx, by, unix(s.now()), "set_date_hours", "therapist", dh.TherapistID, 0,
			fmt.Sprintf("%s: %d conflicts", dh.Date, len(conflicts)))
	})
	return conflicts, err
}

// DeleteDateHours puts a therapist back on their weekly hours for a date.
func (s *Store) DeleteDateHours(ctx context.Context, by Actor, therapistID int64, d clinic.Date) error {
	if !canEditTherapist(by, therapistID) {
		return ErrNotFound
	}
	return s.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM date_hours WHERE therapist_id = ? AND date = ?`, therapistID, d.String())
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrNotFound
		}
		return audit(ctx, tx, by, unix(s.now()), "delete_date_hours", "therapist", therapistID, 0, d.String())
	})
}
