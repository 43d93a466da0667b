package store

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"allium/clinic"
)

// BookingRequest is one booking change: a single session or a whole course.
type BookingRequest struct {
	ClientID  int64 // for staff booking on a client's behalf; a client books for themself
	ServiceID int64
	// FirstServiceID is the first session's service when it differs from the others': the
	// longer first visit with assessment that starts a course. 0: every session is ServiceID.
	FirstServiceID int64
	TherapistID    int64
	Starts         []time.Time // one per session, in order
	// Spacing bounds the days between sessions of a course (clinic.CheckCourseSpacing);
	// zero is clinic.DefaultSpacing, a remedial course.
	Spacing clinic.Spacing
	// PlanID is the treatment plan the course is booked from (staff only): the course takes
	// the plan's own spacing and is linked to the plan.
	PlanID    int64
	Consent   bool // consent to treatment, recorded on the client
	Reminders bool // consent to reminder email
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
	User         *User // the account a completed hold made or signed in, if any
	CourseID     int64
	Appointments []Appointment
}

// BookCourse books every session of a request in one immediate transaction, all or none. The
// free-time rules are checked inside the transaction against the rows as they are now, so two
// people racing for the last time cannot both get it; the schema's triggers are the backstop.
// The confirmation and reminders are queued in the same transaction.
//
// It runs a fixed, small number of statements whatever the number of sessions (a 4-session
// course was about fifty): settings, service and client once, one read of the therapist and
// one of the rooms for the sessions' own times, one insert for all the sessions and one for all
// their mail. What it inserted it knows, so nothing is read back.
func (s *Store) BookCourse(ctx context.Context, by Actor, req BookingRequest) (Booked, error) {
	if len(req.Starts) == 0 || len(req.Starts) > clinic.MaxPlannedSessions {
		return Booked{}, fmt.Errorf("book: %d sessions: %w", len(req.Starts), ErrConflict)
	}
	var out Booked
	err := s.write(ctx, func(tx *sql.Tx) error {
		var err error
		out, err = s.bookIn(ctx, tx, by, req)
		return err
	})
	return out, err
}

// placed is a request's sessions checked against the calendar inside a transaction: where each
// one goes, and what the writes after the check need.
type placed struct {
	sv    clinic.Service   // the course's service
	svs   []clinic.Service // each session's: the first may be the longer first visit
	sp    clinic.Spacing   // the course's: the request's, or its plan's
	set   clinic.Settings
	loc   *time.Location
	cal   calendar
	slots []clinic.Slot
	now   time.Time
}

// place runs the free-time rules on every session of a request, against the rows as they are
// and the times other people's unconfirmed bookings hold. clientID's own sessions count as busy
// (0: a visitor not yet known). Booking and holding share it, so a hold keeps only times a
// booking could have taken.
func (s *Store) place(ctx context.Context, tx *sql.Tx, by Actor, req BookingRequest, clientID int64) (placed, error) {
	var p placed
	var err error
	if p.sv, err = serviceIn(ctx, tx, req.ServiceID); err != nil {
		return p, err
	}
	if p.set, p.loc, err = s.settingsZone(ctx, tx); err != nil {
		return p, err
	}
	if p.sp = req.Spacing; p.sp == (clinic.Spacing{}) {
		p.sp = clinic.DefaultSpacing()
	}
	if req.PlanID != 0 {
		if p.sp, err = bookingPlan(ctx, tx, by, req.PlanID, clientID); err != nil {
			return p, err
		}
	}
	if len(req.Starts) > 1 {
		if err := courseSpacing(req.Starts, p.sp, p.loc, req.Starts); err != nil {
			return p, err
		}
	}
	p.svs = make([]clinic.Service, len(req.Starts))
	for i := range p.svs {
		p.svs[i] = p.sv
	}
	if req.FirstServiceID != 0 && req.FirstServiceID != p.sv.ID {
		if p.svs[0], err = serviceIn(ctx, tx, req.FirstServiceID); err != nil {
			return p, err
		}
	}
	ws := make([]window, len(req.Starts))
	for i, st := range req.Starts {
		ws[i] = window{st, p.svs[i].Blocks(st).End}
	}
	if p.cal, err = sessionCalendar(ctx, tx, p.sv, req.TherapistID, ws); err != nil {
		return p, err
	}
	if p.svs[0].ID != p.sv.ID {
		if err := p.cal.alsoFor(ctx, tx, p.svs[0], p.sv, req.TherapistID, ws); err != nil {
			return p, err
		}
	}
	p.now = s.now()
	q := p.cal.query(p.set, p.loc, p.sv, p.now)
	if by.Staff() {
		q.MinNotice = clinic.NoNotice
	}
	first, last := slices.MinFunc(req.Starts, time.Time.Compare), slices.MaxFunc(req.Starts, time.Time.Compare)
	if err := addHolds(ctx, tx, unix(p.now), &q, first, last.Add(p.sv.Duration)); err != nil {
		return p, err
	}
	if q.ClientBusy, err = clientBusy(ctx, tx, clientID, 0, first, last.Add(p.sv.Duration)); err != nil {
		return p, err
	}
	p.slots = make([]clinic.Slot, len(req.Starts))
	for i, start := range req.Starts {
		q.Service = p.svs[i]
		slot, err := clinic.SlotAt(q, start, req.TherapistID)
		if err != nil {
			return p, &SessionError{Session: i + 1, Start: start, Err: err}
		}
		p.slots[i] = slot
		holdSlot(&q, p.svs[i], slot) // later sessions of this booking must not land on this one
	}
	return p, nil
}

// bookIn is BookCourse inside the caller's transaction.
func (s *Store) bookIn(ctx context.Context, tx *sql.Tx, by Actor, req BookingRequest) (Booked, error) {
	var out Booked
	bk, err := s.bookingClient(ctx, tx, by, req)
	if err != nil {
		return out, err
	}
	out.ClientID = bk.id
	p, err := s.place(ctx, tx, by, req, bk.id)
	if err != nil {
		return out, err
	}
	now, slots := p.now, p.slots
	if len(slots) > 1 {
		var plan any
		if req.PlanID != 0 {
			plan = req.PlanID
		}
		sp := p.sp
		if err := tx.QueryRowContext(ctx, `INSERT INTO courses (client_id, therapist_id, service_id, sessions, spacing_days,
			spacing_min, spacing_max, plan_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, bk.id, req.TherapistID,
			p.sv.ID, len(slots), sp.Target, sp.Min, sp.Max, plan, unix(now)).Scan(&out.CourseID); err != nil {
			return out, err
		}
	}
	via := "online"
	if by.Staff() {
		via = "reception"
	}
	if out.Appointments, err = insertAppointments(ctx, tx, by, bk, p.svs, p.cal, slots, out.CourseID, via, now); err != nil {
		return out, err
	}
	mc := newMailContext(p.set, p.loc, bk.goal, bk.review)
	if err := s.queueBookingMail(ctx, tx, mc, out.Appointments, bk.reminders, now); err != nil {
		return out, err
	}
	if err := closeWaitlistOffers(ctx, tx, p.loc, out.Appointments, p.cal.offers, now); err != nil {
		return out, err
	}
	return out, audit(ctx, tx, by, unix(now), "book", "appointment", out.Appointments[0].ID, bk.id,
		fmt.Sprintf("%d sessions", len(slots)))
}

// AlreadyBooked reports whether the client a refused request is for already holds every one
// of its sessions, with the same therapist and service: a form sent twice (a double click, a
// page reloaded) whose first copy booked them. Clients ask for themselves, staff for the
// request's client.
func (s *Store) AlreadyBooked(ctx context.Context, by Actor, req BookingRequest) (bool, error) {
	client := by.ClientID
	if by.Staff() {
		client = req.ClientID
	}
	if client == 0 || len(req.Starts) == 0 {
		return false, nil
	}
	first := req.FirstServiceID
	if first == 0 {
		first = req.ServiceID
	}
	args := []any{client, req.TherapistID, req.ServiceID, first}
	for _, st := range req.Starts {
		args = append(args, unix(st))
	}
	var n int
	err := s.r.QueryRowContext(ctx, `SELECT count(DISTINCT a.starts_at) FROM appointments a WHERE a.client_id = ?
		AND a.therapist_id = ? AND a.service_id IN (?, ?) AND `+clientAttends+` AND a.starts_at IN (`+repeatRow("?", len(req.Starts))+`)`,
		args...).Scan(&n)
	return n == len(req.Starts), translate(err)
}

// holdSlot marks a slot taken in the query, for the therapist and the room.
func holdSlot(q *clinic.SlotQuery, sv clinic.Service, sl clinic.Slot) {
	b := sv.Blocks(sl.Start)
	editBusy(q, sl.TherapistID, sl.RoomID, func(busy []clinic.Interval) []clinic.Interval { return insertSorted(busy, b) })
}

// editBusy replaces the bookings of one therapist and one room (0 for none) in q with what
// edit makes of them.
func editBusy(q *clinic.SlotQuery, therapistID, roomID int64, edit func([]clinic.Interval) []clinic.Interval) {
	for i := range q.Therapists {
		if q.Therapists[i].TherapistID == therapistID {
			q.Therapists[i].Busy = edit(q.Therapists[i].Busy)
		}
	}
	for i := range q.Rooms {
		if q.Rooms[i].RoomID == roomID {
			q.Rooms[i].Busy = edit(q.Rooms[i].Busy)
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

// insertAppointments writes every session in one statement; the overlap trigger still checks
// each row, the later ones against the earlier. It returns the sessions as a read-back would
// show them, in time order, built from what was written.
func insertAppointments(ctx context.Context, tx *sql.Tx, by Actor, bk booker, svs []clinic.Service, cal calendar,
	slots []clinic.Slot, courseID int64, via string, now time.Time) ([]Appointment, error) {
	var course, creator any
	if courseID != 0 {
		course = courseID
	}
	if by.UserID != 0 {
		creator = by.UserID
	}
	// The price is the service's at booking: a later change of the list price does not
	// reprice sessions already booked. A course's first visit may be another service.
	prices := map[int64]clinic.Money{}
	for _, sv := range svs {
		if _, ok := prices[sv.ID]; ok {
			continue
		}
		var price clinic.Money
		if err := tx.QueryRowContext(ctx, `SELECT price_cents FROM services WHERE id = ?`, sv.ID).Scan(&price); err != nil {
			return nil, fmt.Errorf("service price: %w", err)
		}
		prices[sv.ID] = price
	}
	out := make([]Appointment, len(slots))
	args := make([]any, 0, len(slots)*14)
	for i, sl := range slots {
		sv := svs[i]
		var room any
		if sl.RoomID != 0 {
			room = sl.RoomID
		}
		busy := sv.Blocks(sl.Start).End
		args = append(args, bk.id, sl.TherapistID, sv.ID, room, course, i+1, unix(sl.Start), unix(sl.End), unix(busy),
			via, creator, unix(now), unix(now), prices[sv.ID])
		out[i] = Appointment{ClientID: bk.id, TherapistID: sl.TherapistID, ServiceID: sv.ID, RoomID: sl.RoomID,
			CourseID: courseID, CourseIndex: i + 1, CourseSize: 1, ClientName: bk.name, ClientEmail: bk.email,
			ClientPhone: bk.phone, Cautions: bk.cautions, TherapistName: cal.therapistName, ServiceName: sv.Name,
			RoomName: cal.roomNames[sl.RoomID], Start: unixTime(unix(sl.Start)), End: unixTime(unix(sl.End)),
			BusyUntil: unixTime(unix(busy)), Status: clinic.ApptBooked, Version: 1, BookedVia: via, Price: prices[sv.ID]}
		if courseID != 0 {
			out[i].CourseSize = len(slots)
		}
	}
	rows, err := tx.QueryContext(ctx, `INSERT INTO appointments (client_id, therapist_id, service_id, room_id, course_id,
		course_index, starts_at, ends_at, busy_until, booked_via, created_by, created_at, updated_at, price_cents)
		VALUES `+repeatRow("(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", len(slots))+` RETURNING course_index, id, version`, args...)
	if err != nil {
		return nil, fmt.Errorf("insert appointments: %w", translate(err))
	}
	defer rows.Close()
	for rows.Next() {
		var index int
		var id int64
		var version int
		if err := rows.Scan(&index, &id, &version); err != nil {
			return nil, err
		}
		out[index-1].ID, out[index-1].Version = id, version
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("insert appointments: %w", translate(err))
	}
	slices.SortStableFunc(out, func(a, b Appointment) int { return a.Start.Compare(b.Start) })
	return out, nil
}

// repeatRow is n copies of a VALUES row, comma separated.
func repeatRow(row string, n int) string {
	return strings.TrimSuffix(strings.Repeat(row+", ", n), ", ")
}

// booker is the client a booking is for, with what the booking's rows and emails name.
type booker struct {
	id                           int64
	name, email, phone, cautions string
	reminders                    bool   // consented to reminder email
	goal, review                 string // of the plan they are treated under, for the emails
}

// bookingClient decides whose booking this is: a client's own or a client chosen by staff. A
// visitor's booking is held until they prove their email (holds.go), then booked as theirs. Consent is
// recorded by the same statement that reads the client: a refused booking rolls it back.
func (s *Store) bookingClient(ctx context.Context, tx *sql.Tx, by Actor, req BookingRequest) (booker, error) {
	var bk booker
	switch {
	case by.Staff():
		bk.id = req.ClientID
	case by.Role == clinic.RoleClient && by.ClientID != 0:
		bk.id = by.ClientID
	default:
		return bk, ErrForbidden
	}
	const returning = ` RETURNING booking_blocked, consent_reminders, name, email, phone, cautions, ` + clientPlan
	var row *sql.Row
	if req.Consent {
		now := unix(s.now())
		row = tx.QueryRowContext(ctx, `UPDATE clients SET consent_treatment_at = coalesce(consent_treatment_at, ?),
			consent_reminders = ?, updated_at = ? WHERE id = ? AND merged_into IS NULL`+returning, now, req.Reminders, now, bk.id)
	} else {
		row = tx.QueryRowContext(ctx, `SELECT booking_blocked, consent_reminders, name, email, phone, cautions, `+clientPlan+`
			FROM clients WHERE id = ? AND merged_into IS NULL`, bk.id)
	}
	var blocked bool
	if err := row.Scan(&blocked, &bk.reminders, &bk.name, &bk.email, &bk.phone, &bk.cautions, &bk.goal, &bk.review); err != nil {
		return bk, fmt.Errorf("booking client: %w", translate(err))
	}
	if !blocked && !by.Staff() {
		var err error
		if blocked, err = safetyBlocked(ctx, tx, bk.email, bk.phone); err != nil {
			return bk, err
		}
	}
	if blocked && !by.Staff() {
		return bk, ErrBookingBlocked
	}
	return bk, nil
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
		set, err := s.settingsIn(ctx, tx)
		if err != nil {
			return err
		}
		a, err = s.cancelIn(ctx, tx, by, set, id, reason, s.now())
		return err
	})
	return a, err
}

// cancelIn is Cancel inside the caller's transaction: the one way an appointment is cancelled.
func (s *Store) cancelIn(ctx context.Context, tx *sql.Tx, by Actor, set clinic.Settings, id int64, reason string,
	now time.Time) (Appointment, error) {
	a, to, err := s.change(ctx, tx, by, id, clinic.ApptCancel, set, now)
	if err != nil {
		return a, err
	}
	late := clinic.ClassifyCancel(now, a.Start, set.CancelWindow) != clinic.CancelInTime
	var byID any
	if by.UserID != 0 {
		byID = by.UserID
	}
	if _, err := tx.ExecContext(ctx, `UPDATE appointments SET status = ?, version = version + 1, cancelled_at = ?,
		cancelled_by = ?, cancel_reason = ?, late_cancel = ?, updated_at = ? WHERE id = ?`,
		to, unix(now), byID, reason, late, unix(now), id); err != nil {
		return a, err
	}
	a.Status, a.Version, a.CancelReason, a.LateCancel = to, a.Version+1, reason, late
	loc, err := s.locIn(ctx, tx)
	if err != nil {
		return a, err
	}
	news, err := s.supersedeApptMail(ctx, tx, a, loc)
	if err != nil {
		return a, err
	}
	// The notice names the session as it is and, if it moved since the client's last email,
	// as they knew it.
	if err := s.queueApptMail(ctx, tx, a, clinic.CancellationNotice(facts(a), now), news.received); err != nil {
		return a, err
	}
	if err := s.offerWaitlist(ctx, tx, a, now); err != nil {
		return a, err
	}
	return a, audit(ctx, tx, by, unix(now), "cancel", "appointment", id, a.ClientID, reason)
}

// Reschedule moves an appointment to a new start with the same therapist and service, checked
// by the same rules as a new booking. The version goes up, so the old reminders and the old
// manage link stop working; new ones are queued with the notice.
func (s *Store) Reschedule(ctx context.Context, by Actor, id int64, start time.Time) (Appointment, error) {
	var a Appointment
	err := s.write(ctx, func(tx *sql.Tx) error {
		set, err := s.settingsIn(ctx, tx)
		if err != nil {
			return err
		}
		if a, _, err = s.change(ctx, tx, by, id, clinic.ApptMove, set, s.now()); err != nil {
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
		movingOf(a).leave(&q)
		if err := addHolds(ctx, tx, unix(s.now()), &q, start, start.Add(sv.Duration)); err != nil {
			return err
		}
		if q.ClientBusy, err = clientBusy(ctx, tx, a.ClientID, a.ID, start, start.Add(sv.Duration)); err != nil {
			return err
		}
		if err := s.courseMoveSpacing(ctx, tx, set, a, start); err != nil {
			return err
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
		if err := s.queueMoveNotice(ctx, tx, a, now); err != nil {
			return err
		}
		if err := s.queueReminders(ctx, tx, a, now); err != nil {
			return err
		}
		return audit(ctx, tx, by, unix(now), "reschedule", "appointment", id, a.ClientID, slot.Start.Format(time.RFC3339))
	})
	return a, err
}

// queueMoveNotice tells the client of a move, measured from what they last heard: a move
// notice naming what changed since the last confirmation or notice that went to them; nothing
// when a course confirmation still waiting now lists the new time; and a confirmation of the
// new time when nothing about the session has reached them yet.
func (s *Store) queueMoveNotice(ctx context.Context, tx *sql.Tx, a Appointment, now time.Time) error {
	loc, err := s.locIn(ctx, tx)
	if err != nil {
		return err
	}
	news, err := s.supersedeApptMail(ctx, tx, a, loc)
	switch {
	case err != nil:
		return err
	case news.received != nil:
		return s.queueApptMail(ctx, tx, a, clinic.RescheduleNotice(facts(a), now), news.received)
	case news.inCourseMail:
		return nil
	}
	r, _ := clinic.BookingConfirmation([]clinic.AppointmentFacts{facts(a)}, now)
	return s.queueApptMail(ctx, tx, a, r, nil)
}

// courseSpacing asks clinic's spacing rule of a course's sessions (starts, in course order;
// zero for a session that no longer takes place) and names the session that breaks it, at the
// time asked for (asked). A spacing no kind of course allows is a conflict: the pages offer
// only valid ones.
func courseSpacing(starts []time.Time, sp clinic.Spacing, loc *time.Location, asked []time.Time) error {
	err := clinic.CheckCourseSpacing(starts, sp, loc)
	var bad *clinic.ErrCourseSpacing
	switch {
	case errors.As(err, &bad):
		return &SessionError{Session: bad.Session, Start: asked[bad.Session-1], Err: err}
	case err != nil:
		return fmt.Errorf("course spacing: %w: %w", ErrConflict, err)
	}
	return nil
}

// courseMoveSpacing checks that moving a course's session to start keeps the course's own
// spacing to the sessions before and after it that still take place.
func (s *Store) courseMoveSpacing(ctx context.Context, tx *sql.Tx, set clinic.Settings, a Appointment, start time.Time) error {
	if a.CourseID == 0 {
		return nil
	}
	var sp clinic.Spacing
	if err := tx.QueryRowContext(ctx, `SELECT spacing_days, spacing_min, spacing_max FROM courses WHERE id = ?`,
		a.CourseID).Scan(&sp.Target, &sp.Min, &sp.Max); err != nil {
		return fmt.Errorf("course %d: %w", a.CourseID, translate(err))
	}
	loc, err := set.Location()
	if err != nil {
		return err
	}
	var starts, asked []time.Time
	err = scanInto(ctx, tx, func(r *sql.Rows) error {
		var id, st int64
		var status clinic.ApptStatus
		if err := r.Scan(&id, &st, &status); err != nil {
			return err
		}
		at := unixTime(st)
		if id == a.ID {
			at = start
		}
		asked = append(asked, at)
		if !status.TakesPlace() {
			at = time.Time{}
		}
		starts = append(starts, at)
		return nil
	}, `SELECT id, starts_at, status FROM appointments WHERE course_id = ? ORDER BY course_index`, a.CourseID)
	if err != nil {
		return err
	}
	return courseSpacing(starts, sp, loc, asked)
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
// It is clinic's refusal, named here for the handlers that tell the client so.
var ErrTooLate = clinic.ErrApptTooLate

// change loads an appointment the actor may see and asks clinic's rules whether ev may happen
// to it now, returning the appointment and the status ev leaves it in. Clients see only their
// own; a change they may not make at all is ErrNotFound, so it reveals nothing. A refusal
// because of the status is an ErrConflict (the appointment moved on) wrapping clinic's
// sentence; one because of the time is ErrTooLate for a client, or clinic's *ErrApptTiming.
func (s *Store) change(ctx context.Context, tx *sql.Tx, by Actor, id int64, ev clinic.ApptEvent, set clinic.Settings,
	now time.Time) (Appointment, clinic.ApptStatus, error) {
	scope, args := scopeClient(by)
	list, err := queryAppts(ctx, tx, `a.id = ? AND `+scope, append([]any{id}, args...)...)
	if err != nil {
		return Appointment{}, "", err
	}
	if len(list) == 0 {
		return Appointment{}, "", ErrNotFound
	}
	a := list[0]
	loc, err := set.Location()
	if err != nil {
		return a, "", err
	}
	to, err := clinic.NextApptStatus(a.Change(ev, apptRole(by), now, set, loc))
	var notYours *clinic.ErrApptNotYours
	var status *clinic.ErrApptStatus
	switch {
	case errors.As(err, &notYours):
		return Appointment{}, "", ErrNotFound
	case errors.As(err, &status):
		return a, "", fmt.Errorf("appointment %d: %w: %w", id, ErrConflict, err)
	case err != nil:
		return a, "", err
	}
	return a, to, nil
}

// SetStatus records what happened at the desk: checked in, completed or no-show. Clinic's
// rules keep it to staff; anyone else gets ErrNotFound, as for an appointment they cannot see.
func (s *Store) SetStatus(ctx context.Context, by Actor, id int64, status clinic.ApptStatus) (Appointment, error) {
	ev, ok := clinic.ApptRecordEvent(status)
	if !ok {
		return Appointment{}, fmt.Errorf("status %q: %w", status, ErrConflict)
	}
	var a Appointment
	err := s.write(ctx, func(tx *sql.Tx) error {
		set, err := s.settingsIn(ctx, tx)
		if err != nil {
			return err
		}
		now := s.now()
		a, status, err = s.change(ctx, tx, by, id, ev, set, now)
		if err != nil {
			return err
		}
		var checkedIn any
		if status == clinic.ApptCheckedIn {
			checkedIn = unix(now)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE appointments SET status = ?, updated_at = ?, status_at = ?,
			checked_in_at = coalesce(?, checked_in_at) WHERE id = ?`, status, unix(now), unix(now), checkedIn, id); err != nil {
			return err
		}
		a.Status, a.StatusAt = status, now
		if status == clinic.ApptCompleted {
			// The invoice is issued in the transaction of the completion: both happen or
			// neither, and its number is taken while this transaction holds the writer. A
			// session of a prepaid course is drawn from its package instead: the package's
			// invoice holds it, and a second invoice would count it twice.
			drawn, err := s.drawPrepaid(ctx, tx, by, set, a, now)
			if err != nil {
				return err
			}
			var iv clinic.Invoice
			if !drawn {
				if iv, err = issueInvoice(ctx, tx, by, set, a, now); err != nil {
					return err
				}
			}
			if iv.ID != 0 {
				if err := s.queuePrepaidReceipts(ctx, tx, a, now); err != nil {
					return err
				}
			}
		}
		if err := audit(ctx, tx, by, unix(now), string(status), "appointment", id, a.ClientID, ""); err != nil {
			return err
		}
		if status != clinic.ApptCompleted {
			return nil
		}
		// The course's last session held moves its plan to reassessment at once, not when
		// someone next opens the chart: reception's recall list and the client's nudges read it.
		loc, err := set.Location()
		if err != nil {
			return err
		}
		return s.markDuePlans(ctx, tx, a.ClientID, clinic.DateOf(now, loc))
	})
	return a, err
}

// UndoStatus takes back the desk's last record of an appointment (a check-in, a completion or
// a no-show) on the day it was made, as clinic's rules allow. The audit log keeps the record
// and its undoing, so the day's history stays whole. A completion that followed a check-in
// goes back to checked in; anything else to booked, without its check-in time.
func (s *Store) UndoStatus(ctx context.Context, by Actor, id int64) (Appointment, error) {
	var a Appointment
	err := s.write(ctx, func(tx *sql.Tx) error {
		set, err := s.settingsIn(ctx, tx)
		if err != nil {
			return err
		}
		now := s.now()
		var to clinic.ApptStatus
		if a, to, err = s.change(ctx, tx, by, id, clinic.ApptUndo, set, now); err != nil {
			return err
		}
		// A completion issued its invoice, which is append-only: it is corrected by a credit
		// note, not by undoing the completion.
		var invoiced bool
		if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM invoices WHERE appointment_id = ? AND kind = 'invoice')`,
			id).Scan(&invoiced); err != nil {
			return err
		}
		if invoiced && a.Status == clinic.ApptCompleted {
			return fmt.Errorf("appointment %d is invoiced: %w: %w", id, ErrConflict,
				&clinic.ErrApptStatus{From: a.Status, Event: clinic.ApptUndo})
		}
		if _, err := tx.ExecContext(ctx, `UPDATE appointments SET status = ?, updated_at = ?, status_at = ?,
			checked_in_at = CASE WHEN ? = `+sqlBooked+` THEN NULL ELSE checked_in_at END WHERE id = ?`,
			to, unix(now), unix(now), to, id); err != nil {
			return err
		}
		from, completedAt := a.Status, a.StatusAt
		a.Status, a.StatusAt, a.CheckedIn = to, now, to == clinic.ApptCheckedIn
		if err := audit(ctx, tx, by, unix(now), "undo", "appointment", id, a.ClientID, string(from)+" -> "+string(to)); err != nil {
			return err
		}
		if from != clinic.ApptCompleted {
			return nil
		}
		// The completion may have moved a plan to reassessment due (SetStatus); the session no
		// longer counts, so the plan goes back where the same rule now puts it.
		loc, err := set.Location()
		if err != nil {
			return err
		}
		return s.unmarkDuePlans(ctx, tx, a.ClientID, completedAt, clinic.DateOf(now, loc))
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
		if _, err := tx.ExecContext(ctx, `UPDATE appointments SET status = `+sqlCompleted+` WHERE status = `+sqlBooked+` AND ends_at < ?`, unix(before)); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE outbox SET status = 'cancelled', last_error = 'demo history'
			WHERE status = 'queued' AND (send_after < ? OR (expires_at <> 0 AND expires_at < ?))`, unix(before), unix(before))
		return err
	})
}

// calendar is what a booking check reads about the sessions' times: the therapist, their hours
// and the time off and bookings overlapping a session; the active rooms with the bookings that
// overlap one.
type calendar struct {
	therapist     clinic.TherapistCalendar
	therapistName string
	rooms         []clinic.RoomCalendar
	roomNames     map[int64]string
	offers        []waitOffer // waitlist offers of the sessions' times, closed once they are booked
	closed        []clinic.Date
}

// sessionCalendar reads, inside the booking's transaction, only what clinic.SlotAt needs to
// check these sessions. A free-time search needs every booking of whole days; a check of known
// times needs to know only whether anything overlaps each one. Active bookings of one therapist
// or one room never overlap (the schema's triggers), so the last one starting before a session
// ends is the only one that can overlap it: one short backward index search per session and
// room instead of reading the twelve hours of bookings before each.
func sessionCalendar(ctx context.Context, tx *sql.Tx, sv clinic.Service, therapistID int64, ws []window) (calendar, error) {
	cal := calendar{therapist: clinic.TherapistCalendar{TherapistID: therapistID}}
	t := &cal.therapist
	var active, offers bool
	err := tx.QueryRowContext(ctx, `SELECT name, active, EXISTS (SELECT 1 FROM therapist_services
		WHERE therapist_id = users.id AND service_id = ?) FROM users WHERE id = ?`, sv.ID, therapistID).
		Scan(&cal.therapistName, &active, &offers)
	if errors.Is(err, sql.ErrNoRows) {
		return cal, nil // SlotAt says the service is not offered
	}
	if err != nil {
		return cal, fmt.Errorf("booking therapist: %w", err)
	}
	if offers {
		t.Offers = []int64{sv.ID}
	}
	if !active {
		return cal, nil // no hours: SlotAt says outside hours
	}
	with, wargs := windowRows(ws)
	from, to := ws[0].from, ws[0].to
	for _, w := range ws {
		from, to = minTime(from, w.from), maxTime(to, w.to)
	}
	var kind, name, email string
	var a, b, c int64
	err = scanInto(ctx, tx, func(r *sql.Rows) error {
		if err := r.Scan(&kind, &a, &b, &c, &name, &email); err != nil {
			return err
		}
		switch kind {
		case "offer":
			cal.offers = append(cal.offers, waitOffer{id: a, client: b, start: c, name: name, email: email})
		case "hours":
			t.Hours[a] = append(t.Hours[a], clinic.Shift{Start: clinic.ClockTime(b), End: clinic.ClockTime(c)})
		case "off":
			t.TimeOff = append(t.TimeOff, clinic.Interval{Start: unixTime(b), End: unixTime(c)})
		default:
			t.Busy = append(t.Busy, clinic.Interval{Start: unixTime(b), End: unixTime(c)})
		}
		return nil
	}, with+therapistAtSQL,
		append(wargs, therapistID, therapistID, unix(from), unix(to), therapistID, therapistID)...)
	if err != nil {
		return cal, err
	}
	// Closures and one-off hours of the sessions' dates; a day either side of their UTC dates
	// holds their dates in any zone.
	var dh map[int64]map[clinic.Date][]clinic.Shift
	if cal.closed, dh, err = closedAndDateHours(ctx, tx, []int64{therapistID}, clinic.DateOf(from, time.UTC).AddDays(-1),
		clinic.DateOf(to, time.UTC).AddDays(1)); err != nil {
		return cal, err
	}
	t.DateHours = dh[therapistID]
	if !sv.NeedsRoom {
		return cal, nil
	}
	return cal, cal.readRooms(ctx, tx, with, wargs)
}

// bookingPlan is the spacing of the plan a course is booked from, after checking that staff
// book it, for the plan's own client, while the plan is drafted or under way. Another client's
// plan, or one that has ended, is a conflict: the booking page offered it for this client.
func bookingPlan(ctx context.Context, tx *sql.Tx, by Actor, planID, clientID int64) (clinic.Spacing, error) {
	var sp clinic.Spacing
	if !by.Staff() {
		return sp, ErrNotFound
	}
	var status clinic.PlanStatus
	var owner int64
	err := tx.QueryRowContext(ctx, `SELECT client_id, status, target_days, min_days, max_days FROM treatment_plans WHERE id = ?`,
		planID).Scan(&owner, &status, &sp.Target, &sp.Min, &sp.Max)
	if err != nil {
		return sp, fmt.Errorf("plan %d: %w", planID, translate(err))
	}
	if p := (clinic.TreatmentPlan{Status: status}); owner != clientID || !(p.Running() || status == clinic.PlanDraft) {
		return sp, fmt.Errorf("plan %d is %s for client %d: %w", planID, status, owner, ErrConflict)
	}
	return sp, nil
}

// alsoFor adds a second service to a booking's calendar (the first visit of a course, when its
// service is not the course's): whether the therapist offers it, and the rooms if it needs one
// and the course's service did not.
func (cal *calendar) alsoFor(ctx context.Context, tx *sql.Tx, first, course clinic.Service, therapistID int64, ws []window) error {
	var offers bool
	if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM therapist_services WHERE therapist_id = ? AND service_id = ?)`,
		therapistID, first.ID).Scan(&offers); err != nil {
		return fmt.Errorf("booking therapist: %w", err)
	}
	if offers {
		cal.therapist.Offers = append(cal.therapist.Offers, first.ID)
	}
	if !first.NeedsRoom || course.NeedsRoom {
		return nil
	}
	with, wargs := windowRows(ws)
	return cal.readRooms(ctx, tx, with, wargs)
}

// therapistAtSQL reads, after the windows' table w, a therapist's weekly hours, time off over
// the sessions' span, the one booking that can overlap each session, and the waitlist offers of
// the sessions' times. Its arguments: the therapist, the therapist, the span, the therapist
// twice more.
const therapistAtSQL = ` SELECT 'hours', weekday, start_min, end_min, '', '' FROM therapist_hours WHERE therapist_id = ?
	UNION ALL SELECT 'off', 0, starts_at, ends_at, '', '' FROM time_off WHERE therapist_id = ? AND ends_at > ? AND starts_at < ?
	UNION ALL SELECT 'busy', 0, a.starts_at, a.busy_until, '', '' FROM w JOIN appointments a ON a.id = (
		SELECT b.id FROM appointments b WHERE b.therapist_id = ? AND b.starts_at > w.lo AND b.starts_at < w.hi
		AND b.status <> ` + sqlCancelled + ` ORDER BY b.starts_at DESC LIMIT 1)
	WHERE a.busy_until > w.start
	UNION ALL SELECT 'offer', wl.id, wl.client_id, wl.offered_start, c.name, c.email FROM waitlist wl
	JOIN clients c ON c.id = wl.client_id WHERE wl.status = 'offered' AND wl.offered_therapist = ?
	AND wl.offered_start IN (SELECT start FROM w)`

// roomsAtSQL reads, after the windows' table w, the active rooms and in each the one booking
// that can overlap each session.
const roomsAtSQL = ` SELECT id, name, 0, 0 FROM rooms WHERE active = 1
	UNION ALL SELECT r.id, '', a.starts_at, a.busy_until FROM rooms r CROSS JOIN w JOIN appointments a ON a.id = (
		SELECT b.id FROM appointments b INDEXED BY appointments_room WHERE b.room_id = r.id AND b.starts_at > w.lo
		AND b.starts_at < w.hi AND b.status <> ` + sqlCancelled + ` ORDER BY b.starts_at DESC LIMIT 1)
	WHERE r.active = 1 AND a.busy_until > w.start`

// windowRows is the common table w(lo, hi, start) of the sessions' windows: a booking
// overlapping one starts after lo (it blocks at most 12 hours) and before hi, and blocks past start.
func windowRows(ws []window) (string, []any) {
	args := make([]any, 0, 3*len(ws))
	for _, w := range ws {
		args = append(args, unix(w.from)-43200, unix(w.to), unix(w.from))
	}
	return `WITH w(lo, hi, start) AS (VALUES ` + repeatRow("(?, ?, ?)", len(ws)) + `)`, args
}

// readRooms reads the active rooms, in the order SlotAt prefers them, and in each the booking
// that overlaps a session, if any.
func (cal *calendar) readRooms(ctx context.Context, tx *sql.Tx, with string, wargs []any) error {
	cal.roomNames = map[int64]string{}
	busy := map[int64][]clinic.Interval{}
	var id, st, en int64
	var name string
	err := scanInto(ctx, tx, func(r *sql.Rows) error {
		if err := r.Scan(&id, &name, &st, &en); err != nil {
			return err
		}
		if st == 0 {
			cal.roomNames[id] = name
			cal.rooms = append(cal.rooms, clinic.RoomCalendar{RoomID: id})
		} else {
			busy[id] = append(busy[id], clinic.Interval{Start: unixTime(st), End: unixTime(en)})
		}
		return nil
	}, with+roomsAtSQL, wargs...)
	if err != nil {
		return err
	}
	slices.SortFunc(cal.rooms, func(a, b clinic.RoomCalendar) int { return cmp.Compare(a.RoomID, b.RoomID) })
	for i := range cal.rooms {
		cal.rooms[i].Busy = busy[cal.rooms[i].RoomID]
	}
	return nil
}

// query is the input of clinic.SlotAt for the sessions, as the free-time search would build
// it for the same times.
func (cal calendar) query(set clinic.Settings, loc *time.Location, sv clinic.Service, now time.Time) clinic.SlotQuery {
	q := clinic.SlotQuery{Location: loc, Now: now, Service: sv, MinNotice: set.MinNotice,
		HorizonDays: int(set.Horizon / (24 * time.Hour)), Therapists: []clinic.TherapistCalendar{cal.therapist}, Rooms: cal.rooms,
		Closed: cal.closed}
	if q.MinNotice == 0 {
		q.MinNotice = clinic.NoNotice
	}
	return q
}

func int64sToAny(ids []int64) []any {
	out := make([]any, len(ids))
	for i, id := range ids {
		out[i] = id
	}
	return out
}
