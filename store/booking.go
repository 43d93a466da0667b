package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"allium/clinic"
)

// BookingRequest is one booking change: a single session or a whole course.
type BookingRequest struct {
	ClientID    int64    // for staff booking on a client's behalf; a client books for themself
	NewClient   *NewUser // a visitor's account, made in the same transaction as the booking
	ServiceID   int64
	TherapistID int64
	Starts      []time.Time // one per session, in order
	Spacing     clinic.Spacing
	Consent     bool // consent to treatment, recorded on the client
	Reminders   bool // consent to reminder email
}

// SessionError says which session of a booking could not be booked and why; nothing was booked.
type SessionError struct {
	Session int // 1-based
	Start   time.Time
	Err     error // a clinic.ErrSlot* reason
}

func (e *SessionError) Error() string {
	return fmt.Sprintf("session %d at %s: %v", e.Session, e.Start.Format(time.RFC3339), e.Err)
}
func (e *SessionError) Unwrap() error { return e.Err }

// ErrBookingBlocked is returned when a client's own answers call for medical care before any
// massage: online booking stays closed until the clinic has spoken with them.
var ErrBookingBlocked = errors.New("online booking is closed for this client")

// Booked is what a successful booking made.
type Booked struct {
	ClientID     int64
	User         *User // the account made for a visitor, if any
	CourseID     int64
	Appointments []Appointment
}

// BookCourse books every session of a request in one immediate transaction, all or none. The
// free-time rules are checked inside the transaction against the rows as they are now, so two
// people racing for the last time cannot both get it; the schema's triggers are the backstop.
// The confirmation and reminders are queued in the same transaction.
func (s *Store) BookCourse(ctx context.Context, by Actor, req BookingRequest) (Booked, error) {
	if len(req.Starts) == 0 || len(req.Starts) > clinic.MaxPlannedSessions {
		return Booked{}, fmt.Errorf("book: %d sessions: %w", len(req.Starts), ErrConflict)
	}
	var out Booked
	err := s.write(ctx, func(tx *sql.Tx) error {
		clientID, user, err := s.bookingClient(ctx, tx, by, req)
		if err != nil {
			return err
		}
		out.ClientID, out.User = clientID, user
		sv, err := serviceIn(ctx, tx, req.ServiceID)
		if err != nil {
			return err
		}
		q, err := s.slotQueryAt(ctx, tx, sv, []int64{req.TherapistID}, sessionWindows(sv, req.Starts))
		if err != nil {
			return err
		}
		if by.Staff() {
			q.MinNotice = clinic.NoNotice
		}
		slots := make([]clinic.Slot, len(req.Starts))
		for i, start := range req.Starts {
			slot, err := clinic.SlotAt(q, start, req.TherapistID)
			if err != nil {
				return &SessionError{Session: i + 1, Start: start, Err: err}
			}
			slots[i] = slot
			holdSlot(&q, sv, slot) // later sessions of this booking must not land on this one
		}
		now := s.now()
		if len(slots) > 1 {
			sp := req.Spacing
			if sp == (clinic.Spacing{}) {
				sp = clinic.DefaultSpacing()
			}
			if err := tx.QueryRowContext(ctx, `INSERT INTO courses (client_id, therapist_id, service_id, sessions, spacing_days,
				spacing_min, spacing_max, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, clientID, req.TherapistID,
				sv.ID, len(slots), sp.Target, sp.Min, sp.Max, unix(now)).Scan(&out.CourseID); err != nil {
				return err
			}
		}
		via := "online"
		if by.Staff() {
			via = "reception"
		}
		ids := make([]int64, len(slots))
		for i, sl := range slots {
			ids[i], err = insertAppointment(ctx, tx, by, clientID, sv, sl, out.CourseID, i+1, via, now)
			if err != nil {
				return err
			}
		}
		if out.Appointments, err = queryAppts(ctx, tx, `a.id IN (`+placeholders(len(ids))+`) ORDER BY a.starts_at`, int64sToAny(ids)...); err != nil {
			return err
		}
		if err := s.queueBookingMail(ctx, tx, out.Appointments, now); err != nil {
			return err
		}
		for _, ap := range out.Appointments {
			if err := s.closeWaitlistOffers(ctx, tx, ap, now); err != nil {
				return err
			}
		}
		return audit(ctx, tx, by, unix(now), "book", "appointment", ids[0], clientID, fmt.Sprintf("%d sessions", len(ids)))
	})
	return out, err
}

func int64sToAny(ids []int64) []any {
	out := make([]any, len(ids))
	for i, id := range ids {
		out[i] = id
	}
	return out
}

// holdSlot marks a slot taken in the query, for the therapist and the room.
func holdSlot(q *clinic.SlotQuery, sv clinic.Service, sl clinic.Slot) {
	b := sv.Blocks(sl.Start)
	for i := range q.Therapists {
		if q.Therapists[i].TherapistID == sl.TherapistID {
			q.Therapists[i].Busy = insertSorted(q.Therapists[i].Busy, b)
		}
	}
	for i := range q.Rooms {
		if q.Rooms[i].RoomID == sl.RoomID {
			q.Rooms[i].Busy = insertSorted(q.Rooms[i].Busy, b)
		}
	}
}

func insertSorted(list []clinic.Interval, iv clinic.Interval) []clinic.Interval {
	i := 0
	for i < len(list) && list[i].Start.Before(iv.Start) {
		i++
	}
	list = append(list, clinic.Interval{})
	copy(list[i+1:], list[i:])
	list[i] = iv
	return list
}

func insertAppointment(ctx context.Context, tx *sql.Tx, by Actor, clientID int64, sv clinic.Service, sl clinic.Slot, courseID int64, index int, via string, now time.Time) (int64, error) {
	var room, course, creator any
	if sl.RoomID != 0 {
		room = sl.RoomID
	}
	if courseID != 0 {
		course = courseID
	}
	if by.UserID != 0 {
		creator = by.UserID
	}
	b := sv.Blocks(sl.Start)
	var id int64
	err := tx.QueryRowContext(ctx, `INSERT INTO appointments (client_id, therapist_id, service_id, room_id, course_id, course_index,
		starts_at, ends_at, busy_until, booked_via, created_by, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, clientID, sl.TherapistID, sv.ID, room, course, index,
		unix(sl.Start), unix(sl.End), unix(b.End), via, creator, unix(now), unix(now)).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("insert appointment: %w", translate(err))
	}
	return id, nil
}

// bookingClient decides whose booking this is: a client's own, a client chosen by staff, or a
// visitor's new account made here so the account and the booking land together.
func (s *Store) bookingClient(ctx context.Context, tx *sql.Tx, by Actor, req BookingRequest) (int64, *User, error) {
	var clientID int64
	var user *User
	switch {
	case by.Staff():
		clientID = req.ClientID
	case by.Role == clinic.RoleClient && by.ClientID != 0:
		clientID = by.ClientID
	case req.NewClient != nil:
		nu := *req.NewClient
		nu.Role = clinic.RoleClient
		u, err := s.createUser(ctx, tx, by, nu)
		if err != nil {
			return 0, nil, err
		}
		user = &u
		if err := tx.QueryRowContext(ctx, `SELECT id FROM clients WHERE user_id = ?`, u.ID).Scan(&clientID); err != nil {
			return 0, nil, err
		}
	default:
		return 0, nil, ErrForbidden
	}
	var blocked bool
	err := tx.QueryRowContext(ctx, `SELECT booking_blocked FROM clients WHERE id = ? AND merged_into IS NULL`, clientID).Scan(&blocked)
	if err != nil {
		return 0, nil, fmt.Errorf("booking client: %w", translate(err))
	}
	if blocked && !by.Staff() {
		return 0, nil, ErrBookingBlocked
	}
	now := unix(s.now())
	if req.Consent {
		if _, err := tx.ExecContext(ctx, `UPDATE clients SET consent_treatment_at = coalesce(consent_treatment_at, ?),
			consent_reminders = ?, updated_at = ? WHERE id = ?`, now, req.Reminders, now, clientID); err != nil {
			return 0, nil, err
		}
	}
	return clientID, user, nil
}

func serviceIn(ctx context.Context, tx *sql.Tx, id int64) (clinic.Service, error) {
	var sv clinic.Service
	var dur, buf int
	err := tx.QueryRowContext(ctx, `SELECT id, key, name, duration_min, buffer_min, needs_room FROM services WHERE id = ? AND active = 1`, id).
		Scan(&sv.ID, &sv.Key, &sv.Name, &dur, &buf, &sv.NeedsRoom)
	if err != nil {
		return sv, &SessionError{Session: 1, Err: clinic.ErrServiceNotOffered}
	}
	sv.Duration, sv.BufferAfter = time.Duration(dur)*time.Minute, time.Duration(buf)*time.Minute
	return sv, nil
}

// Cancel cancels an appointment: the time is free at once, pending reminders stop (their
// version no longer matches) and the client is told. A client may cancel only their own, and
// only outside the cancellation window; staff may cancel any, and a late cancellation is marked.
func (s *Store) Cancel(ctx context.Context, by Actor, id int64, reason string) (Appointment, error) {
	var a Appointment
	err := s.write(ctx, func(tx *sql.Tx) error {
		var err error
		if a, err = s.changeable(ctx, tx, by, id); err != nil {
			return err
		}
		now := s.now()
		set, err := s.settingsIn(ctx, tx)
		if err != nil {
			return err
		}
		late := clinic.ClassifyCancel(now, a.Start, set.CancelWindow) != clinic.CancelInTime
		var byID any
		if by.UserID != 0 {
			byID = by.UserID
		}
		if _, err := tx.ExecContext(ctx, `UPDATE appointments SET status = 'cancelled', version = version + 1, cancelled_at = ?,
			cancelled_by = ?, cancel_reason = ?, late_cancel = ?, updated_at = ? WHERE id = ?`,
			unix(now), byID, reason, late, unix(now), id); err != nil {
			return err
		}
		a.Status, a.Version, a.CancelReason, a.LateCancel = "cancelled", a.Version+1, reason, late
		if err := s.queueApptMail(ctx, tx, a, clinic.CancellationNotice(facts(a), now)); err != nil {
			return err
		}
		if err := s.offerWaitlist(ctx, tx, a, now); err != nil {
			return err
		}
		return audit(ctx, tx, by, unix(now), "cancel", "appointment", id, a.ClientID, reason)
	})
	return a, err
}

// Reschedule moves an appointment to a new start with the same therapist and service, checked
// by the same rules as a new booking. The version goes up, so the old reminders and the old
// manage link stop working; new ones are queued with the notice.
func (s *Store) Reschedule(ctx context.Context, by Actor, id int64, start time.Time) (Appointment, error) {
	var a Appointment
	err := s.write(ctx, func(tx *sql.Tx) error {
		var err error
		if a, err = s.changeable(ctx, tx, by, id); err != nil {
			return err
		}
		sv, err := serviceIn(ctx, tx, a.ServiceID)
		if err != nil {
			return err
		}
		q, err := s.slotQueryAt(ctx, tx, sv, []int64{a.TherapistID}, sessionWindows(sv, []time.Time{start}))
		if err != nil {
			return err
		}
		q.Therapists[0].Busy = without(q.Therapists[0].Busy, a.Start)
		for i := range q.Rooms {
			if q.Rooms[i].RoomID == a.RoomID {
				q.Rooms[i].Busy = without(q.Rooms[i].Busy, a.Start)
			}
		}
		if by.Staff() {
			q.MinNotice = clinic.NoNotice
		}
		slot, err := clinic.SlotAt(q, start, a.TherapistID)
		if err != nil {
			return &SessionError{Session: a.CourseIndex, Start: start, Err: err}
		}
		now := s.now()
		var room any
		if slot.RoomID != 0 {
			room = slot.RoomID
		}
		if _, err := tx.ExecContext(ctx, `UPDATE appointments SET starts_at = ?, ends_at = ?, busy_until = ?, room_id = ?,
			version = version + 1, updated_at = ? WHERE id = ?`, unix(slot.Start), unix(slot.End),
			unix(sv.Blocks(slot.Start).End), room, unix(now), id); err != nil {
			return translate(err)
		}
		moved, err := queryAppts(ctx, tx, `a.id = ?`, id)
		if err != nil {
			return err
		}
		a = moved[0]
		if err := s.queueApptMail(ctx, tx, a, clinic.RescheduleNotice(facts(a), now)); err != nil {
			return err
		}
		if err := s.queueReminders(ctx, tx, a, now); err != nil {
			return err
		}
		return audit(ctx, tx, by, unix(now), "reschedule", "appointment", id, a.ClientID, slot.Start.Format(time.RFC3339))
	})
	return a, err
}

func without(list []clinic.Interval, start time.Time) []clinic.Interval {
	out := list[:0:0]
	for _, iv := range list {
		if !iv.Start.Equal(start) {
			out = append(out, iv)
		}
	}
	return out
}

// ErrTooLate says the appointment is inside the cancellation window: the client must call.
var ErrTooLate = errors.New("too close to the appointment to change it online")

// changeable loads a booked appointment the actor may change. Clients: their own, outside the
// cancellation window.
func (s *Store) changeable(ctx context.Context, tx *sql.Tx, by Actor, id int64) (Appointment, error) {
	scope, args := scopeClient(by)
	list, err := queryAppts(ctx, tx, `a.id = ? AND `+scope, append([]any{id}, args...)...)
	if err != nil {
		return Appointment{}, err
	}
	if len(list) == 0 {
		return Appointment{}, ErrNotFound
	}
	a := list[0]
	if a.Status != "booked" {
		return a, fmt.Errorf("appointment is %s: %w", a.Status, ErrConflict)
	}
	if !by.Staff() {
		set, err := s.settingsIn(ctx, tx)
		if err != nil {
			return a, err
		}
		if !clinic.CanClientChange(s.now(), a.Start, set.CancelWindow) {
			return a, ErrTooLate
		}
	}
	return a, nil
}

// SetStatus records what happened at the desk: checked in, completed or no-show. Staff only.
func (s *Store) SetStatus(ctx context.Context, by Actor, id int64, status string) (Appointment, error) {
	if !by.Staff() {
		return Appointment{}, ErrNotFound
	}
	from := map[string]string{"checked_in": "'booked'", "completed": "'booked','checked_in'", "no_show": "'booked'"}[status]
	if from == "" {
		return Appointment{}, fmt.Errorf("status %q: %w", status, ErrConflict)
	}
	var a Appointment
	err := s.write(ctx, func(tx *sql.Tx) error {
		now := unix(s.now())
		res, err := tx.ExecContext(ctx, `UPDATE appointments SET status = ?, updated_at = ?,
			checked_in_at = CASE WHEN ? = 'checked_in' THEN ? ELSE checked_in_at END
			WHERE id = ? AND status IN (`+from+`)`, status, now, status, now, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			if _, err := queryAppts(ctx, tx, `a.id = ?`, id); err != nil {
				return err
			}
			return fmt.Errorf("appointment %d cannot become %s: %w", id, status, ErrConflict)
		}
		list, err := queryAppts(ctx, tx, `a.id = ?`, id)
		if err != nil || len(list) == 0 {
			return errors.Join(ErrNotFound, err)
		}
		a = list[0]
		return audit(ctx, tx, by, now, status, "appointment", id, a.ClientID, "")
	})
	return a, err
}

func facts(a Appointment) clinic.AppointmentFacts {
	return clinic.AppointmentFacts{ID: a.ID, TherapistID: a.TherapistID, CourseID: a.CourseID, Version: a.Version,
		Start: a.Start, Status: a.Status, CourseIndex: a.CourseIndex, CourseSize: a.CourseSize}
}

// CountAppointments is the number of appointments ever booked.
func (s *Store) CountAppointments(ctx context.Context) (int, error) {
	var n int
	err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM appointments`).Scan(&n)
	return n, err
}

// CompletePast marks booked appointments that ended before `before` as completed, and drops
// the mail queued for them (it is history, not news). For the demo's believable past.
func (s *Store) CompletePast(ctx context.Context, by Actor, before time.Time) error {
	if by.Role != System.Role {
		return ErrForbidden
	}
	return s.write(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE appointments SET status = 'completed' WHERE status = 'booked' AND ends_at < ?`, unix(before)); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE outbox SET status = 'cancelled', last_error = 'demo history'
			WHERE status = 'queued' AND (send_after < ? OR (expires_at <> 0 AND expires_at < ?))`, unix(before), unix(before))
		return err
	})
}
