package handlers

import (
	"errors"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"allium/clinic"
	"allium/views"
)

// chartRoutes are the clinical record's pages: the chart, findings, plans, notes, referrals,
// and the client's own view of their plan. The store decides who among the clinicians treats
// the client; everyone else gets the same 404 as a missing page.
func (a *App) chartRoutes() []Route {
	return []Route{
		{"GET", "/clients/:id/chart", "chart", clinicians, a.ClientChart},
		{"POST", "/clients/:id/class", "chart.class", clinicians, a.ConfirmClass},
		{"POST", "/clients/:id/flags", "chart.flags", clinicians, a.ClearFlag},
		{"POST", "/clients/:id/consent", "chart.consent", clinicians, a.RecordConsent},
		{"POST", "/clients/:id/booking-block/clear", "chart.booking_block.clear", clinicians, a.ClearBookingBlock},
		{"GET", "/clients/:id/findings/new", "findings.new", clinicians, a.FindingsForm},
		{"POST", "/clients/:id/findings", "findings.create", clinicians, a.FindingsCreate},
		{"GET", "/findings/:id", "findings.show", clinicians, a.FindingsShow},
		{"GET", "/clients/:id/plans/new", "plan.new", clinicians, a.PlanForm},
		{"POST", "/clients/:id/plans", "plan.create", clinicians, a.PlanCreate},
		{"GET", "/plans/:id", "plan.show", clinicians, a.PlanShow},
		{"POST", "/plans/:id/event", "plan.event", clinicians, a.PlanEvent},
		{"POST", "/plans/:id/course", "plan.course", clinicians, a.PlanLinkCourse},
		{"GET", "/plans/:id/reassess", "plan.reassess", clinicians, a.ReassessForm},
		{"POST", "/plans/:id/reassess", "plan.reassess.post", clinicians, a.Reassess},
		{"GET", "/appointments/:id/note", "note.edit", clinicians, a.NoteForm},
		{"POST", "/appointments/:id/note", "note.save", clinicians, a.NoteSave},
		{"POST", "/appointments/:id/note/sign", "note.sign", clinicians, a.NoteSign},
		{"GET", "/notes/:id", "note.show", clinicians, a.NoteShow},
		{"POST", "/notes/:id/addenda", "note.addendum", clinicians, a.NoteAddendum},
		{"GET", "/clients/:id/referrals/new", "referral.new", clinicians, a.ReferralForm},
		{"POST", "/clients/:id/referrals", "referral.create", clinicians, a.ReferralCreate},
		{"GET", "/referrals/:id", "referral.show", clinicians, a.ReferralShow},
		{"POST", "/referrals/:id/sent", "referral.sent", clinicians, a.ReferralSent},
		{"GET", "/my/plan", "my.plan", clientsOnly, a.MyPlan},
	}
}

// ClientChart is the client's whole chart: cautions first, then the self-assessment, the plans
// with their progress, the latest findings and the timeline of sessions.
func (a *App) ClientChart(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	ch, err := a.Store.ClientChart(c.Request().Context(), actor(c), id)
	if err != nil {
		return err
	}
	p := views.ChartPage{Page: a.page(c, ch.Client.Name), Chart: ch, Age: ch.Client.Age(ch.Today),
		Cautions: chartCautions(ch.Client, ch.Flags), Classes: clinic.ComplaintClasses(),
		Kinds: clinic.FindingVocabulary().Kinds, Targets: clinic.ReferralTargets(),
		NeedConsent: ch.Client.ConsentTreatment.IsZero()}
	if p.BookingBlocked, err = a.Store.SafetyBlocked(c.Request().Context(), actor(c), id); err != nil {
		return err
	}
	for _, f := range ch.Flags {
		if !f.Cleared {
			p.OpenFlags = append(p.OpenFlags, f)
		}
	}
	if as := ch.Assessment; as != nil {
		p.ClassName, p.Answers, p.Suggested = assessmentClassName(as.Result), chartAnswers(as), string(as.Result.Primary)
	}
	if p.Plans, err = planCards(ch.Plans, ch.Today, false); err != nil {
		return err
	}
	if len(ch.Findings) > 0 {
		v := a.findingsView(ch.Findings[0])
		p.Latest = &v
	}
	return a.render(c, "chart_show", p)
}

// chartCautions is the banner no one can miss: the client's recorded cautions and every
// safety flag and caution from the self-assessment that is still open.
func chartCautions(cl clinic.ChartClient, flags []clinic.ChartFlag) []views.ChartCaution {
	var out []views.ChartCaution
	for _, line := range strings.Split(cl.Cautions, "\n") {
		if line = strings.TrimSpace(line); line != "" {
			out = append(out, views.ChartCaution{Label: line})
		}
	}
	for _, f := range flags {
		if !f.Cleared {
			out = append(out, views.ChartCaution{Label: f.Label, Detail: f.Note})
		}
	}
	return out
}

// chartAnswers puts the stored answers into words, in questionnaire order.
func chartAnswers(as *clinic.ChartAssessment) []views.AnswerLine {
	q := clinic.AssessmentV1()
	regions := map[string]string{}
	for _, r := range clinic.AssessmentRegions() {
		regions[r.Code] = r.Label
	}
	var out []views.AnswerLine
	for _, it := range q.Items() {
		vals := as.Answers.Values(it.ID)
		if len(vals) == 0 {
			continue
		}
		words := make([]string, len(vals))
		for i, v := range vals {
			words[i] = answerWord(it, v, regions)
		}
		out = append(out, views.AnswerLine{Prompt: it.Prompt, Answer: strings.Join(words, "; ")})
	}
	return out
}

func answerWord(it clinic.AssessmentItem, v string, regions map[string]string) string {
	for _, o := range it.Options {
		if o.Value == v {
			return o.Label
		}
	}
	if l, ok := regions[v]; ok && it.Kind == clinic.AssessmentKindRegions {
		return l
	}
	return v
}

// planCards draws each plan's goals. The client's page gets the same cards without events.
func planCards(plans []clinic.TreatmentPlan, today clinic.Date, forClient bool) ([]views.PlanCard, error) {
	out := make([]views.PlanCard, 0, len(plans))
	for _, p := range plans {
		card, err := planCard(p, today, forClient)
		if err != nil {
			return nil, err
		}
		out = append(out, card)
	}
	return out, nil
}

// planButtons are the events a plan page offers as buttons; the decisions go through the
// reassessment, and a referral through its own form.
var planButtons = map[clinic.PlanEvent]bool{clinic.PlanEventStart: true, clinic.PlanEventHold: true,
	clinic.PlanEventResume: true, clinic.PlanEventDiscontinue: true, clinic.PlanEventAbandon: true}

func planCard(p clinic.TreatmentPlan, today clinic.Date, forClient bool) (views.PlanCard, error) {
	card := views.PlanCard{Plan: p, Due: p.Due(today) || p.Status == clinic.PlanReassessDue}
	for _, ev := range clinic.AllowedPlanEvents(p.Facts) {
		if !forClient && planButtons[ev] {
			card.Events = append(card.Events, ev)
		}
	}
	for _, g := range p.Goals {
		gv := views.GoalView{Goal: g, Latest: g.Latest()}
		if len(g.Readings) > 0 {
			gp := clinic.AssessGoal(g.Goal, gv.Latest)
			gv.Verdict, gv.Met = gp.Verdict, gp.TargetMet
		}
		card.Goals = append(card.Goals, gv)
	}
	return card, nil
}

// ConfirmClass records the therapist's class beside the scored one.
func (a *App) ConfirmClass(c echo.Context) error {
	id, err := a.treatedClientID(c)
	if err != nil {
		return err
	}
	f := newForm(c)
	aid := f.ID("assessment", "Assessment")
	class := f.OneOf("class", "Class", termCodes(clinic.ComplaintClasses())...)
	if !f.Valid() {
		return a.flashKind(c, chartPath(id), "Please choose a class from the list.", "error")
	}
	if err := a.Store.ConfirmAssessmentClass(c.Request().Context(), actor(c), aid, class); err != nil {
		return err
	}
	return a.flash(c, chartPath(id), "Class confirmed: "+clinic.TermLabel(clinic.ComplaintClasses(), class)+".")
}

// ClearFlag records why a safety flag no longer stands.
func (a *App) ClearFlag(c echo.Context) error {
	id, err := a.treatedClientID(c)
	if err != nil {
		return err
	}
	f := newForm(c)
	code := f.Text("code", "Flag", 100, true)
	note := f.Text("note", "Reason", 500, true)
	if !f.Valid() {
		return a.flashKind(c, chartPath(id)+"#flags", "Write why the flag no longer stands before clearing it.", "error")
	}
	if err := a.Store.ClearFlag(c.Request().Context(), actor(c), id, code, note); err != nil {
		return err
	}
	return a.flash(c, chartPath(id)+"#flags", "Flag cleared.")
}

// ClearBookingBlock reopens online booking for a client whose assessment closed it, once a
// clinician has spoken with them. The store checks the clinician treats the client and audits it.
func (a *App) ClearBookingBlock(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	if err := a.Store.ClearSafetyBlock(c.Request().Context(), actor(c), id); err != nil {
		return err
	}
	return a.flash(c, chartPath(id), "Online booking is open again for this client.")
}

// RecordConsent notes consent to treatment given in the clinic.
func (a *App) RecordConsent(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	if err := a.Store.RecordTreatmentConsent(c.Request().Context(), actor(c), id); err != nil {
		return err
	}
	return a.flash(c, chartPath(id), "Consent to treatment recorded.")
}

// MyPlan is the client's view of their plans: goal, sessions, review date and progress. It
// never shows the therapist's notes.
func (a *App) MyPlan(c echo.Context) error {
	plans, err := a.Store.MyPlans(c.Request().Context(), actor(c))
	if err != nil {
		return err
	}
	today := clinic.DateOf(a.Now(), a.Loc())
	cards, err := planCards(plans, today, true)
	if err != nil {
		return err
	}
	return a.render(c, "chart_my_plan", views.MyPlanPage{Page: a.page(c, "My plan"), Plans: cards, Today: today})
}

// chartHeader reads the client and their flags for a page about them.
func (a *App) chartHeader(c echo.Context, clientID int64) (clinic.ChartClient, []views.ChartCaution, error) {
	cl, flags, err := a.Store.ChartHeader(c.Request().Context(), actor(c), clientID)
	if err != nil {
		return cl, nil, err
	}
	return cl, chartCautions(cl, flags), nil
}

func chartPath(clientID int64) string {
	return "/clients/" + strconv.FormatInt(clientID, 10) + "/chart"
}

func termCodes(terms []clinic.ChartTerm) []string {
	out := make([]string, len(terms))
	for i, t := range terms {
		out[i] = t.Code
	}
	return out
}

// planMessage explains why the plan rules refused an event, in the words a therapist needs.
func planMessage(err error, status clinic.PlanStatus) (string, bool) {
	var (
		flag     *clinic.ErrPlanOpenFlag
		consent  *clinic.ErrPlanNeedsConsent
		referral *clinic.ErrPlanNeedsReferral
		ext      *clinic.ErrPlanExtensionUsed
		tr       *clinic.ErrPlanTransition
	)
	switch {
	case errors.As(err, &flag):
		var labels []string
		for _, f := range flag.Flags {
			labels = append(labels, strings.ReplaceAll(f.Action, "_", " ")+" ("+f.Code+")")
		}
		return "A safety flag is still open: " + strings.Join(labels, ", ") +
			". Clear it on the chart, with the reason, before the plan starts.", true
	case errors.As(err, &consent):
		return "The client has not given consent to treatment. Record their consent on the chart first.", true
	case errors.As(err, &referral):
		return "This plan has a rehab referral layer: write and send the referral before completing it.", true
	case errors.As(err, &ext):
		return "This plan has had its one extension. Consider a referral or a change of approach.", true
	case errors.As(err, &tr):
		return "That does not apply to a plan that is " + strings.ToLower(status.Label()) + ".", true
	}
	return "", false
}

// treatedClientID reads the client id of a chart form's path and checks, before any field is
// read, that the actor treats that client: anyone else gets the 404 of a missing page.
func (a *App) treatedClientID(c echo.Context) (int64, error) {
	id, err := pathID(c, "id")
	if err != nil {
		return 0, err
	}
	return id, a.Store.MayTreat(c.Request().Context(), actor(c), id)
}

// treatedPlanID is treatedClientID for a plan's forms.
func (a *App) treatedPlanID(c echo.Context) (int64, error) {
	id, err := pathID(c, "id")
	if err != nil {
		return 0, err
	}
	return id, a.Store.MayTreatPlan(c.Request().Context(), actor(c), id)
}
