package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
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
}

// withPlan adds the goal and review day of the plan the client is being treated under, so an
// email about a course session says what the course is for and when it will be reviewed.
func withPlan(ctx context.Context, tx *sql.Tx, p ApptMail, clientID int64) (ApptMail, error) {
	var goal, review string
	err := tx.QueryRowContext(ctx, `SELECT coalesce((SELECT g.description FROM plan_goals g WHERE g.plan_id = p.id ORDER BY g.position LIMIT 1), ''),
		p.reassessment_date FROM treatment_plans p WHERE p.client_id = ? AND p.status IN ('active', 'extended', 'reassess_due')
		ORDER BY p.id DESC LIMIT 1`, clientID).Scan(&goal, &review)
	if errors.Is(err, sql.ErrNoRows) {
		return p, nil
	}
	if err != nil {
		return p, err
	}
	p.Goal = goal
	if d, err := clinic.ParseDate(review); err == nil {
		p.Review = time.Date(d.Y, d.M, d.D, 12, 0, 0, 0, time.UTC).Format("Mon 2 Jan")
	}
	return p, nil
}

// whenLayout names the zone: a client reading on holiday in another zone, or on the morning
// after a clock change, sees which clock the time is on.
const whenLayout = "Mon 2 Jan 2006, 15:04 MST"

func (s *Store) sessionLine(ctx context.Context, a Appointment, loc *time.Location) (SessionLine, error) {
	manage, err := s.ManagePath(ctx, a.ID, a.Version)
	if err != nil {
		return SessionLine{}, err
	}
	return SessionLine{ApptID: a.ID, Index: a.CourseIndex, Size: a.CourseSize, When: a.Start.In(loc).Format(whenLayout),
		Therapist: a.TherapistName, Service: a.ServiceName, Room: a.RoomName, ManagePath: manage}, nil
}

// queueBookingMail queues one confirmation listing every session, and each session's reminders.
func (s *Store) queueBookingMail(ctx context.Context, tx *sql.Tx, appts []Appointment, now time.Time) error {
	fs := make([]clinic.AppointmentFacts, len(appts))
	for i, a := range appts {
		fs[i] = facts(a)
	}
	r, ok := clinic.BookingConfirmation(fs, now)
	if !ok {
		return nil
	}
	loc, err := s.locIn(ctx, tx)
	if err != nil {
		return err
	}
	p, err := withPlan(ctx, tx, ApptMail{Version: appts[0].Version, ClientName: appts[0].ClientName}, appts[0].ClientID)
	if err != nil {
		return err
	}
	for _, a := range appts {
		line, err := s.sessionLine(ctx, a, loc)
		if err != nil {
			return err
		}
		p.Sessions = append(p.Sessions, line)
	}
	// A single session's confirmation is about that appointment, so reception sees it beside
	// the appointment and StillWanted drops it if the appointment moved before it went out.
	refType, refID := "course", appts[0].CourseID
	if len(appts) == 1 && refID == 0 {
		refType, refID = "appointment", appts[0].ID
	}
	if appts[0].ClientEmail != "" {
		if err := enqueue(ctx, tx, now, Email{Kind: string(r.Kind), To: appts[0].ClientEmail, RefType: refType,
			RefID: refID, DedupeKey: r.Key, Payload: p, SendAfter: r.SendAt}); err != nil {
			return err
		}
	}
	for _, a := range appts {
		if err := s.queueReminders(ctx, tx, a, now); err != nil {
			return err
		}
	}
	return nil
}

// queueReminders queues the lead reminders of one appointment, if the client wants them. Each
// expires when the appointment starts: a reminder after the fact is noise.
func (s *Store) queueReminders(ctx context.Context, tx *sql.Tx, a Appointment, now time.Time) error {
	var wants bool
	if err := tx.QueryRowContext(ctx, `SELECT consent_reminders FROM clients WHERE id = ?`, a.ClientID).Scan(&wants); err != nil {
		return err
	}
	if !wants || a.ClientEmail == "" {
		return nil
	}
	set, err := s.settingsIn(ctx, tx)
	if err != nil {
		return err
	}
	loc, err := set.Location()
	if err != nil {
		return err
	}
	rs := clinic.DefaultReminderSettings(loc)
	rs.Leads = set.ReminderLeads
	for _, r := range clinic.AppointmentReminders(facts(a), rs, now) {
		line, err := s.sessionLine(ctx, a, loc)
		if err != nil {
			return err
		}
		p, err := withPlan(ctx, tx, ApptMail{Version: a.Version, ClientName: a.ClientName, Sessions: []SessionLine{line},
			Lead: leadWords(r.Lead)}, a.ClientID)
		if err != nil {
			return err
		}
		if err := enqueue(ctx, tx, now, Email{Kind: "reminder", To: a.ClientEmail, RefType: "appointment", RefID: a.ID,
			DedupeKey: r.Key, Payload: p, SendAfter: r.SendAt, ExpiresAt: a.Start}); err != nil {
			return err
		}
	}
	return nil
}

func leadWords(d time.Duration) string {
	switch {
	case d >= 48*time.Hour && d%(24*time.Hour) == 0:
		return fmt.Sprintf("in %d days", d/(24*time.Hour))
	case d == 24*time.Hour:
		return "tomorrow"
	case d%time.Hour == 0:
		return fmt.Sprintf("in %d hours", d/time.Hour)
	}
	return fmt.Sprintf("in %d minutes", d/time.Minute)
}

// queueApptMail queues a notice about one appointment (cancelled, moved).
func (s *Store) queueApptMail(ctx context.Context, tx *sql.Tx, a Appointment, r clinic.Reminder) error {
	if a.ClientEmail == "" {
		return nil
	}
	loc, err := s.locIn(ctx, tx)
	if err != nil {
		return err
	}
	line, err := s.sessionLine(ctx, a, loc)
	if err != nil {
		return err
	}
	p := ApptMail{Version: a.Version, ClientName: a.ClientName, Sessions: []SessionLine{line}, Reason: a.CancelReason}
	return enqueue(ctx, tx, s.now(), Email{Kind: string(r.Kind), To: a.ClientEmail, RefType: "appointment", RefID: a.ID,
		DedupeKey: r.Key, Payload: p, SendAfter: r.SendAt})
}

func (s *Store) locIn(ctx context.Context, db querier) (*time.Location, error) {
	set, err := s.settingsIn(ctx, db)
	if err != nil {
		return nil, err
	}
	return set.Location()
}

// offerWaitlist emails the waiting clients whose wish matches a freed time. The first to book
// it gets it: the offer is a link to the normal booking page, so the usual checks decide.
func (s *Store) offerWaitlist(ctx context.Context, tx *sql.Tx, freed Appointment, now time.Time) error {
	loc, err := s.locIn(ctx, tx)
	if err != nil {
		return err
	}
	day := clinic.DateOf(freed.Start, loc).String()
	rows, err := tx.QueryContext(ctx, `SELECT w.id, c.name, c.email FROM waitlist w JOIN clients c ON c.id = w.client_id
		WHERE w.status = 'waiting' AND w.service_id = ? AND (w.therapist_id IS NULL OR w.therapist_id = ?)
		AND w.from_date <= ? AND w.to_date >= ? AND w.client_id <> ? AND c.email <> '' ORDER BY w.id LIMIT 3`,
		freed.ServiceID, freed.TherapistID, day, day, freed.ClientID)
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
		p := map[string]any{"ClientName": o.name, "When": freed.Start.In(loc).Format(whenLayout), "Therapist": freed.TherapistName,
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

// closeWaitlistOffers runs when a time is booked: the booker's own offer for it is fulfilled,
// and everyone else who was offered that time is told it has gone and keeps waiting.
func (s *Store) closeWaitlistOffers(ctx context.Context, tx *sql.Tx, booked Appointment, now time.Time) error {
	rows, err := tx.QueryContext(ctx, `SELECT w.id, w.client_id, c.name, c.email FROM waitlist w JOIN clients c ON c.id = w.client_id
		WHERE w.status = 'offered' AND w.offered_start = ? AND w.offered_therapist = ?`, unix(booked.Start), booked.TherapistID)
	if err != nil {
		return err
	}
	type offer struct {
		id, client  int64
		name, email string
	}
	var offers []offer
	for rows.Next() {
		var o offer
		if err := rows.Scan(&o.id, &o.client, &o.name, &o.email); err != nil {
			rows.Close()
			return err
		}
		offers = append(offers, o)
	}
	rows.Close()
	loc, err := s.locIn(ctx, tx)
	if err != nil {
		return err
	}
	for _, o := range offers {
		status := "waiting"
		if o.client == booked.ClientID {
			status = "booked"
		} else if o.email != "" {
			p := map[string]any{"ClientName": o.name, "When": booked.Start.In(loc).Format(whenLayout), "Service": booked.ServiceName}
			if err := enqueue(ctx, tx, now, Email{Kind: "waitlist_gone", To: o.email, RefType: "waitlist", RefID: o.id,
				DedupeKey: fmt.Sprintf("waitlist_gone:entry:%d:slot:%d", o.id, unix(booked.Start)), Payload: p}); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE waitlist SET status = ?, offered_start = NULL, offered_therapist = NULL WHERE id = ?`,
			status, o.id); err != nil {
			return err
		}
	}
	return nil
}
