package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"allium/clinic"
)

// SessionLine is one session as an email lists it, in the clinic's local time. ApptID lets the
// worker attach a calendar file made from the appointment as it is at send time.
type SessionLine struct {
	ApptID      int64 `json:",omitempty"`
	Index, Size int
	When        string // "Tue 8 Dec 2026, 10:00 AEDT"
	Therapist   string
	Service     string
	Room        string
	ManagePath  string
}

// ApptMail is the payload of every email about appointments. Version is the appointment's
// version when queued: StillWanted drops the message if the appointment moved since.
type ApptMail struct {
	Version    int
	ClientName string
	Sessions   []SessionLine
	Lead       string `json:",omitempty"` // "in 2 days", for reminders
	Reason     string `json:",omitempty"`
	Goal       string `json:",omitempty"` // the plan's first goal, in the client's words
	Review     string `json:",omitempty"` // the plan's reassessment day, "Tue 12 Jan"
	// Was is the session as the client last heard of it, for a move notice: the time, room or
	// therapist in the last confirmation or notice that went to them (supersedeApptMail).
	Was *SessionLine `json:",omitempty"`
}

// mailContext is what every email of one change shares: the clinic's zone and reminder leads,
// and the plan the client is treated under. It is read once per transaction, not per email.
type mailContext struct {
	loc          *time.Location
	rs           clinic.ReminderSettings
	goal, review string
}

func newMailContext(set clinic.Settings, loc *time.Location, goal, review string) mailContext {
	mc := mailContext{loc: loc, rs: clinic.DefaultReminderSettings(loc), goal: goal}
	mc.rs.Leads = set.ReminderLeads
	if d, err := clinic.ParseDate(review); err == nil {
		mc.review = clinic.Dates{Loc: loc, Today: d}.Day(d)
	}
	return mc
}

// clientPlan are the columns, for a row of clients, of the goal and reassessment day of the
// plan the client is being treated under, so an email about a course session says what the
// course is for and when it will be reviewed. Empty when there is none.
const clientPlan = `coalesce((SELECT (SELECT g.description FROM plan_goals g WHERE g.plan_id = p.id ORDER BY g.position LIMIT 1)
	FROM treatment_plans p WHERE p.client_id = clients.id AND p.status IN ('active', 'extended', 'reassess_due')
	ORDER BY p.id DESC LIMIT 1), ''),
	coalesce((SELECT p.reassessment_date FROM treatment_plans p WHERE p.client_id = clients.id
	AND p.status IN ('active', 'extended', 'reassess_due') ORDER BY p.id DESC LIMIT 1), '')`

// mail is a payload about appointments with the plan's goal and review day filled in.
func (mc mailContext) mail(version int, clientName string, lines []SessionLine) ApptMail {
	return ApptMail{Version: version, ClientName: clientName, Sessions: lines, Goal: mc.goal, Review: mc.review}
}

// mailWhen writes an instant for email as clinic.Dates does: with its zone, so a client
// reading on holiday in another zone, or on the morning after a clock change, sees which clock
// the time is on.
func mailWhen(t time.Time, loc *time.Location) string { return clinic.Dates{Loc: loc}.WhenZoned(t) }

func (s *Store) sessionLine(a Appointment, loc *time.Location) SessionLine {
	return SessionLine{ApptID: a.ID, Index: a.CourseIndex, Size: a.CourseSize, When: mailWhen(a.Start, loc),
		Therapist: a.TherapistName, Service: a.ServiceName, Room: a.RoomName,
		ManagePath: "/m/" + manageToken(s.manageKey, a.ID, a.Version)}
}

// queueBookingMail queues, in one statement, one confirmation listing every session and, if
// the client wants them, each session's reminders.
func (s *Store) queueBookingMail(ctx context.Context, tx *sql.Tx, mc mailContext, appts []Appointment, reminders bool, now time.Time) error {
	fs := make([]clinic.AppointmentFacts, len(appts))
	lines := make([]SessionLine, len(appts))
	for i, a := range appts {
		fs[i], lines[i] = facts(a), s.sessionLine(a, mc.loc)
	}
	r, ok := clinic.BookingConfirmation(fs, now)
	if !ok || appts[0].ClientEmail == "" {
		return nil
	}
	// A single session's confirmation is about that appointment, so reception sees it beside
	// the appointment and StillWanted drops it if the appointment moved before it went out.
	refType, refID := "course", appts[0].CourseID
	if len(appts) == 1 && refID == 0 {
		refType, refID = "appointment", appts[0].ID
	}
	emails := make([]Email, 1, 1+len(appts)*len(mc.rs.Leads))
	emails[0] = Email{Kind: string(r.Kind), To: appts[0].ClientEmail, RefType: refType, RefID: refID, DedupeKey: r.Key,
		Payload: mc.mail(appts[0].Version, appts[0].ClientName, lines), SendAfter: r.SendAt}
	if reminders {
		for i, a := range appts {
			emails = append(emails, reminderEmails(mc, a, lines[i], now)...)
		}
	}
	return enqueueAll(ctx, tx, now, emails)
}

// queueReminders queues the lead reminders of one appointment, if the client wants them.
func (s *Store) queueReminders(ctx context.Context, tx *sql.Tx, a Appointment, now time.Time) error {
	var wants bool
	var goal, review string
	if err := tx.QueryRowContext(ctx, `SELECT consent_reminders, `+clientPlan+` FROM clients WHERE id = ?`, a.ClientID).
		Scan(&wants, &goal, &review); err != nil {
		return err
	}
	if !wants || a.ClientEmail == "" {
		return nil
	}
	set, loc, err := s.settingsZone(ctx, tx)
	if err != nil {
		return err
	}
	return enqueueAll(ctx, tx, now, reminderEmails(newMailContext(set, loc, goal, review), a, s.sessionLine(a, loc), now))
}

// reminderEmails are the lead reminders of one appointment. Each expires when the appointment
// starts: a reminder after the fact is noise.
func reminderEmails(mc mailContext, a Appointment, line SessionLine, now time.Time) []Email {
	if a.ClientEmail == "" {
		return nil
	}
	var out []Email
	for _, r := range clinic.AppointmentReminders(facts(a), mc.rs, now) {
		p := mc.mail(a.Version, a.ClientName, []SessionLine{line})
		p.Lead = leadWords(r.Lead)
		out = append(out, Email{Kind: "reminder", To: a.ClientEmail, RefType: "appointment", RefID: a.ID,
			DedupeKey: r.Key, Payload: p, SendAfter: r.SendAt, ExpiresAt: a.Start})
	}
	return out
}

func leadWords(d time.Duration) string {
	switch {
	case d >= 48*time.Hour && d%(24*time.Hour) == 0:
		return "in " + clinic.Count(int(d/(24*time.Hour)), "day", "days")
	case d == 24*time.Hour:
		return "tomorrow"
	case d%time.Hour == 0:
		return "in " + clinic.Count(int(d/time.Hour), "hour", "hours")
	}
	return "in " + clinic.Count(int(d/time.Minute), "minute", "minutes")
}

// queueApptMail queues a notice about one appointment (cancelled, moved). was, when not nil,
// is the session as the client last heard of it.
func (s *Store) queueApptMail(ctx context.Context, tx *sql.Tx, a Appointment, r clinic.Reminder, was *SessionLine) error {
	if a.ClientEmail == "" {
		return nil
	}
	loc, err := s.locIn(ctx, tx)
	if err != nil {
		return err
	}
	p := ApptMail{Version: a.Version, ClientName: a.ClientName, Sessions: []SessionLine{s.sessionLine(a, loc)},
		Reason: a.CancelReason, Was: was}
	return enqueue(ctx, tx, s.now(), Email{Kind: string(r.Kind), To: a.ClientEmail, RefType: "appointment", RefID: a.ID,
		DedupeKey: r.Key, Payload: p, SendAfter: r.SendAt})
}

// apptNews is what a change to an appointment does to the mail about it that has not gone.
type apptNews struct {
	// received is the session as the last confirmation or notice that went (or is going) to
	// the client described it; nil when none has.
	received *SessionLine
	// inCourseMail: a course confirmation still waiting lists the session, and now lists it as
	// it is after the change (or not at all, once cancelled).
	inCourseMail bool
}

// supersedeApptMail runs in the transaction that moves or cancels appointment a (a as it is
// after the change). The outbox is made to tell the truth at once rather than at send time:
// the appointment's queued reminders are cancelled (a move queues new ones), and so is a
// confirmation or move notice that has not gone, because the notice of this change replaces
// it. A course confirmation still waiting is rewritten to list the session as it now is.
// StillWanted stays the backstop for a message already claimed by the worker.
func (s *Store) supersedeApptMail(ctx context.Context, tx *sql.Tx, a Appointment, loc *time.Location) (apptNews, error) {
	var news apptNews
	why := "the appointment was moved before this went"
	if a.Status == clinic.ApptCancelled {
		why = "the appointment was cancelled before this went"
	}
	if _, err := tx.ExecContext(ctx, `UPDATE outbox SET status = 'cancelled', last_error = ?
		WHERE ref_type = 'appointment' AND ref_id = ? AND status = 'queued' AND kind IN ('reminder', 'confirmation', 'reschedule')`,
		why, a.ID); err != nil {
		return news, err
	}
	// The last message that reached (or is reaching) the client about this session. Rows are
	// written in the order of the changes, so the highest id is the latest news.
	var payload string
	err := tx.QueryRowContext(ctx, `SELECT payload FROM outbox WHERE status IN ('sent', 'sending')
		AND ((ref_type = 'appointment' AND ref_id = ? AND kind IN ('confirmation', 'reschedule'))
		  OR (ref_type = 'course' AND ref_id = ? AND kind = 'confirmation'))
		ORDER BY id DESC LIMIT 1`, a.ID, a.CourseID).Scan(&payload)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return news, err
	}
	if err == nil {
		news.received = sessionIn(payload, a.ID)
	}
	if a.CourseID == 0 {
		return news, nil
	}
	var id int64
	err = tx.QueryRowContext(ctx, `SELECT id, payload FROM outbox WHERE ref_type = 'course' AND ref_id = ?
		AND kind = 'confirmation' AND status = 'queued' ORDER BY id DESC LIMIT 1`, a.CourseID).Scan(&id, &payload)
	if errors.Is(err, sql.ErrNoRows) {
		return news, nil
	}
	if err != nil {
		return news, err
	}
	var p ApptMail
	if err := json.Unmarshal([]byte(payload), &p); err != nil {
		return news, err
	}
	i := slices.IndexFunc(p.Sessions, func(l SessionLine) bool { return l.ApptID == a.ID })
	if i < 0 {
		return news, nil
	}
	news.inCourseMail = true
	if a.Status == clinic.ApptCancelled {
		p.Sessions = slices.Delete(p.Sessions, i, i+1)
	} else {
		p.Sessions[i] = s.sessionLine(a, loc)
	}
	if len(p.Sessions) == 0 {
		_, err = tx.ExecContext(ctx, `UPDATE outbox SET status = 'cancelled', last_error = 'every session was cancelled before this went'
			WHERE id = ?`, id)
		return news, err
	}
	b, err := json.Marshal(p)
	if err != nil {
		return news, err
	}
	_, err = tx.ExecContext(ctx, `UPDATE outbox SET payload = ? WHERE id = ?`, string(b), id)
	return news, err
}

// sessionIn finds appointment id's line in an email's payload.
func sessionIn(payload string, id int64) *SessionLine {
	var p ApptMail
	if json.Unmarshal([]byte(payload), &p) != nil {
		return nil
	}
	for _, l := range p.Sessions {
		if l.ApptID == id {
			return &l
		}
	}
	return nil
}

func (s *Store) locIn(ctx context.Context, db querier) (*time.Location, error) {
	set, err := s.settingsIn(ctx, db)
	if err != nil {
		return nil, err
	}
	return set.Location()
}

// offerWaitlist emails the waiting clients whose wish matches a freed time and who could take
// it: not one already in a session then (a client is never in two at once). The first to book
// it gets it: the offer is a link to the normal booking page, so the usual checks decide.
func (s *Store) offerWaitlist(ctx context.Context, tx *sql.Tx, freed Appointment, now time.Time) error {
	loc, err := s.locIn(ctx, tx)
	if err != nil {
		return err
	}
	day := clinic.DateOf(freed.Start, loc).String()
	rows, err := tx.QueryContext(ctx, `SELECT w.id, c.name, c.email FROM waitlist w JOIN clients c ON c.id = w.client_id
		WHERE w.status = 'waiting' AND w.service_id = ? AND (w.therapist_id IS NULL OR w.therapist_id = ?)
		AND w.from_date <= ? AND w.to_date >= ? AND w.client_id <> ? AND c.email <> ''
		AND NOT EXISTS (SELECT 1 FROM appointments a WHERE a.client_id = w.client_id AND `+clientInSession+`)
		ORDER BY w.id LIMIT 3`,
		append([]any{freed.ServiceID, freed.TherapistID, day, day, freed.ClientID}, sessionOverlapArgs(freed.Start, freed.End)...)...)
	if err != nil {
		return err
	}
	type offer struct {
		id          int64
		name, email string
	}
	var offers []offer
	for rows.Next() {
		var o offer
		if err := rows.Scan(&o.id, &o.name, &o.email); err != nil {
			rows.Close()
			return err
		}
		offers = append(offers, o)
	}
	rows.Close()
	for _, o := range offers {
		r := clinic.WaitlistOffer(o.id, freed.Start, now)
		p := map[string]any{"ClientName": o.name, "When": mailWhen(freed.Start, loc), "Therapist": freed.TherapistName,
			"Service": freed.ServiceName, "BookPath": fmt.Sprintf("/book/times?service=%d&therapist=%d&date=%s", freed.ServiceID, freed.TherapistID, day)}
		if err := enqueue(ctx, tx, now, Email{Kind: string(r.Kind), To: o.email, RefType: "waitlist", RefID: o.id,
			DedupeKey: r.Key, Payload: p, SendAfter: r.SendAt, ExpiresAt: freed.Start}); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE waitlist SET status = 'offered', offered_start = ?, offered_therapist = ?
			WHERE id = ?`, unix(freed.Start), freed.TherapistID, o.id); err != nil {
			return err
		}
	}
	return nil
}

// JoinWaitlist records a client's wish to hear of an earlier time.
func (s *Store) JoinWaitlist(ctx context.Context, by Actor, serviceID, therapistID int64, from, to clinic.Date) error {
	if by.Role != clinic.RoleClient || by.ClientID == 0 {
		return ErrNotFound
	}
	var th any
	if therapistID != 0 {
		th = therapistID
	}
	return s.write(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO waitlist (client_id, service_id, therapist_id, from_date, to_date, created_at)
			VALUES (?, ?, ?, ?, ?, ?)`, by.ClientID, serviceID, th, from.String(), to.String(), unix(s.now())); err != nil {
			return translate(err)
		}
		return audit(ctx, tx, by, unix(s.now()), "join", "waitlist", serviceID, by.ClientID, "")
	})
}

// closeWaitlistOffers runs when times are booked: the booker's own offer for one is fulfilled,
// and everyone else who was offered one is told it has gone and keeps waiting. The offers of
// the sessions' times were read with the therapist's calendar.
func closeWaitlistOffers(ctx context.Context, tx *sql.Tx, loc *time.Location, booked []Appointment, offers []waitOffer, now time.Time) error {
	for _, o := range offers {
		i := slices.IndexFunc(booked, func(a Appointment) bool { return unix(a.Start) == o.start })
		if i < 0 {
			continue
		}
		if err := closeOffer(ctx, tx, loc, booked[i], o, now); err != nil {
			return err
		}
	}
	return nil
}

// waitOffer is a waitlist entry that was offered a time.
type waitOffer struct {
	id, client, start int64
	name, email       string
}

func closeOffer(ctx context.Context, tx *sql.Tx, loc *time.Location, booked Appointment, o waitOffer, now time.Time) error {
	status := "waiting"
	if o.client == booked.ClientID {
		status = "booked"
	} else if o.email != "" {
		p := map[string]any{"ClientName": o.name, "When": mailWhen(booked.Start, loc), "Service": booked.ServiceName}
		if err := enqueue(ctx, tx, now, Email{Kind: "waitlist_gone", To: o.email, RefType: "waitlist", RefID: o.id,
			DedupeKey: fmt.Sprintf("waitlist_gone:entry:%d:slot:%d", o.id, unix(booked.Start)), Payload: p}); err != nil {
			return err
		}
	}
	_, err := tx.ExecContext(ctx, `UPDATE waitlist SET status = ?, offered_start = NULL, offered_therapist = NULL WHERE id = ?`,
		status, o.id)
	return err
}
