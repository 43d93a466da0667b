package store

import (
	"crypto/sha256"
	"database/sql"
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"allium/clinic"
)

// PlanHistory describes the clinical side of a generated clinic for AddPlans: which courses
// followed an assessment and a treatment plan, and how many assessments led nowhere.
type PlanHistory struct {
	Loc *time.Location
	Now time.Time
	// Share is the part of the courses of three or more sessions, of a service in Layers, that
	// followed an online assessment and a plan.
	Share float64
	// Layers is the modality a plan for a course of each service uses, by service id.
	Layers map[int64]clinic.PlanLayer
	// Unplanned is the number of assessments that led to no plan, per plan: people who
	// assessed themselves and booked something else, or nothing.
	Unplanned float64
	Seed      uint64
}

// planCourse is a generated course with what a plan needs to know of its sessions.
type planCourse struct {
	id, client, therapist, service int64
	sessions                       int
	first, last, bookedAt          int64
	attended                       int
}

// complaintMix is how often the assessment finds each class, in percent.
var complaintMix = []struct {
	class  clinic.ComplaintClass
	weight int
}{{clinic.ComplaintMechanical, 50}, {clinic.ComplaintSystemic, 20}, {clinic.ComplaintRecovery, 15},
	{clinic.ComplaintMixed, 10}, {clinic.ComplaintUndifferentiated, 5}}

// AddPlans gives a share of the courses already loaded the record of a planned course: an
// assessment submitted before the course was booked, the therapist's confirmed class, a plan
// with a pain goal (and for most a function goal) that the course joins and, once its last
// session has passed, the reassessment after it with its readings and the decision the scores
// suggest. Scores move as courses of massage tend to: most clients improve, some not at all,
// a few get worse. It adds the assessments that led to no plan too.
func (b *BulkLoad) AddPlans(h PlanHistory) error {
	rng := rand.New(rand.NewPCG(h.Seed, 2026))
	var courses []planCourse
	err := scanInto(b.ctx, b.tx, func(r *sql.Rows) error {
		var c planCourse
		if err := r.Scan(&c.id, &c.client, &c.therapist, &c.service, &c.sessions, &c.first, &c.last, &c.bookedAt, &c.attended); err != nil {
			return err
		}
		if _, ok := h.Layers[c.service]; ok {
			courses = append(courses, c)
		}
		return nil
	}, `SELECT c.id, c.client_id, c.therapist_id, c.service_id, c.sessions, min(a.starts_at), max(a.starts_at),
			min(a.created_at), sum(a.status IN (`+sqlCheckedIn+`, `+sqlCompleted+`))
		FROM courses c JOIN appointments a ON a.course_id = c.id
		WHERE c.sessions BETWEEN 3 AND 6 AND c.plan_id IS NULL AND a.status <> `+sqlCancelled+`
		GROUP BY c.id ORDER BY c.id`)
	if err != nil {
		return fmt.Errorf("bulk plans: courses: %w", err)
	}
	p, err := prepareBulkPlans(b)
	if err != nil {
		return err
	}
	defer p.close()
	now := unix(h.Now)
	for _, c := range courses {
		if rng.Float64() >= h.Share {
			continue
		}
		if err := p.plan(rng, c, h.Layers[c.service], h.Loc, now); err != nil {
			return err
		}
		// Assessments that led to no plan, spread over the same years.
		for n := h.Unplanned; n > 0; n-- {
			if n < 1 && rng.Float64() >= n {
				break
			}
			var client int64
			if rng.IntN(2) == 0 { // half never came: the assessment has no client record
				client = courses[rng.IntN(len(courses))].client
			}
			at := c.bookedAt - int64(rng.IntN(180*86400))
			if _, err := p.assessment(rng, client, 0, at); err != nil {
				return err
			}
		}
	}
	return nil
}

type bulkPlans struct {
	*BulkLoad
	insAssessment, insPlan, insGoal, setCourse, insReassessment, insReassessed, insReading *sql.Stmt
	n                                                                                      int
}

func prepareBulkPlans(b *BulkLoad) (*bulkPlans, error) {
	p := &bulkPlans{BulkLoad: b}
	var err error
	prep := func(q string) *sql.Stmt {
		if err != nil {
			return nil
		}
		var st *sql.Stmt
		st, err = b.tx.PrepareContext(b.ctx, q)
		return st
	}
	p.insAssessment = prep(`INSERT INTO assessments (token_hash, client_id, step, status, primary_class, confirmed_class,
		confirmed_by, created_at, updated_at) VALUES (?, ?, 0, 'submitted', ?, ?, ?, ?, ?)`)
	p.insPlan = prep(`INSERT INTO treatment_plans (client_id, therapist_id, assessment_id, status, layers, planned_sessions,
		target_days, min_days, max_days, start_date, reassessment_date, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	p.insGoal = prep(`INSERT INTO plan_goals (plan_id, position, description, measure, activity, baseline, target)
		VALUES (?, ?, ?, ?, ?, ?, ?)`)
	p.setCourse = prep(`UPDATE courses SET plan_id = ? WHERE id = ?`)
	p.insReassessment = prep(`INSERT INTO reassessments (plan_id, client_id, therapist_id, decision, from_status, to_status,
		created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`)
	p.insReassessed = prep(`INSERT INTO reassessment_goals (reassessment_id, goal_id, baseline, current, gain, verdict,
		target_met) VALUES (?, ?, ?, ?, ?, ?, ?)`)
	p.insReading = prep(`INSERT INTO outcome_readings (client_id, plan_id, goal_id, reassessment_id, value, taken_at,
		recorded_by) VALUES (?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		p.close()
		return nil, fmt.Errorf("bulk plans: prepare: %w", err)
	}
	return p, nil
}

func (p *bulkPlans) close() {
	for _, st := range []*sql.Stmt{p.insAssessment, p.insPlan, p.insGoal, p.setCourse, p.insReassessment, p.insReassessed, p.insReading} {
		if st != nil {
			st.Close()
		}
	}
}

// assessment adds a submitted assessment (client 0: someone who never became a client),
// confirmed by the therapist when there is one, and returns its id.
func (p *bulkPlans) assessment(rng *rand.Rand, client, therapist int64, at int64) (int64, error) {
	p.n++
	token := sha256.Sum256(fmt.Appendf(nil, "bulk assessment %d", p.n))
	n := rng.IntN(100)
	class := complaintMix[len(complaintMix)-1].class
	for _, m := range complaintMix {
		if n -= m.weight; n < 0 {
			class = m.class
			break
		}
	}
	var clientID, confirmed, by any
	if client != 0 {
		clientID = client
	}
	if therapist != 0 {
		confirmed, by = string(class), therapist
		if rng.IntN(10) == 0 { // the therapist's palpation disagrees with the questionnaire
			confirmed = string(complaintMix[rng.IntN(3)].class)
		}
	}
	res, err := p.insAssessment.ExecContext(p.ctx, token[:], clientID, string(class), confirmed, by, at, at)
	if err != nil {
		return 0, fmt.Errorf("bulk assessment: %w", translate(err))
	}
	return res.LastInsertId()
}

// plan adds the assessment, plan and goals of one course, and its reassessment once the
// course's last session is over.
func (p *bulkPlans) plan(rng *rand.Rand, c planCourse, layer clinic.PlanLayer, loc *time.Location, now int64) error {
	assessedAt := c.bookedAt - int64(3600+rng.IntN(3*86400))
	asm, err := p.assessment(rng, c.client, c.therapist, assessedAt)
	if err != nil {
		return err
	}
	reassess := c.last+3600 <= now && c.attended > 0
	status := clinic.PlanActive
	if !reassess && c.last+3600 <= now {
		status = clinic.PlanDiscontinued // every session missed
	}
	day := func(at int64) string { return time.Unix(at, 0).In(loc).Format(time.DateOnly) }
	// The plan is stored as it ends: with the status the reassessment's decision leads to.
	goals := []clinic.Goal{{Description: "Less pain day to day", Measure: clinic.MeasurePain, Baseline: float64(4 + rng.IntN(5))}}
	goals[0].Target = max(goals[0].Baseline-3, 0)
	if rng.IntN(10) < 6 {
		g := clinic.Goal{Description: "Back to my usual activity", Measure: clinic.MeasurePSFS, Activity: "Lifting and carrying",
			Baseline: float64(2 + rng.IntN(5))}
		g.Target = min(g.Baseline+3, 10)
		goals = append(goals, g)
	}
	var progress []clinic.GoalProgress
	for _, g := range goals {
		gain := math.Round(rng.NormFloat64()*1.8 + 2.6)
		current := g.Baseline - gain
		if !g.Measure.LowerIsBetter() {
			current = g.Baseline + gain
		}
		progress = append(progress, clinic.AssessGoal(g, min(max(current, 0), 10)))
	}
	decision, _ := clinic.SuggestDecision(progress, 0)
	if reassess {
		out, err := clinic.PlanReassessment(decision, time.Unix(c.last, 0), clinic.DefaultTargetDays, 0)
		if err != nil {
			return err
		}
		if status, err = clinic.NextPlanStatus(clinic.PlanFacts{Status: clinic.PlanReassessDue, Layers: []clinic.PlanLayer{layer}}, out.Event); err != nil {
			return fmt.Errorf("bulk plan: %w", err)
		}
	}
	res, err := p.insPlan.ExecContext(p.ctx, c.client, c.therapist, asm, status, string(layer), c.sessions,
		clinic.DefaultTargetDays, clinic.DefaultMinDays, clinic.DefaultMaxDays, day(c.first), day(c.last), c.bookedAt, c.bookedAt)
	if err != nil {
		return fmt.Errorf("bulk plan: %w", translate(err))
	}
	plan, _ := res.LastInsertId()
	goalIDs := make([]int64, len(goals))
	for i, g := range goals {
		res, err := p.insGoal.ExecContext(p.ctx, plan, i, g.Description, g.Measure, g.Activity, g.Baseline, g.Target)
		if err != nil {
			return fmt.Errorf("bulk plan goal: %w", translate(err))
		}
		goalIDs[i], _ = res.LastInsertId()
	}
	if _, err := p.setCourse.ExecContext(p.ctx, plan, c.id); err != nil {
		return fmt.Errorf("bulk plan course: %w", translate(err))
	}
	if !reassess {
		return nil
	}
	at := c.last + 3600
	res, err = p.insReassessment.ExecContext(p.ctx, plan, c.client, c.therapist, decision, clinic.PlanReassessDue, status, at)
	if err != nil {
		return fmt.Errorf("bulk reassessment: %w", translate(err))
	}
	re, _ := res.LastInsertId()
	for i, gp := range progress {
		if _, err := p.insReassessed.ExecContext(p.ctx, re, goalIDs[i], gp.Goal.Baseline, gp.Current, gp.Gain, gp.Verdict, gp.TargetMet); err != nil {
			return fmt.Errorf("bulk reassessed goal: %w", translate(err))
		}
		if _, err := p.insReading.ExecContext(p.ctx, c.client, plan, goalIDs[i], re, gp.Current, at, c.therapist); err != nil {
			return fmt.Errorf("bulk reading: %w", translate(err))
		}
	}
	return nil
}
