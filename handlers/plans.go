package handlers

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"allium/clinic"
	"allium/store"
	"allium/views"
)

// goalRows is the number of goal rows on the plan form: one to three goals keep a plan clear.
const goalRows = 3

// layerNames are the plan layers in words.
var layerNames = map[clinic.PlanLayer]string{
	clinic.PlanLayerRemedialTriggerPoint: "Remedial and trigger point work",
	clinic.PlanLayerTuiNa:                "Tui Na",
	clinic.PlanLayerSportsRecovery:       "Sports recovery",
	clinic.PlanLayerRelaxation:           "Relaxation",
	clinic.PlanLayerRehabReferral:        "Rehab referral (alongside massage)",
}

// decisionWords are the reassessment decisions with what each one does to the plan.
var decisionWords = []views.DecisionChoice{
	{Code: clinic.DecisionGoalMet, Label: "Goal met: complete the plan", Hint: "The plan ends as completed."},
	{Code: clinic.DecisionMaintenance, Label: "Goal met: monthly maintenance", Hint: "The plan completes; the first maintenance visit falls due."},
	{Code: clinic.DecisionExtend, Label: "Partial response: extend the course", Hint: "One more course of 4 sessions, once per plan, with a new review date."},
	{Code: clinic.DecisionChangeApproach, Label: "No change: change approach", Hint: "This plan ends as changed; draft a new one with other layers."},
	{Code: clinic.DecisionRefer, Label: "Refer", Hint: "This plan ends as referred; write the referral next."},
}

// PlanForm is a new plan, prefilled from the client's assessment suggestion and latest findings.
func (a *App) PlanForm(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	ch, err := a.Store.ClientChart(c.Request().Context(), actor(c), id)
	if err != nil {
		return err
	}
	p := a.planFormPage(c, ch.Client, planDefaults(ch))
	if as := ch.Assessment; as != nil && as.Result.Course != nil {
		p.Suggestion = as.Result.Course.Summary
	}
	if prev, _ := strconv.ParseInt(c.QueryParam("previous"), 10, 64); prev > 0 {
		p.Form["previous"] = []string{strconv.FormatInt(prev, 10)}
	}
	return a.render(c, "plan_form", p)
}

// planDefaults fills the form from the dose defaults, the assessment's suggested layers and
// course, and the latest findings.
func planDefaults(ch clinic.Chart) views.ChartValues {
	d := clinic.NewTreatmentPlanDraft(time.Time{})
	fv := views.ChartValues{"planned_sessions": {strconv.Itoa(d.PlannedSessions)}, "target_days": {strconv.Itoa(d.TargetDays)},
		"min_days": {strconv.Itoa(d.MinDays)}, "max_days": {strconv.Itoa(d.MaxDays)}, "start_date": {ch.Today.String()},
		"goals.0.measure": {string(clinic.MeasurePain)}}
	if len(ch.Findings) > 0 {
		fv["findings"] = []string{strconv.FormatInt(ch.Findings[0].ID, 10)}
	}
	as := ch.Assessment
	if as == nil {
		// With nothing suggested, start from the clinic's core layer; the therapist adjusts.
		fv["layers"] = []string{string(clinic.PlanLayerRemedialTriggerPoint)}
		return fv
	}
	fv["assessment"] = []string{strconv.FormatInt(as.ID, 10)}
	for _, l := range as.Result.Layers {
		if pl, ok := clinic.ParsePlanLayer(l.Key); ok {
			fv["layers"] = append(fv["layers"], string(pl))
		}
	}
	if co := as.Result.Course; co != nil {
		if co.Sessions >= clinic.MinPlannedSessions && co.Sessions <= clinic.MaxPlannedSessions {
			fv["planned_sessions"] = []string{strconv.Itoa(co.Sessions)}
		}
		if co.SpacingDays >= clinic.DefaultMinDays && co.SpacingDays <= clinic.DefaultMaxDays {
			fv["target_days"] = []string{strconv.Itoa(co.SpacingDays)}
		}
	}
	goalsFromAnswers(fv, as.Answers)
	return fv
}

// goalsFromAnswers starts the goals from the client's own answers: the activity they named
// (PSFS, scored now) in their words first, then pain at its worst as the second measure.
func goalsFromAnswers(fv views.ChartValues, ans clinic.AssessmentAnswers) {
	pain := "goals.0."
	if act := ans.Values("function_activity"); len(act) > 0 {
		fv["goals.0.description"], fv["goals.0.activity"] = act[:1], act[:1]
		fv["goals.0.measure"], fv["goals.0.baseline"] = []string{string(clinic.MeasurePSFS)}, ans.Values("function_activity_score")
		pain = "goals.1."
	}
	fv[pain+"measure"], fv[pain+"baseline"] = []string{string(clinic.MeasurePain)}, ans.Values("function_pain_worst")
}

func (a *App) planFormPage(c echo.Context, cl clinic.ChartClient, fv views.ChartValues) views.PlanFormPage {
	p := views.PlanFormPage{Page: a.page(c, "New plan · "+cl.Name), Client: cl, Form: fv, Measures: clinic.GoalMeasures(),
		GoalRows: views.ChartRows(goalRows)}
	for _, l := range clinic.PlanLayers() {
		p.Layers = append(p.Layers, views.LayerChoice{Code: l, Label: layerNames[l]})
	}
	if start, err := clinic.ParseDate(fv.Get("start_date")); err == nil {
		n, _ := strconv.Atoi(fv.Get("planned_sessions"))
		t, _ := strconv.Atoi(fv.Get("target_days"))
		if n > 0 && t > 0 {
			p.DefaultDate = planDate(clinic.DefaultReassessmentDate(planDayTime(start), n, t)).String()
		}
	}
	return p
}

// PlanCreate stores the plan as a draft, and starts it at once when asked and the rules allow.
func (a *App) PlanCreate(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	np, errs := parsePlan(c, id)
	if len(errs) > 0 {
		cl, _, err := a.chartHeader(c, id)
		if err != nil {
			return err
		}
		params, _ := c.FormParams()
		p := a.planFormPage(c, cl, views.ChartValues(params))
		for k, v := range errs {
			p.Page.Errors[k] = v
		}
		return a.invalid(c, "plan_form", p)
	}
	pid, err := a.Store.CreatePlan(ctx, actor(c), np)
	if errors.Is(err, store.ErrInvalidRecord) {
		return echo.NewHTTPError(http.StatusUnprocessableEntity)
	}
	if err != nil {
		return err
	}
	to := planPath(pid)
	if c.FormValue("start") == "" {
		return a.flash(c, to, "Plan saved as a draft.")
	}
	if _, err := a.Store.ApplyPlanEvent(ctx, actor(c), pid, clinic.PlanEventStart, ""); err != nil {
		if msg, ok := planMessage(err, clinic.PlanDraft); ok {
			return a.flashKind(c, to, "Plan saved as a draft but not started. "+msg, "warn")
		}
		return err
	}
	return a.flash(c, to, "Plan started.")
}

func parsePlan(c echo.Context, clientID int64) (store.NewPlan, map[string]string) {
	f := newForm(c)
	params, _ := c.FormParams()
	np := store.NewPlan{ClientID: clientID}
	np.AssessmentID = chartID(f, "assessment", "Assessment")
	np.FindingsID = chartID(f, "findings", "Findings")
	np.PreviousPlanID = chartID(f, "previous", "Previous plan")
	np.HomeCare = f.Multiline("home_care", "Home care", clinic.NoteTextMax, false)
	d := &np.Draft
	for _, v := range params["layers"] {
		l, ok := clinic.ParsePlanLayer(v)
		if !ok {
			f.fail("layers", "Choose the layers from the list.")
		}
		d.Layers = append(d.Layers, l)
	}
	d.PlannedSessions = f.Int("planned_sessions", "Sessions", 1, 20)
	d.TargetDays = f.Int("target_days", "Target spacing", 1, 60)
	d.MinDays = f.Int("min_days", "Shortest spacing", 1, 60)
	d.MaxDays = f.Int("max_days", "Longest spacing", 1, 60)
	d.StartDate = chartDate(f, "start_date", "Start date", true)
	d.ReassessmentDate = chartDate(f, "reassessment_date", "Review date", false)
	rows := parsePlanGoals(f, d)
	errs := f.Errors
	for k, v := range rows.remap(d.Validate()) {
		if _, ok := errs[k]; !ok {
			errs[k] = v
		}
	}
	return np, errs
}

// parsePlanGoals reads the goal rows that were filled in; a row needs its baseline and target.
func parsePlanGoals(f *form, d *clinic.TreatmentPlanDraft) rowMap {
	rows := rowMap{}
	for i := range goalRows {
		k := fmt.Sprintf("goals.%d.", i)
		g := clinic.Goal{Description: f.Text(k+"description", "Goal", 300, false),
			Measure: clinic.GoalMeasure(f.Text(k+"measure", "Measure", 20, false)), Activity: f.Text(k+"activity", "Activity", 200, false)}
		var okB, okT bool
		g.Baseline, okB = chartFloat(f, k+"baseline", "Baseline")
		g.Target, okT = chartFloat(f, k+"target", "Target")
		if g.Description == "" && g.Activity == "" && !okT {
			continue
		}
		if !okB {
			f.fail(k+"baseline", "Give the score today.")
		}
		if !okT {
			f.fail(k+"target", "Give the target score.")
		}
		d.Goals = append(d.Goals, g)
		rows.add("goals", i)
	}
	return rows
}

// chartDate reads a YYYY-MM-DD date as the plan rules take it (midnight UTC of that day).
func chartDate(f *form, name, label string, required bool) time.Time {
	v := f.Text(name, label, 10, required)
	if v == "" {
		return time.Time{}
	}
	d, err := clinic.ParseDate(v)
	if err != nil {
		f.fail(name, "Please enter a date like 2026-12-08.")
		return time.Time{}
	}
	return planDayTime(d)
}

func planDayTime(d clinic.Date) time.Time { return time.Date(d.Y, d.M, d.D, 0, 0, 0, 0, time.UTC) }

func planDate(t time.Time) clinic.Date {
	y, m, d := t.Date()
	return clinic.Date{Y: y, M: m, D: d}
}

func planPath(id int64) string { return "/plans/" + strconv.FormatInt(id, 10) }

// PlanShow is a plan's page: goals with progress, sessions, history and the actions that apply.
func (a *App) PlanShow(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	pp, err := a.Store.PlanPage(c.Request().Context(), actor(c), id)
	if err != nil {
		return err
	}
	pl := pp.Plan
	card, err := planCard(pl, pp.Today, false)
	if err != nil {
		return err
	}
	p := views.PlanPage{Page: a.page(c, "Plan · "+pp.Client.Name), Client: pp.Client, Card: card, LayerNames: layerNames,
		Decisions: map[clinic.ReassessDecision]string{}, Courses: pp.Courses, Referrals: pp.Referrals}
	for _, d := range decisionWords {
		p.Decisions[d.Code] = d.Label
	}
	if left := pl.TotalSessions() - len(pl.Sessions); (pl.Running() || pl.Status == clinic.PlanDraft) && left > 0 {
		// The plan's course: the sessions not yet booked, at the plan's spacing, linked to it.
		q := url.Values{"client": {strconv.FormatInt(pl.ClientID, 10)}, "therapist": {strconv.FormatInt(pl.TherapistID, 10)},
			"plan": {strconv.FormatInt(pl.ID, 10)}, "sessions": {strconv.Itoa(left)}, "spacing": {strconv.Itoa(pl.TargetDays)}}
		p.BookHref, p.BookLabel = "/book?"+q.Encode(), "Book the course"
	}
	if pl.Status == clinic.PlanCompleted && !pl.MaintenanceDue.IsZero() {
		// The reassessment chose maintenance: the next visit is proposed from its due date.
		q := url.Values{"client": {strconv.FormatInt(pl.ClientID, 10)}, "therapist": {strconv.FormatInt(pl.TherapistID, 10)},
			"date": {pl.MaintenanceDue.String()}}
		p.BookHref, p.BookLabel = "/book?"+q.Encode(), "Book the maintenance visit"
	}
	return a.render(c, "plan_show", p)
}

// PlanEvent applies one of the plan's buttons (start, hold, resume, discontinue, abandon).
func (a *App) PlanEvent(c echo.Context) error {
	id, err := a.treatedPlanID(c)
	if err != nil {
		return err
	}
	f := newForm(c)
	ev := clinic.PlanEvent(f.OneOf("event", "Action", string(clinic.PlanEventStart), string(clinic.PlanEventHold),
		string(clinic.PlanEventResume), string(clinic.PlanEventDiscontinue), string(clinic.PlanEventAbandon),
		string(clinic.PlanEventMarkError)))
	reason := f.Text("reason", "Reason", 500, false)
	if !f.Valid() {
		return a.flashKind(c, planPath(id), "Please choose an action the plan offers.", "error")
	}
	next, err := a.Store.ApplyPlanEvent(c.Request().Context(), actor(c), id, ev, reason)
	if err != nil {
		if msg, ok := planMessage(err, next); ok {
			return a.flashKind(c, planPath(id), msg, "error")
		}
		return err
	}
	return a.flash(c, planPath(id), "The plan is now "+strings.ToLower(next.Label())+".")
}

// PlanLinkCourse attaches one of the client's courses to the plan.
func (a *App) PlanLinkCourse(c echo.Context) error {
	id, err := a.treatedPlanID(c)
	if err != nil {
		return err
	}
	f := newForm(c)
	course := f.ID("course", "Course")
	if !f.Valid() {
		return a.flashKind(c, planPath(id), "Please choose a course from the list.", "error")
	}
	if err := a.Store.LinkCourse(c.Request().Context(), actor(c), id, course); err != nil {
		return err
	}
	return a.flash(c, planPath(id), "Course linked to the plan.")
}

// ReassessForm compares each goal's baseline with its latest score and proposes a decision.
func (a *App) ReassessForm(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	pl, cl, err := a.reassessPlan(c, id)
	if err != nil {
		return err
	}
	fv := views.ChartValues{"maintenance_days": {strconv.Itoa(clinic.DefaultMaintenanceDays)}}
	current := map[int64]float64{}
	for _, g := range pl.Goals {
		current[g.ID] = g.Latest()
		fv[scoreField(g.ID)] = []string{formatScore(g.Latest())}
	}
	p := reassessPage(a.page(c, "Reassessment · "+cl.Name), cl, pl, fv, current, false)
	fv["decision"] = []string{string(p.Suggested)}
	return a.render(c, "plan_reassess", p)
}

func (a *App) reassessPlan(c echo.Context, id int64) (clinic.TreatmentPlan, clinic.ChartClient, error) {
	pl, err := a.Store.PlanByID(c.Request().Context(), actor(c), id)
	if err != nil {
		return pl, clinic.ChartClient{}, err
	}
	if !pl.Reassessable() {
		return pl, clinic.ChartClient{}, echo.NewHTTPError(http.StatusConflict)
	}
	cl, _, err := a.chartHeader(c, pl.ClientID)
	return pl, cl, err
}

func reassessPage(pg views.Page, cl clinic.ChartClient, pl clinic.TreatmentPlan, fv views.ChartValues, current map[int64]float64, compared bool) views.ReassessPage {
	p := views.ReassessPage{Page: pg, Client: cl, Plan: pl, Form: fv, Decisions: decisionWords, Compared: compared,
		Sessions: pl.Sessions}
	progress := clinic.CompareGoals(pl.Goals, current)
	for _, g := range pl.Goals {
		rg := views.ReassessGoal{Goal: g, Field: scoreField(g.ID), Value: fv.Get(scoreField(g.ID)), Err: pg.Errors[scoreField(g.ID)]}
		for i := range progress {
			if compared && progress[i].Goal == g.Goal {
				rg.Progress = &progress[i]
			}
		}
		p.Goals = append(p.Goals, rg)
	}
	p.Suggested, p.Why = clinic.SuggestDecision(progress, pl.ExtensionsUsed)
	return p
}

func scoreField(goalID int64) string { return "score." + strconv.FormatInt(goalID, 10) }

func formatScore(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// Reassess compares (the "Compare" button) or records the reassessment and its decision, then
// sends the therapist where the decision leads: the plan, a referral, or a new plan.
func (a *App) Reassess(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	pl, cl, err := a.reassessPlan(c, id)
	if err != nil {
		return err
	}
	in, errs := parseReassessment(c, pl)
	params, _ := c.FormParams()
	pg := a.page(c, "Reassessment · "+cl.Name)
	for k, v := range errs {
		pg.Errors[k] = v
	}
	page := reassessPage(pg, cl, pl, views.ChartValues(params), in.Current, len(in.Current) == len(pl.Goals))
	switch {
	case len(errs) > 0:
		return a.invalid(c, "plan_reassess", page)
	case c.FormValue("compare") != "":
		return a.render(c, "plan_reassess", page)
	}
	res, err := a.Store.RecordReassessment(c.Request().Context(), actor(c), id, in)
	if err != nil {
		if msg, ok := planMessage(err, pl.Status); ok {
			page.Page.Errors["decision"] = msg
			return a.renderStatus(c, http.StatusConflict, "plan_reassess", page)
		}
		return err
	}
	return a.afterReassessment(c, pl, res)
}

func parseReassessment(c echo.Context, pl clinic.TreatmentPlan) (store.ReassessmentInput, map[string]string) {
	f := newForm(c)
	in := store.ReassessmentInput{Current: map[int64]float64{}}
	for _, g := range pl.Goals {
		v, ok := chartFloat(f, scoreField(g.ID), "Score")
		lo, hi := g.Measure.Range()
		switch {
		case !ok:
			f.fail(scoreField(g.ID), "Give the score now.")
		case v < lo || v > hi:
			f.fail(scoreField(g.ID), fmt.Sprintf("Use a value from %g to %g.", lo, hi))
		default:
			in.Current[g.ID] = v
		}
	}
	codes := make([]string, len(decisionWords))
	for i, d := range decisionWords {
		codes[i] = string(d.Code)
	}
	if c.FormValue("compare") == "" {
		in.Decision = clinic.ReassessDecision(f.OneOf("decision", "Decision", codes...))
	}
	in.Rationale = f.Multiline("rationale", "Why", clinic.NoteTextMax, false)
	in.MaintenanceDays = f.Int("maintenance_days", "Maintenance spacing", clinic.MinMaintenanceDays, clinic.MaxMaintenanceDays)
	in.AppointmentID = chartID(f, "appointment", "Session")
	return in, f.Errors
}

func (a *App) afterReassessment(c echo.Context, pl clinic.TreatmentPlan, res store.ReassessmentResult) error {
	client := strconv.FormatInt(pl.ClientID, 10)
	switch {
	case res.Outcome.NeedsReferral:
		q := url.Values{"plan": {strconv.FormatInt(pl.ID, 10)}, "reason": {"no_response_to_course"},
			"reassessment": {strconv.FormatInt(res.ID, 10)}}
		return a.flash(c, "/clients/"+client+"/referrals/new?"+q.Encode(), "Reassessment recorded; the plan is referred. Write the referral now.")
	case res.Outcome.NeedsNewPlan:
		return a.flash(c, "/clients/"+client+"/plans/new?previous="+strconv.FormatInt(pl.ID, 10),
			"Reassessment recorded; draft the new plan with a different approach.")
	}
	msg := "Reassessment recorded. The plan is now " + strings.ToLower(res.Status.Label()) + "."
	switch res.Status {
	case clinic.PlanExtended:
		msg += " Book the extension course from here."
	case clinic.PlanCompleted:
		if res.Outcome.Decision == clinic.DecisionMaintenance {
			msg += " Book the maintenance visit from here."
		}
	}
	return a.flash(c, planPath(pl.ID), msg)
}
