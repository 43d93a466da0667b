package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"time"

	"allium/clinic"
)

// TimeOff is a stretch of time a therapist is away: leave, training, an errand. Free-time
// search skips it; bookings already inside it are listed, never dropped.
type TimeOff struct {
	ID          int64
	TherapistID int64
	Start, End  time.Time
	Reason      string
}

// TherapistSchedule is one therapist's weekly hours and coming time off, as the hours page
// edits them.
type TherapistSchedule struct {
	Therapist User
	Hours     clinic.WeeklyHours
	TimeOff   []TimeOff // ending after the time asked from, soonest first
}

// TherapistSchedule returns a therapist's hours and the time off that ends after from. The
// owner and reception may read anyone's; a therapist only their own: anything else is
// ErrNotFound, the same as for someone who is not a therapist.
func (s *Store) TherapistSchedule(ctx context.Context, by Actor, therapistID int64, from time.Time) (TherapistSchedule, error) {
	if !canEditTherapist(by, therapistID) {
		return TherapistSchedule{}, ErrNotFound
	}
	var ts TherapistSchedule
	err := s.read(ctx, func(tx *sql.Tx) error {
		var err error
		ts.Therapist, err = scanUser(tx.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE id = ? AND role = 'therapist'`, therapistID))
		if err != nil {
			return fmt.Errorf("therapist %d: %w", therapistID, err)
		}
		if ts.Hours, err = hoursIn(ctx, tx, therapistID); err != nil {
			return err
		}
		ts.TimeOff, err = timeOffIn(ctx, tx, `therapist_id = ? AND ends_at > ? ORDER BY starts_at`, therapistID, unix(from))
		return err
	})
	return ts, err
}

func hoursIn(ctx context.Context, db querier, therapistID int64) (clinic.WeeklyHours, error) {
	var h clinic.WeeklyHours
	err := scanInto(ctx, db, func(r *sql.Rows) error {
		var wd, st, en int
		err := r.Scan(&wd, &st, &en)
		h[wd] = append(h[wd], clinic.Shift{Start: clinic.ClockTime(st), End: clinic.ClockTime(en)})
		return err
	}, `SELECT weekday, start_min, end_min FROM therapist_hours WHERE therapist_id = ? ORDER BY weekday, start_min`, therapistID)
	return h, err
}

func timeOffIn(ctx context.Context, db querier, where string, args ...any) ([]TimeOff, error) {
	var out []TimeOff
	err := scanInto(ctx, db, func(r *sql.Rows) error {
		var t TimeOff
		var st, en int64
		err := r.Scan(&t.ID, &t.TherapistID, &st, &en, &t.Reason)
		t.Start, t.End = unixTime(st), unixTime(en)
		out = append(out, t)
		return err
	}, `SELECT id, therapist_id, starts_at, ends_at, reason FROM time_off WHERE `+where, args...)
	return out, err
}

// TimeOffBetween lists every therapist's time off overlapping [from, to), for the day view.
// Staff only.
func (s *Store) TimeOffBetween(ctx context.Context, by Actor, from, to time.Time) ([]TimeOff, error) {
	if !by.Staff() {
		return nil, ErrNotFound
	}
	return timeOffIn(ctx, s.r, `starts_at < ? AND ends_at > ? ORDER BY therapist_id, starts_at`, unix(to), unix(from))
}

// AllHours returns the weekly hours of every therapist in one query, keyed by therapist, so
// a day view of twenty therapists costs one round trip rather than twenty.
func (s *Store) AllHours(ctx context.Context) (map[int64]clinic.WeeklyHours, error) {
	out := map[int64]clinic.WeeklyHours{}
	err := scanInto(ctx, s.r, func(r *sql.Rows) error {
		var id int64
		var wd, st, en int
		if err := r.Scan(&id, &wd, &st, &en); err != nil {
			return err
		}
		h := out[id]
		h[wd] = append(h[wd], clinic.Shift{Start: clinic.ClockTime(st), End: clinic.ClockTime(en)})
		out[id] = h
		return nil
	}, `SELECT therapist_id, weekday, start_min, end_min FROM therapist_hours ORDER BY therapist_id, weekday, start_min`)
	return out, err
}

// AddTimeOff records time away for a therapist and returns the bookings that fall inside it,
// for reception to move or cancel: they stay booked until someone does. The owner and
// reception may add anyone's; a therapist only their own.
func (s *Store) AddTimeOff(ctx context.Context, by Actor, therapistID int64, from, to time.Time, reason string) ([]HoursConflict, error) {
	if !canEditTherapist(by, therapistID) {
		return nil, ErrNotFound
	}
	if !to.After(from) {
		return nil, fmt.Errorf("time off ends before it starts: %w", ErrConflict)
	}
	var conflicts []HoursConflict
	err := s.write(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM users WHERE id = ? AND role = 'therapist'`, therapistID).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return ErrNotFound
		}
		var id int64
		if err := tx.QueryRowContext(ctx, `INSERT INTO time_off (therapist_id, starts_at, ends_at, reason) VALUES (?, ?, ?, ?) RETURNING id`,
			therapistID, unix(from), unix(to), reason).Scan(&id); err != nil {
			return err
		}
		var err error
		if conflicts, err = timeOffConflicts(ctx, tx, therapistID, from, to); err != nil {
			return err
		}
		return audit(ctx, tx, by, unix(s.now()), "add_time_off", "therapist", therapistID, 0, fmt.Sprintf("%d conflicts", len(conflicts)))
	})
	return conflicts, err
}

// timeOffConflicts lists the booked appointments of a therapist that overlap [from, to). The
// look-back is bounded because no booking blocks more than 12 hours.
func timeOffConflicts(ctx context.Context, db querier, therapistID int64, from, to time.Time) ([]HoursConflict, error) {
	return bookingRefs(ctx, db, `SELECT a.id, c.name, a.starts_at FROM appointments a JOIN clients c ON c.id = a.client_id
		WHERE a.therapist_id = ? AND a.status = `+sqlBooked+` AND a.starts_at > ? AND a.starts_at < ? AND a.busy_until > ?
		ORDER BY a.starts_at`, therapistID, unix(from)-43200, unix(to), unix(from))
}

// DeleteTimeOff removes time off and returns whose it was; the time becomes bookable again.
// The owner and reception may remove anyone's; a therapist only their own (ErrNotFound else).
func (s *Store) DeleteTimeOff(ctx context.Context, by Actor, id int64) (int64, error) {
	var therapistID int64
	err := s.write(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `SELECT therapist_id FROM time_off WHERE id = ?`, id).Scan(&therapistID)
		if err != nil {
			return fmt.Errorf("time off %d: %w", id, translate(err))
		}
		if !canEditTherapist(by, therapistID) {
			return ErrNotFound
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM time_off WHERE id = ?`, id); err != nil {
			return err
		}
		return audit(ctx, tx, by, unix(s.now()), "delete_time_off", "therapist", therapistID, 0, "")
	})
	return therapistID, err
}

// ScheduleConflict is a booking that no longer fits its therapist's calendar: outside the
// hours (the weekly ones, or the one-off hours of its date), inside time off (Away), or on a
// day the clinic is closed (Closed).
type ScheduleConflict struct {
	HoursConflict
	Away, Closed bool
}

// ScheduleConflicts lists a therapist's booked appointments starting in [from, to) that fall
// outside their hours or inside their time off, so the hours page keeps showing them until
// someone moves or cancels each one. Same access as TherapistSchedule.
func (s *Store) ScheduleConflicts(ctx context.Context, by Actor, therapistID int64, from, to time.Time, loc *time.Location) ([]ScheduleConflict, error) {
	if !canEditTherapist(by, therapistID) {
		return nil, ErrNotFound
	}
	var out []ScheduleConflict
	err := s.read(ctx, func(tx *sql.Tx) error {
		h, err := hoursIn(ctx, tx, therapistID)
		if err != nil {
			return err
		}
		off, err := timeOffIn(ctx, tx, `therapist_id = ? AND ends_at > ? AND starts_at < ?`, therapistID, unix(from), unix(to))
		if err != nil {
			return err
		}
		closed, dh, err := closedAndDateHours(ctx, tx, []int64{therapistID}, clinic.DateOf(from, loc), clinic.DateOf(to, loc))
		if err != nil {
			return err
		}
		return scanInto(ctx, tx, func(r *sql.Rows) error {
			var sc ScheduleConflict
			var st, bu int64
			if err := r.Scan(&sc.AppointmentID, &sc.ClientName, &st, &bu); err != nil {
				return err
			}
			sc.Start = unixTime(st)
			sc.Away = overlapsTimeOff(off, sc.Start, unixTime(bu))
			day := clinic.DateOf(sc.Start, loc)
			sc.Closed = slices.Contains(closed, day)
			hours := h
			if shifts, ok := dh[therapistID][day]; ok {
				hours[day.Weekday()] = shifts
			}
			if sc.Away || sc.Closed || !hours.Covers(loc, sc.Start, unixTime(bu)) {
				out = append(out, sc)
			}
			return nil
		}, `SELECT a.id, c.name, a.starts_at, a.busy_until FROM appointments a JOIN clients c ON c.id = a.client_id
			WHERE a.therapist_id = ? AND a.status = `+sqlBooked+` AND a.starts_at >= ? AND a.starts_at < ? ORDER BY a.starts_at`,
			therapistID, unix(from), unix(to))
	})
	return out, err
}

func overlapsTimeOff(off []TimeOff, start, end time.Time) bool {
	for _, t := range off {
		if t.Start.Before(end) && start.Before(t.End) {
			return true
		}
	}
	return false
}
