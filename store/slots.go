package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"allium/clinic"
)

// querier is what both a transaction and the reader pool offer.
type querier interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
	QueryRowContext(context.Context, string, ...any) *sql.Row
}

// SlotQuery builds the input of the free-time search for a service over [from, to) instants:
// the therapists' hours, time off and bookings, and the rooms' bookings. Every range query is
// bounded on both sides (bookings never block more than 12 hours), so it costs the same on a
// clinic with ten years of history as on a new one.
func (s *Store) SlotQuery(ctx context.Context, sv clinic.Service, therapistIDs []int64, from, to time.Time) (clinic.SlotQuery, error) {
	var q clinic.SlotQuery
	err := s.read(ctx, func(tx *sql.Tx) error {
		var err error
		q, err = s.slotQuery(ctx, tx, sv, therapistIDs, from, to)
		return err
	})
	return q, err
}

func (s *Store) slotQuery(ctx context.Context, db querier, sv clinic.Service, therapistIDs []int64, from, to time.Time) (clinic.SlotQuery, error) {
	set, err := s.settingsIn(ctx, db)
	if err != nil {
		return clinic.SlotQuery{}, err
	}
	loc, err := set.Location()
	if err != nil {
		return clinic.SlotQuery{}, err
	}
	q := clinic.SlotQuery{Location: loc, Now: s.now(), Service: sv, MinNotice: set.MinNotice,
		HorizonDays: int(set.Horizon / (24 * time.Hour)), From: clinic.DateOf(from, loc), To: clinic.DateOf(to.Add(-time.Second), loc)}
	if q.MinNotice == 0 {
		q.MinNotice = clinic.NoNotice
	}
	lo, hi := unix(from)-43200, unix(to)
	for _, id := range therapistIDs {
		t := clinic.TherapistCalendar{TherapistID: id}
		if err := scanInto(ctx, db, func(r *sql.Rows) error {
			var wd, st, en int
			if err := r.Scan(&wd, &st, &en); err != nil {
				return err
			}
			t.Hours[wd] = append(t.Hours[wd], clinic.Shift{Start: clinic.ClockTime(st), End: clinic.ClockTime(en)})
			return nil
		}, `SELECT h.weekday, h.start_min, h.end_min FROM therapist_hours h JOIN users u ON u.id = h.therapist_id
			WHERE h.therapist_id = ? AND u.active = 1 ORDER BY h.weekday, h.start_min`, id); err != nil {
			return q, err
		}
		if err := scanInto(ctx, db, func(r *sql.Rows) error {
			var st, en int64
			err := r.Scan(&st, &en)
			t.TimeOff = append(t.TimeOff, clinic.Interval{Start: unixTime(st), End: unixTime(en)})
			return err
		}, `SELECT starts_at, ends_at FROM time_off WHERE therapist_id = ? AND ends_at > ? AND starts_at < ? ORDER BY starts_at`, id, unix(from), hi); err != nil {
			return q, err
		}
		if err := scanInto(ctx, db, func(r *sql.Rows) error {
			var st, en int64
			err := r.Scan(&st, &en)
			t.Busy = append(t.Busy, clinic.Interval{Start: unixTime(st), End: unixTime(en)})
			return err
		}, `SELECT starts_at, busy_until FROM appointments WHERE therapist_id = ? AND status <> 'cancelled'
			AND starts_at > ? AND starts_at < ? ORDER BY starts_at`, id, lo, hi); err != nil {
			return q, err
		}
		if err := scanInto(ctx, db, func(r *sql.Rows) error {
			var sid int64
			err := r.Scan(&sid)
			t.Offers = append(t.Offers, sid)
			return err
		}, `SELECT service_id FROM therapist_services WHERE therapist_id = ?`, id); err != nil {
			return q, err
		}
		q.Therapists = append(q.Therapists, t)
	}
	if !sv.NeedsRoom {
		return q, nil
	}
	rooms := map[int64]int{}
	err = scanInto(ctx, db, func(r *sql.Rows) error {
		var id int64
		err := r.Scan(&id)
		rooms[id] = len(q.Rooms)
		q.Rooms = append(q.Rooms, clinic.RoomCalendar{RoomID: id})
		return err
	}, `SELECT id FROM rooms WHERE active = 1 ORDER BY id`)
	if err != nil {
		return q, err
	}
	err = scanInto(ctx, db, func(r *sql.Rows) error {
		var id, st, en int64
		if err := r.Scan(&id, &st, &en); err != nil {
			return err
		}
		if i, ok := rooms[id]; ok {
			q.Rooms[i].Busy = append(q.Rooms[i].Busy, clinic.Interval{Start: unixTime(st), End: unixTime(en)})
		}
		return nil
	}, `SELECT room_id, starts_at, busy_until FROM appointments INDEXED BY appointments_start
		WHERE starts_at > ? AND starts_at < ? AND room_id IS NOT NULL AND status <> 'cancelled' ORDER BY starts_at`, lo, hi)
	return q, err
}

func scanInto(ctx context.Context, db querier, each func(*sql.Rows) error, query string, args ...any) error {
	rows, err := db.QueryContext(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("slot query: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := each(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// settingsIn reads the settings through the given connection, so a booking transaction sees
// the same settings as the rest of its reads.
func (s *Store) settingsIn(ctx context.Context, db querier) (clinic.Settings, error) {
	set := clinic.DefaultSettings()
	err := scanInto(ctx, db, func(r *sql.Rows) error {
		var k, v string
		err := r.Scan(&k, &v)
		applySetting(&set, k, v)
		return err
	}, `SELECT key, value FROM settings`)
	return set, err
}
