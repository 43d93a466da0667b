package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"allium/clinic"
)

// ReviewMail is the payload of the reassessment notice (to client and therapist) and of the
// outcome request the day before it.
type ReviewMail struct {
	ClientID     int64
	ClientName   string
	Therapist    string
	Goal         string
	Due          string // the review day, "Tue 12 Jan"
	DueDay       string // the review day as a date, for the send-time check
	Booked       string // the review appointment, "Tue 12 Jan, 10:00", or "" when none is booked
	ForTherapist bool
	ChartPath    string
	BookPath     string
}

// reviewNudges queues, for plans whose review is near, the notice to client and therapist and
// the request for outcome scores (the rules are clinic.ReassessmentReminders).
func (s *Store) reviewNudges(ctx context.Context, _ clinic.Settings, rs clinic.ReminderSettings, now time.Time) ([]Email, error) {
	today := clinic.DateOf(now, rs.Zone)
	rows, err := s.r.QueryContext(ctx, `SELECT p.id, p.client_id, p.therapist_id, p.reassessment_date, c.name, c.email,
		t.name, t.email, coalesce((SELECT g.description FROM plan_goals g WHERE g.plan_id = p.id ORDER BY g.position LIMIT 1), '')
		FROM treatment_plans p JOIN clients c ON c.id = p.client_id JOIN users t ON t.id = p.therapist_id
		WHERE p.status IN ('active', 'extended', 'reassess_due') AND p.reassessment_date BETWEEN ? AND ?`,
		today.String(), today.AddDays(rs.ReassessNoticeDays+1).String())
	if err != nil {
		return nil, fmt.Errorf("review nudges: %w", err)
	}
	type plan struct {
		id, client, therapist                                 int64
		due, name, email, therapistName, therapistEmail, goal string
	}
	var plans []plan
	for rows.Next() {
		var p plan
		if err := rows.Scan(&p.id, &p.client, &p.therapist, &p.due, &p.name, &p.email, &p.therapistName, &p.therapistEmail, &p.goal); err != nil {
			rows.Close()
			return nil, err
		}
		plans = append(plans, p)
	}
	rows.Close()
	var out []Email
	for _, p := range plans {
		due, err := clinic.ParseDate(p.due)
		if err != nil {
			continue
		}
		dueStart := time.Date(due.Y, due.M, due.D, 0, 0, 0, 0, rs.Zone)
		var session time.Time
		var start int64
		err = s.r.QueryRowContext(ctx, `SELECT starts_at FROM appointments WHERE client_id = ? AND status = `+sqlBooked+`
			AND starts_at >= ? AND starts_at < ? ORDER BY starts_at LIMIT 1`, p.client, unix(dueStart), unix(dueStart.AddDate(0, 0, 1))).Scan(&start)
		if err == nil {
			session = unixTime(start)
		}
		facts := clinic.ReassessmentFacts{PlanID: p.id, TherapistID: p.therapist,
			Due: time.Date(due.Y, due.M, due.D, 0, 0, 0, 0, time.UTC), SessionStart: session}
		for _, r := range clinic.ReassessmentReminders(facts, rs, now) {
			if r.SendAt.After(now) {
				continue // the scan comes round again; queue it when it is due
			}
			m := ReviewMail{ClientID: p.client, ClientName: p.name, Therapist: p.therapistName, Goal: p.goal,
				Due: clinic.Dates{Today: due}.Day(due), DueDay: due.String(), BookPath: "/book",
				ChartPath: fmt.Sprintf("/clients/%d/chart", p.client)}
			if !session.IsZero() {
				m.Booked = mailWhen(session, rs.Zone)
			}
			to := p.email
			if r.To == clinic.RecipientTherapist {
				to, m.ForTherapist = p.therapistEmail, true
			}
			if to == "" {
				continue
			}
			out = append(out, Email{Kind: string(r.Kind), To: to, RefType: "plan", RefID: p.id, DedupeKey: r.Key,
				Payload: m, SendAfter: r.SendAt, ExpiresAt: dueStart.AddDate(0, 0, 1)})
		}
	}
	return out, nil
}

// reviewFacts reads the plan's status, its current review day and whether outcome scores came
// in since the message was queued. It reports false for a message it cannot read the review
// day of.
func (s *Store) reviewFacts(ctx context.Context, row OutboxRow, r *clinic.Reminder, st *clinic.SendState) (bool, error) {
	var p ReviewMail
	if err := json.Unmarshal(row.Payload, &p); err != nil {
		return false, err
	}
	due, err := clinic.ParseDate(p.DueDay)
	if err != nil {
		return false, nil
	}
	var current string
	var readings int
	err = s.r.QueryRowContext(ctx, `SELECT status, reassessment_date,
		(SELECT count(*) FROM outcome_readings WHERE plan_id = ? AND taken_at >= ?) FROM treatment_plans WHERE id = ?`,
		row.RefID, unix(row.CreatedAt), row.RefID).Scan(&st.PlanStatus, &current, &readings)
	if err != nil {
		return false, translate(err)
	}
	cur, err := clinic.ParseDate(current)
	if err != nil {
		return false, nil
	}
	day := func(d clinic.Date) time.Time { return time.Date(d.Y, d.M, d.D, 0, 0, 0, 0, time.UTC) }
	r.Subject, st.ReassessmentDue, st.OutcomeRecorded = day(due), day(cur), readings > 0
	return true, nil
}
