package store

import (
	"context"
	"database/sql"
	"slices"
	"strconv"
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
//
// The therapists', services' and rooms' names are read once each, after the bookings, rather
// than joined to every booking: a day of twenty therapists is about 300 bookings but a few dozen
// names, and the three joins were a third of the query's CPU (0.27 ms on the large demo). A
// booking's therapist, service and room cannot be deleted while it refers to them, so every one
// of them is still there to be named.
func (s *Store) DayView(ctx context.Context, by Actor, from, to time.Time, therapistIDs ...int64) ([]DayBooking, error) {
	if !by.Staff() {
		return nil, ErrNotFound
	}
	where, args := dayWhere(from, to, therapistIDs)
	buf := s.dayRows.take()
	defer s.dayRows.put(buf)
	var serviceOf []int64
	// Each column is scanned into an interface and converted here: database/sql converts an
	// integer into an *int64 by reflection, and with a dozen columns of 300 bookings that was a
	// sixth of the call.
	var v [13]any
	dest := make([]any, len(v))
	for i := range v {
		dest[i] = &v[i]
	}
	err := scanInto(ctx, s.r, func(r *sql.Rows) error {
		if err := r.Scan(dest...); err != nil {
			return err
		}
		*buf = append(*buf, DayBooking{ID: anyInt(v[0]), TherapistID: anyInt(v[1]), RoomID: anyInt(v[2]),
			CourseIndex: int(anyInt(v[3])), CourseSize: int(anyInt(v[4])), ClientName: anyText(v[5]), Cautions: anyText(v[6]),
			Status: clinic.ApptStatus(anyText(v[8])), CancelReason: anyText(v[9]), LateCancel: anyInt(v[10]) != 0,
			Start: unixTime(anyInt(v[11])), End: unixTime(anyInt(v[12]))})
		serviceOf = append(serviceOf, anyInt(v[7]))
		return nil
	}, `SELECT a.id, a.therapist_id, coalesce(a.room_id, 0), a.course_index, coalesce(co.sessions, 1), c.name, c.cautions,
		a.service_id, a.status, a.cancel_reason, a.late_cancel, a.starts_at, a.ends_at
		FROM appointments a JOIN clients c ON c.id = a.client_id LEFT JOIN courses co ON co.id = a.course_id
		WHERE `+where+` ORDER BY a.starts_at`, args...)
	if err != nil || len(*buf) == 0 {
		return nil, err
	}
	out := *buf
	var want [3]map[int64]string // therapists, services, rooms: the ids to name
	for i := range want {
		want[i] = map[int64]string{}
	}
	for i, b := range out {
		want[0][b.TherapistID], want[1][serviceOf[i]] = "", ""
		if b.RoomID != 0 {
			want[2][b.RoomID] = ""
		}
	}
	lists := make([]any, 3)
	for i, m := range want {
		lists[i] = idList(m)
	}
	err = scanInto(ctx, s.r, func(r *sql.Rows) error {
		var kind int
		var id int64
		var name string
		if err := r.Scan(&kind, &id, &name); err != nil {
			return err
		}
		want[kind][id] = name
		return nil
	}, `SELECT 0, id, name FROM users WHERE id IN (SELECT value FROM json_each(?1))
		UNION ALL SELECT 1, id, name FROM services WHERE id IN (SELECT value FROM json_each(?2))
		UNION ALL SELECT 2, id, name FROM rooms WHERE id IN (SELECT value FROM json_each(?3))`, lists...)
	if err != nil {
		return nil, err
	}
	for i := range out {
		b := &out[i]
		b.TherapistName, b.ServiceName = want[0][b.TherapistID], want[1][serviceOf[i]]
		if b.RoomID != 0 {
			b.RoomName = want[2][b.RoomID]
		}
	}
	return slices.Clone(out), nil
}

// anyInt and anyText read a column scanned into an interface: an INTEGER arrives as int64 and
// TEXT as a string or bytes; NULL (which the queries coalesce away) reads as zero or empty.
func anyInt(v any) int64 {
	n, _ := v.(int64)
	return n
}

func anyText(v any) string {
	switch t := v.(type) {
	case string:
		return t
	case []byte:
		return string(t)
	}
	return ""
}

// idList writes the keys of m as a JSON array, for json_each: one statement whatever their number.
func idList(m map[int64]string) string {
	buf := make([]byte, 0, 8*len(m)+2)
	buf = append(buf, '[')
	for id := range m {
		if len(buf) > 1 {
			buf = append(buf, ',')
		}
		buf = strconv.AppendInt(buf, id, 10)
	}
	return string(append(buf, ']'))
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
