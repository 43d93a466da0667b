package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"allium/clinic"
)

// NewPlan is a plan as the therapist drafts it. AssessmentID and FindingsID say what it rests
// on; PreviousPlanID is the plan it replaces after a change of approach.
type NewPlan struct {
	ClientID       int64
	AssessmentID   int64
	FindingsID     int64
	PreviousPlanID int64
	Draft          clinic.TreatmentPlanDraft
	HomeCare       string
}

// CreatePlan stores a draft plan and returns its id. It starts in draft: starting it is a
// separate event with its own guards.
func (s *Store) CreatePlan(ctx context.Context, by Actor, np NewPlan) (int64, error) {
	if err := invalidRecord("plan", np.Draft.Validate()); err != nil {
		return 0, err
	}
	d := np.Draft
	var id int64
	err := s.write(ctx, func(tx *sql.Tx) error {
		if err := clinicalWriter(ctx, tx, by, np.ClientID); err != nil {
			return err
		}
		if err := planSourcesOf(ctx, tx, np); err != nil {
			return err
		}
		now := unix(s.now())
		err := tx.QueryRowContext(ctx, `INSERT INTO treatment_plans (client_id, therapist_id, assessment_id, findings_id,
			previous_plan_id, layers, planned_sessions, target_days, min_days, max_days, start_date, reassessment_date,
			home_care, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			np.ClientID, by.UserID, chartNullID(np.AssessmentID), chartNullID(np.FindingsID), chartNullID(np.PreviousPlanID),
			joinChartCodes(d.Layers), d.PlannedSessions, d.TargetDays, d.MinDays, d.MaxDays, civilDay(d.StartDate).String(),
			civilDay(d.EffectiveReassessmentDate()).String(), np.HomeCare, now, now).Scan(&id)
		if err != nil {
			return fmt.Errorf("create plan: %w", err)
		}
		for i, g := range d.Goals {
			if _, err := tx.ExecContext(ctx, `INSERT INTO plan_goals (plan_id, position, description, measure, activity,
				baseline, target) VALUES (?, ?, ?, ?, ?, ?, ?)`, id, i, g.Description, g.Measure, g.Activity,
				g.Baseline, g.Target); err != nil {
				return fmt.Errorf("plan goal: %w", err)
			}
		}
		return audit(ctx, tx, by, now, "create", "plan", id, np.ClientID, joinChartCodes(d.Layers))
	})
	return id, err
}

// planSourcesOf checks that the records a new plan rests on belong to its client.
func planSourcesOf(ctx context.Context, tx *sql.Tx, np NewPlan) error {
	for _, src := range []struct {
		table string
		id    int64
	}{{"assessments", np.AssessmentID}, {"findings", np.FindingsID}, {"treatment_plans", np.PreviousPlanID}} {
		if src.id == 0 {
			continue
		}
		var ok bool
		if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM `+src.table+` WHERE id = ? AND client_id = ?)`,
			src.id, np.ClientID).Scan(&ok); err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("%s %d of client %d: %w", src.table, src.id, np.ClientID, ErrNotFound)
		}
	}
	return nil
}

// civilDay keeps a time's calendar fields, the way the plan rules read dates.
func civilDay(t time.Time) clinic.Date {
	y, m, d := t.Date()
	return clinic.Date{Y: y, M: m, D: d}
}

// civilMidnight is a date as the plan rules take it: midnight UTC of that calendar day.
func civilMidnight(d clinic.Date) time.Time { return time.Date(d.Y, d.M, d.D, 0, 0, 0, 0, time.UTC) }

func parseCivilDay(s string) clinic.Date {
	d, err := clinic.ParseDate(s)
	if err != nil {
		return clinic.Date{}
	}
	return d
}

func civilDayString(d clinic.Date) string {
	if d.IsZero() {
		return ""
	}
	return d.String()
}

// PlanByID reads a plan for a clinician, moving it to reassess_due first if its review has
// come, and records the view.
func (s *Store) PlanByID(ctx context.Context, by Actor, id int64) (clinic.TreatmentPlan, error) {
	pp, err := s.planView(ctx, by, id, false)
	return pp.Plan, err
}

// PlanPage is what a plan's page shows: the plan whole, its client, the client's courses not
// yet linked to a plan, and the referrals written for the plan.
type PlanPage struct {
	Plan      clinic.TreatmentPlan
	Client    clinic.ChartClient
	Courses   []clinic.ChartCourse // newest first
	Referrals []clinic.Referral    // newest first, without their letters
	Today     clinic.Date          // in the clinic's zone
}

// PlanPage reads a plan's page for a clinician, moving the client's plans whose review has
// come to reassess_due first, and records the view.
func (s *Store) PlanPage(ctx context.Context, by Actor, id int64) (PlanPage, error) {
	return s.planView(ctx, by, id, true)
}

// planView reads a plan and its client, and with page the courses and referrals its page shows.
func (s *Store) planView(ctx context.Context, by Actor, id int64, page bool) (PlanPage, error) {
	var pp PlanPage
	var clientID int64
	err := s.read(ctx, func(tx *sql.Tx) error {
		var err error
		if clientID, err = s.planPageIn(ctx, tx, by, id, page, &pp); err != nil {
			return err
		}
		if pp.Plan.Due(pp.Today) {
			return errPlanDue
		}
		return nil
	})
	if errors.Is(err, errPlanDue) {
		return s.planPageMovingDue(ctx, by, id, page)
	}
	if err != nil {
		return pp, err
	}
	return pp, s.auditView(ctx, by, "plan", id, clientID)
}

// errPlanDue tells a plan view read in a snapshot that the plan must move before it is shown.
var errPlanDue = errors.New("plan review due")

// planPageMovingDue is PlanPage in one write transaction, for a view that moves a plan.
func (s *Store) planPageMovingDue(ctx context.Context, by Actor, id int64, page bool) (PlanPage, error) {
	var pp PlanPage
	err := s.write(ctx, func(tx *sql.Tx) error {
		clientID, err := planClient(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := clinicalAccess(ctx, tx, by, clientID); err != nil {
			return err
		}
		today, _, err := s.today(ctx, tx)
		if err != nil {
			return err
		}
		if err := s.markDuePlans(ctx, tx, clientID, today); err != nil {
			return err
		}
		if _, err := s.planPageIn(ctx, tx, by, id, page, &pp); err != nil {
			return err
		}
		return audit(ctx, tx, by, unix(s.now()), "view", "plan", id, clientID, "")
	})
	return pp, err
}

func (s *Store) planPageIn(ctx context.Context, tx *sql.Tx, by Actor, id int64, page bool, pp *PlanPage) (int64, error) {
	// The plan's row names its client; nothing of it leaves here unless the actor treats them.
	p, err := scanPlan(tx.QueryRowContext(ctx, `SELECT `+planColumns+` WHERE p.id = ?`, id))
	if err != nil {
		return 0, fmt.Errorf("plan %d: %w", id, translate(err))
	}
	clientID := p.ClientID
	if err := clinicalAccess(ctx, tx, by, clientID); err != nil {
		return 0, err
	}
	var loc *time.Location
	if pp.Today, loc, err = s.today(ctx, tx); err != nil {
		return 0, err
	}
	if pp.Client, err = chartClient(ctx, tx, clientID); err != nil {
		return 0, err
	}
	if err := loadPlanParts(ctx, tx, &p); err != nil {
		return 0, err
	}
	for i := range p.Sessions {
		ps := &p.Sessions[i]
		ps.NoteOpen = clinic.NoteOpen(ps.Status, ps.Start, s.now(), loc)
	}
	if pp.Plan = p; !page {
		return clientID, nil
	}
	if pp.Courses, err = unlinkedCourses(ctx, tx, clientID); err != nil {
		return 0, err
	}
	pp.Referrals, err = clientReferrals(ctx, tx, pp.Client, `r.client_id = ?1 AND r.plan_id = ?2`, clientID, id)
	return clientID, err
}

func planClient(ctx context.Context, tx *sql.Tx, id int64) (int64, error) {
	var clientID int64
	err := tx.QueryRowContext(ctx, `SELECT client_id FROM treatment_plans WHERE id = ?`, id).Scan(&clientID)
	if err != nil {
		return 0, fmt.Errorf("plan %d: %w", id, translate(err))
	}
	return clientID, nil
}

const planColumns = `p.id, p.client_id, c.name, p.therapist_id, u.name, coalesce(p.assessment_id, 0), coalesce(p.findings_id, 0),
	coalesce(p.previous_plan_id, 0), p.status, p.layers, p.planned_sessions, p.extension_sessions, p.target_days, p.min_days,
	p.max_days, p.start_date, p.reassessment_date, p.maintenance_due, p.extensions_used, p.home_care, p.version,
	p.created_at, p.updated_at FROM treatment_plans p JOIN clients c ON c.id = p.client_id JOIN users u ON u.id = p.therapist_id`

func scanPlan(row interface{ Scan(...any) error }) (clinic.TreatmentPlan, error) {
	var p clinic.TreatmentPlan
	var layers, start, reassess, maint string
	var created, updated int64
	err := row.Scan(&p.ID, &p.ClientID, &p.ClientName, &p.TherapistID, &p.TherapistName, &p.AssessmentID, &p.FindingsID,
		&p.PreviousPlanID, &p.Status, &layers, &p.PlannedSessions, &p.ExtensionSessions, &p.TargetDays, &p.MinDays,
		&p.MaxDays, &start, &reassess, &maint, &p.ExtensionsUsed, &p.HomeCare, &p.Version, &created, &updated)
	for _, l := range splitChartCodes(layers) {
		p.Layers = append(p.Layers, clinic.PlanLayer(l))
	}
	p.StartDate, p.ReassessmentDate, p.MaintenanceDue = parseCivilDay(start), parseCivilDay(reassess), parseCivilDay(maint)
	p.CreatedAt, p.UpdatedAt = unixTime(created), unixTime(updated)
	return p, err
}

// loadPlan reads a plan and everything hanging off it. The client's view leaves out the notes,
// the history's reasons and the reassessments' rationale.
func loadPlan(ctx context.Context, tx *sql.Tx, id int64, forClient bool) (clinic.TreatmentPlan, error) {
	p, err := scanPlan(tx.QueryRowContext(ctx, `SELECT `+planColumns+` WHERE p.id = ?`, id))
	if err != nil {
		return p, fmt.Errorf("plan %d: %w", id, translate(err))
	}
	if err := loadPlanParts(ctx, tx, &p); err != nil {
		return p, err
	}
	if forClient {
		stripForClient(&p)
	}
	return p, nil
}

func loadPlanParts(ctx context.Context, tx *sql.Tx, p *clinic.TreatmentPlan) error {
	if err := loadPlanSessions(ctx, tx, p); err != nil {
		return err
	}
	if err := loadGoals(ctx, tx, p); err != nil {
		return err
	}
	if err := loadPlanEvents(ctx, tx, p); err != nil {
		return err
	}
	if err := loadReassessments(ctx, tx, p); err != nil {
		return err
	}
	var err error
	p.Facts, err = planFacts(ctx, tx, *p)
	return err
}

func stripForClient(p *clinic.TreatmentPlan) {
	for i := range p.Sessions {
		p.Sessions[i].NoteID, p.Sessions[i].NoteStatus = 0, ""
	}
	for i := range p.Goals {
		for j := range p.Goals[i].Readings {
			p.Goals[i].Readings[j].NoteID = 0
		}
	}
	p.Events, p.Reassessments, p.Facts = nil, nil, clinic.PlanFacts{}
}

// loadPlanSessions reads the plan's sessions: those of its courses and those whose note names
// it. The two are found through their own indexes and joined by id; an OR across the joined
// tables made SQLite walk every appointment in the clinic (170 ms a plan at a million).
func loadPlanSessions(ctx context.Context, tx *sql.Tx, p *clinic.TreatmentPlan) error {
	return eachChartRow(ctx, tx, `SELECT a.id, a.starts_at, a.status, t.name, s.name, coalesce(n.id, 0), coalesce(n.status, '')
		FROM appointments a JOIN users t ON t.id = a.therapist_id JOIN services s ON s.id = a.service_id
		LEFT JOIN session_notes n ON n.appointment_id = a.id
		WHERE a.id IN (SELECT ca.id FROM courses co JOIN appointments ca ON ca.course_id = co.id WHERE co.plan_id = ?1
			UNION SELECT pn.appointment_id FROM session_notes pn WHERE pn.plan_id = ?1)
		AND a.status <> `+sqlCancelled+` ORDER BY a.starts_at, a.id`, p.ID,
		func(r *sql.Rows) error {
			var ps clinic.PlanSession
			var st int64
			if err := r.Scan(&ps.AppointmentID, &st, &ps.Status, &ps.TherapistName, &ps.ServiceName, &ps.NoteID,
				&ps.NoteStatus); err != nil {
				return err
			}
			ps.Start, ps.Number = unixTime(st), len(p.Sessions)+1
			if ps.Status == clinic.ApptCompleted || ps.NoteStatus == "signed" {
				p.SessionsDone++
			}
			p.Sessions = append(p.Sessions, ps)
			return nil
		})
}

func loadGoals(ctx context.Context, tx *sql.Tx, p *clinic.TreatmentPlan) error {
	err := eachChartRow(ctx, tx, `SELECT id, description, measure, activity, baseline, target FROM plan_goals
		WHERE plan_id = ? ORDER BY position`, p.ID, func(r *sql.Rows) error {
		var g clinic.PlanGoal
		err := r.Scan(&g.ID, &g.Description, &g.Measure, &g.Activity, &g.Baseline, &g.Target)
		p.Goals = append(p.Goals, g)
		return err
	})
	if err != nil {
		return fmt.Errorf("plan goals: %w", err)
	}
	number := sessionNumbers(p.Sessions)
	// Through the goal index: readings have no index of their own by plan.
	return eachChartRow(ctx, tx, `SELECT r.id, r.goal_id, coalesce(r.note_id, 0), coalesce(r.reassessment_id, 0), r.value,
		r.taken_at, coalesce(n.appointment_id, 0)
		FROM plan_goals g JOIN outcome_readings r ON r.goal_id = g.id AND r.plan_id = g.plan_id
		LEFT JOIN session_notes n ON n.id = r.note_id
		WHERE g.plan_id = ? AND (r.note_id IS NULL OR n.status = 'signed') ORDER BY r.taken_at, r.id`, p.ID,
		func(r *sql.Rows) error {
			var o clinic.OutcomeReading
			var at, appt int64
			if err := r.Scan(&o.ID, &o.GoalID, &o.NoteID, &o.ReassessmentID, &o.Value, &at, &appt); err != nil {
				return err
			}
			o.TakenAt, o.Session = unixTime(at), number[appt]
			addReading(p, o)
			return nil
		})
}

func loadPlanEvents(ctx context.Context, tx *sql.Tx, p *clinic.TreatmentPlan) error {
	return eachChartRow(ctx, tx, `SELECT e.event, e.from_status, e.to_status, e.reason, coalesce(u.name, ''), e.at,
		e.actor_id IS NULL FROM plan_events e LEFT JOIN users u ON u.id = e.actor_id WHERE e.plan_id = ? ORDER BY e.id`, p.ID,
		func(r *sql.Rows) error {
			var e clinic.PlanEventRecord
			var at int64
			err := r.Scan(&e.Event, &e.From, &e.To, &e.Reason, &e.Actor, &at, &e.Automatic)
			e.At = unixTime(at)
			p.Events = append(p.Events, e)
			return err
		})
}

func loadReassessments(ctx context.Context, tx *sql.Tx, p *clinic.TreatmentPlan) error {
	err := eachChartRow(ctx, tx, `SELECT r.id, coalesce(r.appointment_id, 0), r.decision, r.rationale, r.from_status,
		r.to_status, r.maintenance_due, r.next_reassessment, u.name, r.created_at FROM reassessments r
		JOIN users u ON u.id = r.therapist_id WHERE r.plan_id = ? ORDER BY r.id`, p.ID, func(r *sql.Rows) error {
		var ra clinic.ReassessmentRecord
		var maint, next string
		var at int64
		err := r.Scan(&ra.ID, &ra.AppointmentID, &ra.Decision, &ra.Rationale, &ra.From, &ra.To, &maint, &next,
			&ra.Therapist, &at)
		ra.MaintenanceDue, ra.NextReassessment, ra.At = parseCivilDay(maint), parseCivilDay(next), unixTime(at)
		p.Reassessments = append(p.Reassessments, ra)
		return err
	})
	if err != nil {
		return fmt.Errorf("reassessments: %w", err)
	}
	if len(p.Reassessments) == 0 {
		return nil
	}
	byID := indexByID(p.Reassessments, func(r *clinic.ReassessmentRecord) int64 { return r.ID })
	return eachChartRow(ctx, tx, `SELECT g.reassessment_id, g.goal_id, g.baseline, g.current, g.gain, g.verdict, g.target_met
		FROM reassessments r JOIN reassessment_goals g ON g.reassessment_id = r.id WHERE r.plan_id = ?
		ORDER BY g.reassessment_id, g.goal_id`, p.ID, func(r *sql.Rows) error {
		var g clinic.ReassessedGoal
		var id int64
		if err := r.Scan(&id, &g.GoalID, &g.Baseline, &g.Current, &g.Gain, &g.Verdict, &g.TargetMet); err != nil {
			return err
		}
		if ra := byID[id]; ra != nil {
			ra.Goals = append(ra.Goals, g)
		}
		return nil
	})
}

// planFacts gathers what the plan rules need: consent, open safety flags, and whether a
// referral has been sent for the plan.
func planFacts(ctx context.Context, tx *sql.Tx, p clinic.TreatmentPlan) (clinic.PlanFacts, error) {
	f := clinic.PlanFacts{Status: p.Status, Layers: p.Layers, ExtensionsUsed: p.ExtensionsUsed}
	var consent sql.NullInt64
	if err := tx.QueryRowContext(ctx, `SELECT consent_treatment_at FROM clients WHERE id = ?`, p.ClientID).Scan(&consent); err != nil {
		return f, fmt.Errorf("plan facts: %w", err)
	}
	f.HasTreatmentConsent = consent.Valid
	if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM referrals WHERE client_id = ? AND status = 'sent'
		AND (plan_id = ? OR (plan_id IS NULL AND created_at >= ?)))`, p.ClientID, p.ID, unix(p.CreatedAt)).
		Scan(&f.ReferralRecorded); err != nil {
		return f, fmt.Errorf("plan facts: %w", err)
	}
	var err error
	f.OpenFlags, err = openPlanFlags(ctx, tx, p.ClientID)
	return f, err
}

// plansInStatus are the ids of the client's plans in one of these statuses.
func plansInStatus(ctx context.Context, tx *sql.Tx, clientID int64, statuses ...clinic.PlanStatus) ([]int64, error) {
	args := []any{clientID}
	for _, st := range statuses {
		args = append(args, string(st))
	}
	var ids []int64
	err := scanInto(ctx, tx, func(r *sql.Rows) error {
		var id int64
		err := r.Scan(&id)
		ids = append(ids, id)
		return err
	}, `SELECT id FROM treatment_plans WHERE client_id = ? AND status IN (?`+strings.Repeat(", ?", len(statuses)-1)+`)`, args...)
	return ids, err
}

// markDuePlans moves the client's running plans whose review has come to reassess_due.
func (s *Store) markDuePlans(ctx context.Context, tx *sql.Tx, clientID int64, today clinic.Date) error {
	ids, err := plansInStatus(ctx, tx, clientID, clinic.PlanActive, clinic.PlanExtended)
	if err != nil {
		return fmt.Errorf("running plans: %w", err)
	}
	for _, id := range ids {
		p, err := loadPlan(ctx, tx, id, false)
		if err != nil {
			return err
		}
		if !p.Due(today) {
			continue
		}
		reason := "review date reached"
		if p.SessionsDone >= p.TotalSessions() {
			reason = "planned sessions done"
		}
		if _, err := s.movePlan(ctx, tx, System, p, clinic.PlanEventReassessmentDue, reason); err != nil {
			return err
		}
	}
	return nil
}

// unmarkDuePlans takes back what markDuePlans did when the completion recorded at completedAt
// is undone, in the undo's transaction and audited as the forward move was: the client's plans
// that the rules moved to reassessment due go back to their course where, without that session,
// clinic.TreatmentPlan.DueTakenBack says they are no longer due. Completing the session again
// runs markDuePlans, which moves them forward again.
func (s *Store) unmarkDuePlans(ctx context.Context, tx *sql.Tx, clientID int64, completedAt time.Time, today clinic.Date) error {
	ids, err := plansInStatus(ctx, tx, clientID, clinic.PlanReassessDue)
	if err != nil {
		return fmt.Errorf("due plans: %w", err)
	}
	for _, id := range ids {
		p, err := loadPlan(ctx, tx, id, false)
		if err != nil {
			return err
		}
		if !p.DueTakenBack(completedAt, today) {
			continue
		}
		if _, err := s.movePlan(ctx, tx, System, p, clinic.PlanEventSessionUndone, "completion undone"); err != nil {
			return err
		}
	}
	return nil
}

// movePlan applies one event through the plan rules and records it. A rule's refusal comes
// back joined with ErrConflict, so errors.As still finds the clinic error that says why.
func (s *Store) movePlan(ctx context.Context, tx *sql.Tx, by Actor, p clinic.TreatmentPlan, ev clinic.PlanEvent, reason string) (clinic.PlanStatus, error) {
	next, err := clinic.NextPlanStatus(p.Facts, ev)
	if err != nil {
		return p.Status, errors.Join(ErrConflict, err)
	}
	now := unix(s.now())
	res, err := tx.ExecContext(ctx, `UPDATE treatment_plans SET status = ?, version = version + 1, updated_at = ?
		WHERE id = ? AND status = ?`, next, now, p.ID, p.Status)
	if err != nil {
		return p.Status, fmt.Errorf("move plan: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return p.Status, fmt.Errorf("plan %d changed meanwhile: %w", p.ID, ErrConflict)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO plan_events (plan_id, event, from_status, to_status, reason, actor_id, at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, p.ID, ev, p.Status, next, reason, chartNullID(by.UserID), now); err != nil {
		return p.Status, fmt.Errorf("plan event: %w", err)
	}
	return next, audit(ctx, tx, by, now, "plan_"+string(ev), "plan", p.ID, p.ClientID, string(p.Status)+" -> "+string(next))
}

// decisionEvents move a plan only through a recorded reassessment, which carries their dates.
var decisionEvents = []clinic.PlanEvent{clinic.PlanEventGoalMet, clinic.PlanEventExtend, clinic.PlanEventChangeApproach}

// ApplyPlanEvent moves a plan by an event that needs no reassessment (start, hold, resume,
// discontinue, abandon, refer, reassessment due, mark in error). The plan rules decide; a
// refused event returns ErrConflict joined with the clinic error that says why.
func (s *Store) ApplyPlanEvent(ctx context.Context, by Actor, planID int64, ev clinic.PlanEvent, reason string) (clinic.PlanStatus, error) {
	if slices.Contains(decisionEvents, ev) {
		return "", fmt.Errorf("plan event %q needs a reassessment: %w", ev, ErrConflict)
	}
	if ev == clinic.PlanEventSessionUndone {
		return "", fmt.Errorf("plan event %q follows only from undoing a completion: %w", ev, ErrConflict)
	}
	var next clinic.PlanStatus
	err := s.write(ctx, func(tx *sql.Tx) error {
		p, err := s.writablePlan(ctx, tx, by, planID)
		if err != nil {
			return err
		}
		next, err = s.movePlan(ctx, tx, by, p, ev, reason)
		return err
	})
	return next, err
}

func (s *Store) writablePlan(ctx context.Context, tx *sql.Tx, by Actor, planID int64) (clinic.TreatmentPlan, error) {
	clientID, err := planClient(ctx, tx, planID)
	if err != nil {
		return clinic.TreatmentPlan{}, err
	}
	if err := clinicalWriter(ctx, tx, by, clientID); err != nil {
		return clinic.TreatmentPlan{}, err
	}
	return loadPlan(ctx, tx, planID, false)
}

// LinkCourse attaches one of the client's booked courses to a plan, for a course booked before
// the plan started or by someone who did not book it from the plan.
func (s *Store) LinkCourse(ctx context.Context, by Actor, planID, courseID int64) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		p, err := s.writablePlan(ctx, tx, by, planID)
		if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE courses SET plan_id = ? WHERE id = ? AND client_id = ? AND plan_id IS NULL`,
			planID, courseID, p.ClientID)
		if err != nil {
			return fmt.Errorf("link course: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("course %d is not the client's or already linked: %w", courseID, ErrConflict)
		}
		return audit(ctx, tx, by, unix(s.now()), "link_course", "plan", planID, p.ClientID, fmt.Sprintf("course %d", courseID))
	})
}

// ReassessmentInput is what the therapist records at a reassessment: each goal's score now
// (by goal id) and the decision.
type ReassessmentInput struct {
	AppointmentID   int64
	Current         map[int64]float64
	Decision        clinic.ReassessDecision
	Rationale       string
	MaintenanceDays int // 0: monthly
}

// ReassessmentResult is what a recorded reassessment did.
type ReassessmentResult struct {
	ID      int64
	Status  clinic.PlanStatus
	Outcome clinic.ReassessmentOutcome
}

// RecordReassessment compares each goal's baseline with its score now, stores the comparison
// and the decision, and moves the plan: to completed (goal met, or monthly maintenance with its
// first date), to extended (one more course, with a new review date), to changed or to
// referred. A running plan passes through reassess_due first. The plan rules' guards apply:
// a plan with a rehab layer cannot complete before its referral is sent, and a plan cannot be
// extended twice. Nothing is stored when a guard refuses.
func (s *Store) RecordReassessment(ctx context.Context, by Actor, planID int64, in ReassessmentInput) (ReassessmentResult, error) {
	var out ReassessmentResult
	err := s.write(ctx, func(tx *sql.Tx) error {
		p, err := s.writablePlan(ctx, tx, by, planID)
		if err != nil {
			return err
		}
		if err := checkReassessment(p, in); err != nil {
			return err
		}
		today, _, err := s.today(ctx, tx)
		if err != nil {
			return err
		}
		if p.Running() {
			if _, err := s.movePlan(ctx, tx, by, p, clinic.PlanEventReassessmentDue, "reassessment recorded"); err != nil {
				return err
			}
			p.Status, p.Facts.Status = clinic.PlanReassessDue, clinic.PlanReassessDue
		}
		out.Outcome, err = clinic.PlanReassessment(in.Decision, civilMidnight(today), p.TargetDays, in.MaintenanceDays)
		if err != nil {
			return fmt.Errorf("%v: %w", err, ErrInvalidRecord)
		}
		if out.Status, err = s.movePlan(ctx, tx, by, p, out.Outcome.Event, string(in.Decision)); err != nil {
			return err
		}
		out.ID, err = s.storeReassessment(ctx, tx, by, p, in, out)
		return err
	})
	return out, err
}

func checkReassessment(p clinic.TreatmentPlan, in ReassessmentInput) error {
	if !p.Reassessable() {
		return fmt.Errorf("plan %d is %s: %w", p.ID, p.Status, ErrConflict)
	}
	for _, g := range p.Goals {
		v, ok := in.Current[g.ID]
		if lo, hi := g.Measure.Range(); !ok || v < lo || v > hi {
			return fmt.Errorf("goal %d needs a score from %g to %g: %w", g.ID, lo, hi, ErrInvalidRecord)
		}
	}
	return nil
}

func (s *Store) storeReassessment(ctx context.Context, tx *sql.Tx, by Actor, p clinic.TreatmentPlan, in ReassessmentInput, out ReassessmentResult) (int64, error) {
	now := unix(s.now())
	o := out.Outcome
	var id int64
	err := tx.QueryRowContext(ctx, `INSERT INTO reassessments (plan_id, client_id, therapist_id, appointment_id, decision,
		rationale, from_status, to_status, maintenance_due, next_reassessment, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, p.ID, p.ClientID, by.UserID, chartNullID(in.AppointmentID),
		in.Decision, in.Rationale, p.Status, out.Status, civilDayString(civilDayOrZero(o.MaintenanceDue)),
		civilDayString(civilDayOrZero(o.NextReassessment)), now).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("record reassessment: %w", err)
	}
	for _, g := range p.Goals {
		gp := clinic.AssessGoal(g.Goal, in.Current[g.ID])
		if _, err := tx.ExecContext(ctx, `INSERT INTO reassessment_goals (reassessment_id, goal_id, baseline, current, gain,
			verdict, target_met) VALUES (?, ?, ?, ?, ?, ?, ?)`, id, g.ID, g.Baseline, gp.Current, gp.Gain, gp.Verdict,
			gp.TargetMet); err != nil {
			return 0, fmt.Errorf("reassessed goal: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO outcome_readings (client_id, plan_id, goal_id, reassessment_id, value,
			taken_at, recorded_by) VALUES (?, ?, ?, ?, ?, ?, ?)`, p.ClientID, p.ID, g.ID, id, gp.Current, now,
			chartNullID(by.UserID)); err != nil {
			return 0, fmt.Errorf("reassessment reading: %w", err)
		}
	}
	if err := applyOutcome(ctx, tx, p, o, now); err != nil {
		return 0, err
	}
	return id, audit(ctx, tx, by, now, "create", "reassessment", id, p.ClientID, string(in.Decision))
}

// applyOutcome writes what a decision sets on the plan: the extension course and its review
// date, or the first maintenance visit.
func applyOutcome(ctx context.Context, tx *sql.Tx, p clinic.TreatmentPlan, o clinic.ReassessmentOutcome, now int64) error {
	var err error
	switch {
	case o.Event == clinic.PlanEventExtend:
		_, err = tx.ExecContext(ctx, `UPDATE treatment_plans SET extensions_used = extensions_used + 1,
			extension_sessions = ?, reassessment_date = ?, updated_at = ? WHERE id = ?`,
			o.ExtensionSessions, civilDay(o.NextReassessment).String(), now, p.ID)
	case !o.MaintenanceDue.IsZero():
		_, err = tx.ExecContext(ctx, `UPDATE treatment_plans SET maintenance_due = ?, updated_at = ? WHERE id = ?`,
			civilDay(o.MaintenanceDue).String(), now, p.ID)
	}
	if err != nil {
		return fmt.Errorf("apply reassessment: %w", err)
	}
	return nil
}

func civilDayOrZero(t time.Time) clinic.Date {
	if t.IsZero() {
		return clinic.Date{}
	}
	return civilDay(t)
}

// MyPlans is what a client sees of their plans: goals, sessions, review date and progress,
// never the therapist's notes. Drafts, abandoned plans and errors are left out.
func (s *Store) MyPlans(ctx context.Context, by Actor) ([]clinic.TreatmentPlan, error) {
	if by.Role != clinic.RoleClient || by.ClientID == 0 {
		return nil, ErrNotFound
	}
	var out []clinic.TreatmentPlan
	err := s.read(ctx, func(tx *sql.Tx) error {
		all, err := clientPlanList(ctx, tx, by.ClientID)
		if err != nil {
			return err
		}
		for _, p := range all {
			switch p.Status {
			case clinic.PlanDraft, clinic.PlanCancelled, clinic.PlanEnteredInError:
				continue
			}
			stripForClient(&p)
			out = append(out, p)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, s.auditRead(ctx, by, "view", "plan_summary", 0, by.ClientID, fmt.Sprintf("%d plans", len(out)))
}

// CreateReferral stores a draft referral. With endPlan the plan it names moves to referred in
// the same transaction (a decision at a reassessment, or a new red flag).
func (s *Store) CreateReferral(ctx context.Context, by Actor, r clinic.Referral, endPlan bool) (int64, error) {
	if err := invalidRecord("referral", r.Validate()); err != nil {
		return 0, err
	}
	var id int64
	err := s.write(ctx, func(tx *sql.Tx) error {
		if err := clinicalWriter(ctx, tx, by, r.ClientID); err != nil {
			return err
		}
		if err := referralPlan(ctx, tx, by, s, r, endPlan); err != nil {
			return err
		}
		now := unix(s.now())
		err := tx.QueryRowContext(ctx, `INSERT INTO referrals (client_id, plan_id, reassessment_id, author_id, target, reason,
			urgency, letter, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, r.ClientID, chartNullID(r.PlanID),
			chartNullID(r.ReassessmentID), by.UserID, r.Target, r.Reason, r.Urgency, r.Letter, now).Scan(&id)
		if err != nil {
			return fmt.Errorf("create referral: %w", err)
		}
		return audit(ctx, tx, by, now, "create", "referral", id, r.ClientID, r.Target+" "+r.Urgency)
	})
	return id, err
}

// referralPlan checks that the referral's plan is the client's and ends it when asked to.
func referralPlan(ctx context.Context, tx *sql.Tx, by Actor, s *Store, r clinic.Referral, endPlan bool) error {
	if r.ReassessmentID != 0 {
		var ok bool
		if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM reassessments WHERE id = ? AND client_id = ?)`,
			r.ReassessmentID, r.ClientID).Scan(&ok); err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("reassessment %d of another client: %w", r.ReassessmentID, ErrNotFound)
		}
	}
	if r.PlanID == 0 {
		if endPlan {
			return fmt.Errorf("end a plan without naming it: %w", ErrInvalidRecord)
		}
		return nil
	}
	p, err := loadPlan(ctx, tx, r.PlanID, false)
	if err != nil {
		return err
	}
	if p.ClientID != r.ClientID {
		return fmt.Errorf("plan %d of another client: %w", r.PlanID, ErrNotFound)
	}
	if !endPlan || p.Status == clinic.PlanReferred {
		return nil
	}
	_, err = s.movePlan(ctx, tx, by, p, clinic.PlanEventRefer, r.Reason)
	return err
}

// ReferralByID reads a referral for a clinician and records the view.
func (s *Store) ReferralByID(ctx context.Context, by Actor, id int64) (clinic.Referral, error) {
	var r clinic.Referral
	err := s.read(ctx, func(tx *sql.Tx) error {
		list, err := queryReferrals(ctx, tx, `r.id = ?`, id)
		if err != nil {
			return err
		}
		if len(list) == 0 {
			return fmt.Errorf("referral %d: %w", id, ErrNotFound)
		}
		r = list[0]
		if err := clinicalAccess(ctx, tx, by, r.ClientID); err != nil {
			return err
		}
		return nil
	})
	if err != nil {
		return r, err
	}
	return r, s.auditView(ctx, by, "referral", id, r.ClientID)
}

// MarkReferralSent records that the letter went out. A plan with a rehab layer may complete
// only after this.
func (s *Store) MarkReferralSent(ctx context.Context, by Actor, id int64) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		list, err := queryReferrals(ctx, tx, `r.id = ?`, id)
		if err != nil {
			return err
		}
		if len(list) == 0 {
			return fmt.Errorf("referral %d: %w", id, ErrNotFound)
		}
		r := list[0]
		if err := clinicalWriter(ctx, tx, by, r.ClientID); err != nil {
			return err
		}
		now := unix(s.now())
		res, err := tx.ExecContext(ctx, `UPDATE referrals SET status = 'sent', sent_at = ? WHERE id = ? AND status = 'draft'`, now, id)
		if err != nil {
			return fmt.Errorf("mark referral sent: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("referral %d is %s: %w", id, r.Status, ErrConflict)
		}
		return audit(ctx, tx, by, now, "sent", "referral", id, r.ClientID, "")
	})
}

func queryReferrals(ctx context.Context, tx *sql.Tx, where string, args ...any) ([]clinic.Referral, error) {
	rows, err := tx.QueryContext(ctx, `SELECT r.id, r.client_id, c.name, c.birth_date, coalesce(r.plan_id, 0),
		coalesce(r.reassessment_id, 0), r.author_id, u.name, r.target, r.reason, r.urgency, r.letter, r.status,
		r.created_at, r.sent_at FROM referrals r JOIN clients c ON c.id = r.client_id JOIN users u ON u.id = r.author_id
		WHERE `+where, args...)
	if err != nil {
		return nil, fmt.Errorf("referrals: %w", err)
	}
	defer rows.Close()
	var out []clinic.Referral
	for rows.Next() {
		var r clinic.Referral
		var created int64
		var sent sql.NullInt64
		if err := rows.Scan(&r.ID, &r.ClientID, &r.ClientName, &r.ClientBirthDate, &r.PlanID, &r.ReassessmentID, &r.AuthorID,
			&r.AuthorName, &r.Target, &r.Reason, &r.Urgency, &r.Letter, &r.Status, &created, &sent); err != nil {
			return nil, err
		}
		r.CreatedAt, r.SentAt = unixTime(created), nullUnix(sent)
		out = append(out, r)
	}
	return out, rows.Err()
}
