package store

import (
	"context"
	"database/sql"
	"fmt"

	"allium/clinic"
)

// Views of the chart and of a plan read in a snapshot on the reader pool, so they run beside
// the writer instead of queueing for it, and each kind of row is read in one query for the
// whole client rather than once per plan or per findings record. Only the audit row of the
// view goes to the writer, and the view is returned only once that row is committed.

// clientPlanList reads the client's plans, newest first, with their sessions, goals and
// readings: what a plan card shows. The history, reassessments and the facts the plan rules
// need are read by loadPlan, for the plan's own page.
func clientPlanList(ctx context.Context, tx *sql.Tx, clientID int64) ([]clinic.TreatmentPlan, error) {
	var out []clinic.TreatmentPlan
	rows, err := tx.QueryContext(ctx, `SELECT `+planColumns+` WHERE p.client_id = ? ORDER BY p.id DESC`, clientID)
	if err != nil {
		return nil, fmt.Errorf("client plans: %w", err)
	}
	for rows.Next() {
		p, err := scanPlan(rows)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("client plans: %w", err)
		}
		out = append(out, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(out) == 0 {
		return out, err
	}
	byID := indexByID(out, func(p *clinic.TreatmentPlan) int64 { return p.ID })
	if err := clientPlanSessions(ctx, tx, clientID, byID); err != nil {
		return nil, err
	}
	if err := clientPlanGoals(ctx, tx, clientID, byID); err != nil {
		return nil, err
	}
	return out, clientPlanReadings(ctx, tx, clientID, byID)
}

// clientPlanIDs selects the ids of one client's plans, for the queries below.
const clientPlanIDs = `(SELECT id FROM treatment_plans WHERE client_id = ?1)`

// clientPlanSessions is loadPlanSessions for every plan of a client at once: the sessions of
// each plan's courses and those whose note names it, in time order.
func clientPlanSessions(ctx context.Context, tx *sql.Tx, clientID int64, byID map[int64]*clinic.TreatmentPlan) error {
	return eachChartRow(ctx, tx, `SELECT x.plan_id, a.id, a.starts_at, a.status, t.name, s.name, coalesce(n.id, 0),
		coalesce(n.status, '')
		FROM (SELECT co.plan_id AS plan_id, ca.id AS appt_id FROM courses co JOIN appointments ca ON ca.course_id = co.id
			WHERE co.plan_id IN `+clientPlanIDs+`
			UNION SELECT pn.plan_id, pn.appointment_id FROM session_notes pn WHERE pn.plan_id IN `+clientPlanIDs+`) x
		JOIN appointments a ON a.id = x.appt_id JOIN users t ON t.id = a.therapist_id JOIN services s ON s.id = a.service_id
		LEFT JOIN session_notes n ON n.appointment_id = a.id
		WHERE a.status <> `+sqlCancelled+` ORDER BY x.plan_id, a.starts_at, a.id`, clientID,
		func(r *sql.Rows) error {
			var ps clinic.PlanSession
			var planID, st int64
			if err := r.Scan(&planID, &ps.AppointmentID, &st, &ps.Status, &ps.TherapistName, &ps.ServiceName, &ps.NoteID,
				&ps.NoteStatus); err != nil {
				return err
			}
			p := byID[planID]
			if p == nil {
				return nil
			}
			ps.Start, ps.Number = unixTime(st), len(p.Sessions)+1
			if ps.Status == clinic.ApptCompleted || ps.NoteStatus == "signed" {
				p.SessionsDone++
			}
			p.Sessions = append(p.Sessions, ps)
			return nil
		})
}

func clientPlanGoals(ctx context.Context, tx *sql.Tx, clientID int64, byID map[int64]*clinic.TreatmentPlan) error {
	err := eachChartRow(ctx, tx, `SELECT plan_id, id, description, measure, activity, baseline, target FROM plan_goals
		WHERE plan_id IN `+clientPlanIDs+` ORDER BY plan_id, position`, clientID, func(r *sql.Rows) error {
		var g clinic.PlanGoal
		var planID int64
		if err := r.Scan(&planID, &g.ID, &g.Description, &g.Measure, &g.Activity, &g.Baseline, &g.Target); err != nil {
			return err
		}
		if p := byID[planID]; p != nil {
			p.Goals = append(p.Goals, g)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("plan goals: %w", err)
	}
	return nil
}

// clientPlanReadings reads the readings of every goal of the client's plans through the goal
// index; a reading from a note counts once the note is signed.
func clientPlanReadings(ctx context.Context, tx *sql.Tx, clientID int64, byID map[int64]*clinic.TreatmentPlan) error {
	numbers := map[int64]map[int64]int{}
	for id, p := range byID {
		numbers[id] = sessionNumbers(p.Sessions)
	}
	return eachChartRow(ctx, tx, `SELECT g.plan_id, r.id, r.goal_id, coalesce(r.note_id, 0), coalesce(r.reassessment_id, 0),
		r.value, r.taken_at, coalesce(n.appointment_id, 0)
		FROM plan_goals g JOIN outcome_readings r ON r.goal_id = g.id AND r.plan_id = g.plan_id
		LEFT JOIN session_notes n ON n.id = r.note_id
		WHERE g.plan_id IN `+clientPlanIDs+` AND (r.note_id IS NULL OR n.status = 'signed') ORDER BY r.taken_at, r.id`, clientID,
		func(r *sql.Rows) error {
			var o clinic.OutcomeReading
			var planID, at, appt int64
			if err := r.Scan(&planID, &o.ID, &o.GoalID, &o.NoteID, &o.ReassessmentID, &o.Value, &at, &appt); err != nil {
				return err
			}
			if p := byID[planID]; p != nil {
				o.TakenAt, o.Session = unixTime(at), numbers[planID][appt]
				addReading(p, o)
			}
			return nil
		})
}

// sessionNumbers maps each of a plan's appointments to its number in the plan.
func sessionNumbers(sessions []clinic.PlanSession) map[int64]int {
	number := make(map[int64]int, len(sessions))
	for _, s := range sessions {
		number[s.AppointmentID] = s.Number
	}
	return number
}

func addReading(p *clinic.TreatmentPlan, o clinic.OutcomeReading) {
	for i := range p.Goals {
		if p.Goals[i].ID == o.GoalID {
			p.Goals[i].Readings = append(p.Goals[i].Readings, o)
		}
	}
}

// anyPlanDue reports whether a running plan has reached its review, which a view of it
// records (reassess_due) before showing it.
func anyPlanDue(plans []clinic.TreatmentPlan, today clinic.Date) bool {
	for _, p := range plans {
		if p.Due(today) {
			return true
		}
	}
	return false
}

// clientReferrals reads referrals of one client for a list: everything but the letter, which
// can be long and which ReferralByID reads when one is opened.
func clientReferrals(ctx context.Context, tx *sql.Tx, cl clinic.ChartClient, where string, args ...any) ([]clinic.Referral, error) {
	var out []clinic.Referral
	err := scanInto(ctx, tx, func(rows *sql.Rows) error {
		r := clinic.Referral{ClientName: cl.Name, ClientBirthDate: cl.BirthDate}
		var created int64
		var sent sql.NullInt64
		if err := rows.Scan(&r.ID, &r.ClientID, &r.PlanID, &r.ReassessmentID, &r.AuthorID, &r.AuthorName, &r.Target,
			&r.Reason, &r.Urgency, &r.Status, &created, &sent); err != nil {
			return err
		}
		r.CreatedAt, r.SentAt = unixTime(created), nullUnix(sent)
		out = append(out, r)
		return nil
	}, `SELECT r.id, r.client_id, coalesce(r.plan_id, 0), coalesce(r.reassessment_id, 0), r.author_id,
		u.name, r.target, r.reason, r.urgency, r.status, r.created_at, r.sent_at
		FROM referrals r JOIN users u ON u.id = r.author_id WHERE `+where+` ORDER BY r.id DESC`, args...)
	if err != nil {
		return nil, fmt.Errorf("referrals: %w", err)
	}
	return out, nil
}

// indexByID maps each element's id to the element itself, so rows read for many parents at once
// (their goals, sessions, detail rows) can be attached where they belong.
func indexByID[T any](xs []T, id func(*T) int64) map[int64]*T {
	out := make(map[int64]*T, len(xs))
	for i := range xs {
		out[id(&xs[i])] = &xs[i]
	}
	return out
}
