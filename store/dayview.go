package store

import (
	"context"
	"database/sql"
	"time"

	"allium/clinic"
)

// DayBooking is a booking as reception's day and week boards draw it: only what they show.
// The general Appointment read carries 23 columns, contact details among them; at twenty
// therapists' day the extra columns were a good part of the page's database time.
type DayBooking struct {
	ID, TherapistID, RoomID              int64
	CourseIndex, CourseSize              int
	ClientName, Cautions                 string
	TherapistName, ServiceName, RoomName string
	Status                               clinic.ApptStatus
	CancelReason                         string
	LateCancel                           bool
	Start, End                           time.Time
}

// Active reports whether the booking still holds its time.
func (b DayBooking) Active() bool { return b.Status.HoldsTime() }

// DayView lists the bookings starting in [from, to) for the given therapists (all when none
// are given), by start time: the order of the index it reads, so SQLite need not sort. Staff
// only, as DaySchedule: clients never see others' bookings.
func (s *Store) DayView(ctx context.Context, by Actor, from, to time.Time, therapistIDs ...int64) ([]DayBooking, error) {
	if !by.Staff() {
		return nil, ErrNotFound
	}
	where, args := dayWhere(from, to, therapistIDs)
	var out []DayBooking
	err := scanInto(ctx, s.r, func(r *sql.Rows) error {
		var b DayBooking
		var st, en int64
		if err := r.Scan(&b.ID, &b.TherapistID, &b.RoomID, &b.CourseIndex, &b.CourseSize, &b.ClientName, &b.Cautions,
			&b.TherapistName, &b.ServiceName, &b.RoomName, &b.Status, &b.CancelReason, &b.LateCancel, &st, &en); err != nil {
			return err
		}
		b.Start, b.End = unixTime(st), unixTime(en)
		out = append(out, b)
		return nil
	}, `SELECT a.id, a.therapist_id, coalesce(a.room_id, 0), a.course_index, coalesce(co.sessions, 1), c.name, c.cautions,
		t.name, s.name, coalesce(r.name, ''), a.status, a.cancel_reason, a.late_cancel, a.starts_at, a.ends_at
		FROM appointments a JOIN clients c ON c.id = a.client_id JOIN users t ON t.id = a.therapist_id
		JOIN services s ON s.id = a.service_id LEFT JOIN rooms r ON r.id = a.room_id LEFT JOIN courses co ON co.id = a.course_id
		WHERE `+where+` ORDER BY a.starts_at`, args...)
	return out, err
}

// DayTherapist heads a column of the day board: an active therapist and their hours on the day.
type DayTherapist struct {
	ID     int64
	Name   string
	Shifts []clinic.Shift // in time order; none when not working
}

// DayTherapists lists the active therapists by name with their hours on one weekday, in one
// query: the day board needs no more of them than that.
func (s *Store) DayTherapists(ctx context.Context, wd time.Weekday) ([]DayTherapist, error) {
	var out []DayTherapist
	err := scanInto(ctx, s.r, func(r *sql.Rows) error {
		var id int64
		var name string
		var st, en sql.NullInt64
		if err := r.Scan(&id, &name, &st, &en); err != nil {
			return err
		}
		if n := len(out); n == 0 || out[n-1].ID != id {
			out = append(out, DayTherapist{ID: id, Name: name})
		}
		if st.Valid {
			t := &out[len(out)-1]
			t.Shifts = append(t.Shifts, clinic.Shift{Start: clinic.ClockTime(st.Int64), End: clinic.ClockTime(en.Int64)})
		}
		return nil
	}, `SELECT u.id, u.name, h.start_min, h.end_min FROM users u
		LEFT JOIN therapist_hours h ON h.therapist_id = u.id AND h.weekday = ?
		WHERE u.role = 'therapist' AND u.active = 1 ORDER BY u.name, u.id, h.start_min`, int(wd))
	return out, err
}
