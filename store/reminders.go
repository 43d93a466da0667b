package store

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"time"

	"allium/clinic"
)

// NudgeMail is the payload of "book your next session" and of gap warnings (to the client or,
// with ToTherapist, to the therapist). LastEnd is when the last session done ended: a booking
// starting after it counts as the next session.
type NudgeMail struct {
	ClientID, CourseID, TherapistID int64
	ClientName, TherapistName       string
	Service                         string
	SessionsDone, Sessions          int
	LastSession                     string // "Tue 8 Dec 2026, 10:00 AEDT"
	LastEnd                         int64  // unix seconds
	BookPath                        string
	Unsubscribe                     string `json:",omitempty"` // the worker turns it into List-Unsubscribe
	ToTherapist                     bool   `json:",omitempty"`
}

// MaintenanceMail is the payload of a maintenance visit prompt after a completed plan.
type MaintenanceMail struct {
	ClientID    int64
	ClientName  string
	CompletedAt int64 // unix seconds: a booking starting after it counts as the visit
	BookPath    string
	Unsubscribe string `json:",omitempty"`
}

// DayListMail is a therapist's list for a day. From and To bound the local day in unix seconds,
// so the send-time check counts the same day.
type DayListMail struct {
	TherapistName string
	Day           string // "Wed 11 Mar 2026"
	From, To      int64
	Lines         []DayLine
}

// DayLine is one appointment in a day list. It names the client by first name only: the list
// travels by email, the details stay behind the sign-in.
type DayLine struct {
	Time, Client, Service, Room string
	Index, Size                 int
}

// nudgeExpiry bounds how late a nudge may go out after an outage: older than that it is stale.
const nudgeExpiry = 72 * time.Hour

// QueueNudges queues what the course, day-list and maintenance rules call for at now: the
// messages whose time has come and that are not yet queued. The dedupe keys make a repeated
// scan harmless, so the scheduler may run it as often as it likes. It reports how many it queued.
func (s *Store) QueueNudges(ctx context.Context, now time.Time) (int, error) {
	set, err := s.Settings(ctx)
	if err != nil {
		return 0, err
	}
	loc, err := set.Location()
	if err != nil {
		return 0, err
	}
	rs := clinic.DefaultReminderSettings(loc)
	rs.Leads = set.ReminderLeads
	var emails []Email
	for _, gather := range []func(context.Context, clinic.Settings, clinic.ReminderSettings, time.Time) ([]Email, error){
		s.courseNudges, s.dayLists, s.maintenanceNudges, s.reviewNudges,
	} {
		es, err := gather(ctx, set, rs, now)
		if err != nil {
			return 0, err
		}
		emails = append(emails, es...)
	}
	return s.enqueueNew(ctx, now, emails)
}

// enqueueNew queues emails in one transaction and counts those that were not queued before.
func (s *Store) enqueueNew(ctx context.Context, now time.Time, emails []Email) (int, error) {
	if len(emails) == 0 {
		return 0, nil
	}
	n := 0
	err := s.write(ctx, func(tx *sql.Tx) error {
		n = 0
		for _, e := range emails {
			if err := enqueue(ctx, tx, now, e); err != nil {
				return err
			}
			var added int
			if err := tx.QueryRowContext(ctx, `SELECT changes()`).Scan(&added); err != nil {
				return err
			}
			n += added
		}
		return nil
	})
	return n, err
}

// courseCandidate is a course with sessions done, the last recently, and nothing booked since.
type courseCandidate struct {
	facts                     clinic.CourseFacts
	clientID, serviceID       int64
	spacingDays               int
	optOut                    bool
	client, clientEmail       string
	therapist, therapistEmail string
	service                   string
}

// courseNudges applies clinic.CourseReminders to every course whose last session done is recent
// and whose client has nothing booked since.
func (s *Store) courseNudges(ctx context.Context, _ clinic.Settings, rs clinic.ReminderSettings, now time.Time) ([]Email, error) {
	cands, err := s.courseCandidates(ctx, now)
	if err != nil {
		return nil, err
	}
	var out []Email
	for _, c := range cands {
		for _, r := range clinic.CourseReminders(c.facts, rs, now) {
			if r.SendAt.After(now) {
				continue // a later scan queues it with fresher facts
			}
			if e, ok := s.nudgeEmail(c, r, rs.Zone, now); ok {
				out = append(out, e)
			}
		}
	}
	return out, nil
}

func (s *Store) courseCandidates(ctx context.Context, now time.Time) ([]courseCandidate, error) {
	rows, err := s.r.QueryContext(ctx, `WITH done AS (
			SELECT course_id, count(*) AS n, max(ends_at) AS last_end FROM appointments
			WHERE status = `+sqlCompleted+` AND course_id IN (
				SELECT course_id FROM appointments WHERE status = `+sqlCompleted+` AND course_id IS NOT NULL AND ends_at > ?)
			GROUP BY course_id)
		SELECT co.id, co.client_id, co.therapist_id, co.service_id, co.sessions, co.spacing_days, co.spacing_max,
			d.n, d.last_end, c.name, c.email, c.nudges_opt_out, t.name, t.email, sv.name
		FROM done d JOIN courses co ON co.id = d.course_id JOIN clients c ON c.id = co.client_id
		JOIN users t ON t.id = co.therapist_id JOIN services sv ON sv.id = co.service_id
		WHERE d.n < co.sessions AND d.last_end <= ? AND d.last_end > ? - (co.spacing_max + 9) * 86400
		AND NOT EXISTS (SELECT 1 FROM appointments b WHERE b.client_id = co.client_id AND b.status = `+sqlBooked+`
			AND b.starts_at >= d.last_end)`, unix(now.AddDate(0, 0, -60)), unix(now), unix(now))
	if err != nil {
		return nil, fmt.Errorf("course nudges: %w", err)
	}
	defer rows.Close()
	var out []courseCandidate
	for rows.Next() {
		var c courseCandidate
		var lastEnd int64
		if err := rows.Scan(&c.facts.CourseID, &c.clientID, &c.facts.TherapistID, &c.serviceID, &c.facts.PlannedSessions,
			&c.spacingDays, &c.facts.MaxDays, &c.facts.SessionsDone, &lastEnd, &c.client, &c.clientEmail, &c.optOut,
			&c.therapist, &c.therapistEmail, &c.service); err != nil {
			return nil, err
		}
		c.facts.LastSessionEnd = unixTime(lastEnd)
		out = append(out, c)
	}
	return out, rows.Err()
}

// nudgeEmail addresses one course reminder. A client who opted out of nudges gets none; the
// therapist's gap warning still goes.
func (s *Store) nudgeEmail(c courseCandidate, r clinic.Reminder, loc *time.Location, now time.Time) (Email, bool) {
	target := clinic.DateOf(c.facts.LastSessionEnd, loc).AddDays(c.spacingDays)
	p := NudgeMail{ClientID: c.clientID, CourseID: c.facts.CourseID, TherapistID: c.facts.TherapistID,
		ClientName: c.client, TherapistName: c.therapist, Service: c.service,
		SessionsDone: c.facts.SessionsDone, Sessions: c.facts.PlannedSessions,
		LastSession: mailWhen(c.facts.LastSessionEnd, loc), LastEnd: unix(c.facts.LastSessionEnd),
		BookPath: fmt.Sprintf("/book/times?service=%d&therapist=%d&sessions=1&date=%s", c.serviceID, c.facts.TherapistID, target)}
	to := c.clientEmail
	if r.To == clinic.RecipientTherapist {
		to, p.ToTherapist = c.therapistEmail, true
	} else {
		if c.optOut {
			return Email{}, false
		}
		p.Unsubscribe = s.UnsubscribePath(c.clientID)
	}
	if to == "" {
		return Email{}, false
	}
	return Email{Kind: string(r.Kind), To: to, RefType: "course", RefID: c.facts.CourseID, DedupeKey: r.Key,
		Payload: p, SendAfter: r.SendAt, ExpiresAt: now.Add(nudgeExpiry)}, true
}

// dayLists queues tomorrow's list for each therapist who asked for one, once its evening has
// come, built from the appointments as they are then. An empty day sends nothing.
func (s *Store) dayLists(ctx context.Context, _ clinic.Settings, rs clinic.ReminderSettings, now time.Time) ([]Email, error) {
	type therapist struct {
		id          int64
		name, email string
	}
	rows, err := s.r.QueryContext(ctx, `SELECT u.id, u.name, u.email FROM users u JOIN staff_mail_prefs m ON m.user_id = u.id
		WHERE m.day_list = 1 AND u.active = 1`)
	if err != nil {
		return nil, fmt.Errorf("day lists: %w", err)
	}
	var ths []therapist
	for rows.Next() {
		var t therapist
		if err := rows.Scan(&t.id, &t.name, &t.email); err != nil {
			rows.Close()
			return nil, err
		}
		ths = append(ths, t)
	}
	rows.Close()
	loc := rs.Zone
	day := clinic.DateOf(now, loc).AddDays(1)
	var out []Email
	for _, t := range ths {
		r, ok := clinic.DayListReminder(t.id, time.Date(day.Y, day.M, day.D, 0, 0, 0, 0, time.UTC), rs, now)
		if !ok || r.SendAt.After(now) {
			continue
		}
		p, err := s.dayList(ctx, t.id, t.name, day, loc)
		if err != nil {
			return nil, err
		}
		if len(p.Lines) == 0 {
			continue
		}
		out = append(out, Email{Kind: string(r.Kind), To: t.email, RefType: "therapist", RefID: t.id, DedupeKey: r.Key,
			Payload: p, SendAfter: r.SendAt, ExpiresAt: unixTime(p.From)})
	}
	return out, nil
}

// dayList gathers a therapist's booked appointments on a local day.
func (s *Store) dayList(ctx context.Context, therapistID int64, name string, day clinic.Date, loc *time.Location) (DayListMail, error) {
	from := time.Date(day.Y, day.M, day.D, 0, 0, 0, 0, loc)
	to := time.Date(day.Y, day.M, day.D+1, 0, 0, 0, 0, loc)
	appts, err := queryAppts(ctx, s.r, `a.therapist_id = ? AND a.status = `+sqlBooked+` AND a.starts_at >= ? AND a.starts_at < ?
		ORDER BY a.starts_at`, therapistID, unix(from), unix(to))
	if err != nil {
		return DayListMail{}, err
	}
	p := DayListMail{TherapistName: name, Day: clinic.Dates{Loc: loc, Today: day}.Day(day), From: unix(from), To: unix(to)}
	for _, a := range appts {
		p.Lines = append(p.Lines, DayLine{Time: clinic.Dates{Loc: loc}.Clock(a.Start), Client: firstName(a.ClientName),
			Service: a.ServiceName, Room: a.RoomName, Index: a.CourseIndex, Size: a.CourseSize})
	}
	return p, nil
}

func firstName(name string) string {
	if f := strings.Fields(name); len(f) > 0 {
		return f[0]
	}
	return name
}

// maintenanceNudges prompts clients to book the maintenance visit their therapist set when a
// plan was completed with monthly maintenance (treatment_plans.maintenance_due, a local date),
// on that morning, unless they have booked since.
func (s *Store) maintenanceNudges(ctx context.Context, _ clinic.Settings, rs clinic.ReminderSettings, now time.Time) ([]Email, error) {
	today := clinic.DateOf(now, rs.Zone)
	rows, err := s.r.QueryContext(ctx, `SELECT p.id, p.client_id, p.maintenance_due, p.updated_at, c.name, c.email
		FROM treatment_plans p JOIN clients c ON c.id = p.client_id
		WHERE p.status = '`+string(clinic.PlanCompleted)+`' AND p.maintenance_due BETWEEN ? AND ?
		AND c.nudges_opt_out = 0 AND c.email <> ''
		AND NOT EXISTS (SELECT 1 FROM appointments a WHERE a.client_id = p.client_id AND a.status = `+sqlBooked+`
			AND a.starts_at >= p.updated_at)`, today.AddDays(-9).String(), today.AddDays(1).String())
	if err != nil {
		return nil, fmt.Errorf("maintenance nudges: %w", err)
	}
	defer rows.Close()
	var out []Email
	for rows.Next() {
		var planID, clientID, completed int64
		var dueDay, name, email string
		if err := rows.Scan(&planID, &clientID, &dueDay, &completed, &name, &email); err != nil {
			return nil, err
		}
		due, err := clinic.ParseDate(dueDay)
		if err != nil {
			continue
		}
		r, ok := clinic.MaintenanceReminder(planID, time.Date(due.Y, due.M, due.D, 0, 0, 0, 0, time.UTC), rs, now)
		if !ok || r.SendAt.After(now) {
			continue
		}
		p := MaintenanceMail{ClientID: clientID, ClientName: name, CompletedAt: completed, BookPath: "/book",
			Unsubscribe: s.UnsubscribePath(clientID)}
		out = append(out, Email{Kind: string(r.Kind), To: email, RefType: "plan", RefID: planID, DedupeKey: r.Key,
			Payload: p, SendAfter: r.SendAt, ExpiresAt: now.Add(nudgeExpiry)})
	}
	return out, rows.Err()
}

// UnsubscribePath is the one-click link that stops nudges and maintenance prompts for a
// client. It is signed, so it needs no table, and it names no email address.
func (s *Store) UnsubscribePath(clientID int64) string {
	return "/unsubscribe/" + unsubscribeToken(s.manageKey, clientID)
}

func unsubscribeToken(key []byte, clientID int64) string {
	id := strconv.FormatInt(clientID, 10)
	m := hmac.New(sha256.New, key)
	m.Write([]byte("unsubscribe:" + id))
	return id + "-" + base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:18])
}

// UnsubscribeTarget names the client an unsubscribe link is for, as the confirm page shows it
// (first name and a masked address), and whether they already opted out. ErrNotFound for a
// forged link.
func (s *Store) UnsubscribeTarget(ctx context.Context, token string) (name, maskedEmail string, out bool, err error) {
	id, err := s.unsubscribeClient(token)
	if err != nil {
		return "", "", false, err
	}
	var email string
	err = s.r.QueryRowContext(ctx, `SELECT name, email, nudges_opt_out FROM clients WHERE id = ?`, id).Scan(&name, &email, &out)
	if err != nil {
		return "", "", false, translate(err)
	}
	return firstName(name), maskEmail(email), out, nil
}

// Unsubscribe stops nudges and maintenance prompts for the client an unsubscribe link names.
// Confirmations and reminders of booked appointments still go: the client asked for those by
// booking. Doing it twice is fine.
func (s *Store) Unsubscribe(ctx context.Context, token, ip string) error {
	id, err := s.unsubscribeClient(token)
	if err != nil {
		return err
	}
	return s.write(ctx, func(tx *sql.Tx) error {
		now := unix(s.now())
		res, err := tx.ExecContext(ctx, `UPDATE clients SET nudges_opt_out = 1, updated_at = ? WHERE id = ?`, now, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrNotFound
		}
		return audit(ctx, tx, Actor{Role: clinic.RoleClient, ClientID: id, IP: ip}, now, "unsubscribe", "client", id, id, "nudges")
	})
}

func (s *Store) unsubscribeClient(token string) (int64, error) {
	idPart, _, ok := strings.Cut(token, "-")
	id, err := strconv.ParseInt(idPart, 10, 64)
	if !ok || err != nil || !hmac.Equal([]byte(unsubscribeToken(s.manageKey, id)), []byte(token)) {
		return 0, ErrNotFound
	}
	return id, nil
}

// maskEmail shows enough of an address to recognise it: "al…@example.com".
func maskEmail(email string) string {
	local, domain, ok := strings.Cut(email, "@")
	if !ok {
		return ""
	}
	if len(local) > 2 {
		local = local[:2]
	}
	return local + "…@" + domain
}

// DayListWanted reports whether a therapist asked for tomorrow's list by email.
func (s *Store) DayListWanted(ctx context.Context, by Actor) (bool, error) {
	var on bool
	err := s.r.QueryRowContext(ctx, `SELECT day_list FROM staff_mail_prefs WHERE user_id = ?`, by.UserID).Scan(&on)
	if err == sql.ErrNoRows {
		return false, nil
	}
	return on, err
}

// SetDayList turns a clinician's own evening email of tomorrow's list on or off.
func (s *Store) SetDayList(ctx context.Context, by Actor, on bool) error {
	if by.UserID == 0 || (by.Role != clinic.RoleTherapist && by.Role != clinic.RoleOwner) {
		return ErrForbidden
	}
	return s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO staff_mail_prefs (user_id, day_list) VALUES (?, ?)
			ON CONFLICT (user_id) DO UPDATE SET day_list = excluded.day_list`, by.UserID, on)
		return err
	})
}
