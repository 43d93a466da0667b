package handlers

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/labstack/echo/v4"

	"allium/clinic"
	"allium/store"
	"allium/views"
)

// assessmentRoutes are the free online movement assessment's pages. The draft token in the
// path is the only key to a person's answers, so the pages are open to anyone who holds it.
func (a *App) assessmentRoutes() []Route {
	return []Route{
		{"GET", "/assessment", "assessment", anyone, a.AssessmentIntro},
		{"POST", "/assessment/start", "assessment.start", anyone, a.AssessmentStart},
		{"GET", "/assessment/d/:token/result", "assessment.result", anyone, a.AssessmentResult},
		{"GET", "/assessment/d/:token/:step", "assessment.step", anyone, a.AssessmentStepForm},
		{"POST", "/assessment/d/:token/:step", "assessment.step.post", anyone, a.AssessmentStepSave},
	}
}

// regionsField is the form name of the body map checklist: the stylesheet colours a chart
// region when a checked input of this name carries its code.
const regionsField = "regions"

// AssessmentIntro says what the assessment is and is not before anything is stored.
func (a *App) AssessmentIntro(c echo.Context) error {
	return a.render(c, "assessment_intro", views.AssessmentIntro{Page: a.page(c, "Free movement assessment"),
		Steps: len(clinic.AssessmentV1().Steps)})
}

// AssessmentStart makes a draft and opens its first step.
func (a *App) AssessmentStart(c echo.Context) error {
	if err := a.Store.Spend(c.Request().Context(), requestLimits("assessment", c.RealIP(), "")...); err != nil {
		return a.limited(c, err)
	}
	tok, _, err := a.Store.CreateAssessmentDraft(c.Request().Context())
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, assessmentPath(tok, "1"))
}

func assessmentPath(tok, step string) string {
	return "/assessment/d/" + url.PathEscape(tok) + "/" + step
}

// loadAssessment finds the draft and the 0-based step in the path. A submitted assessment
// always goes to its result; a step beyond the first unsaved one goes back to that one.
func (a *App) loadAssessment(c echo.Context) (store.Assessment, int, error) {
	d, err := a.Store.AssessmentDraft(c.Request().Context(), c.Param("token"))
	if err != nil {
		return d, 0, err
	}
	q := clinic.AssessmentV1()
	n, err := strconv.Atoi(c.Param("step"))
	if err != nil || n < 1 || n > len(q.Steps) {
		return d, 0, echo.ErrNotFound
	}
	return d, n - 1, nil
}

// assessmentRedirect is where a request for a step must go instead, or "".
func assessmentRedirect(tok string, d store.Assessment, step int) string {
	switch {
	case d.Submitted:
		return assessmentPath(tok, "result")
	case step > d.Steps:
		return assessmentPath(tok, strconv.Itoa(d.Steps+1))
	}
	return ""
}

// AssessmentStepForm shows one step with the answers saved so far.
func (a *App) AssessmentStepForm(c echo.Context) error {
	d, step, err := a.loadAssessment(c)
	if err != nil {
		return err
	}
	if to := assessmentRedirect(c.Param("token"), d, step); to != "" {
		return c.Redirect(http.StatusSeeOther, to)
	}
	return a.renderAssessmentStep(c, http.StatusOK, d, step, d.Answers, nil)
}

// AssessmentStepSave validates and saves one step. Nothing is stored unless the whole step
// is valid. The safety step can end the assessment at once; the last step submits it.
func (a *App) AssessmentStepSave(c echo.Context) error {
	d, step, err := a.loadAssessment(c)
	if err != nil {
		return err
	}
	tok := c.Param("token")
	if to := assessmentRedirect(tok, d, step); to != "" {
		return c.Redirect(http.StatusSeeOther, to)
	}
	q := clinic.AssessmentV1()
	answers, errs, err := assessmentAnswers(c, q.Steps[step])
	if err != nil {
		return err
	}
	if errs == nil {
		errs = q.ValidateStep(step, answers)
	}
	if errs != nil {
		return a.renderAssessmentStep(c, http.StatusUnprocessableEntity, d, step, answers, errs)
	}
	ctx := c.Request().Context()
	if err := a.Store.SaveAssessmentStep(ctx, tok, step, answers); err != nil {
		return err
	}
	merged := clinic.AssessmentAnswers{}
	for k, v := range d.Answers {
		merged[k] = v
	}
	for k, v := range answers {
		merged[k] = v
	}
	if step == len(q.Steps)-1 || (step == 0 && assessmentStopsAtSafety(merged)) {
		r := clinic.ScoreAssessment(q, merged)
		if err := a.Store.SubmitAssessment(ctx, tok, r, a.Now()); err != nil {
			return err
		}
		if err := a.keepSafety(c, d, r); err != nil {
			return err
		}
		return c.Redirect(http.StatusSeeOther, assessmentPath(tok, "result"))
	}
	return c.Redirect(http.StatusSeeOther, assessmentPath(tok, strconv.Itoa(step+2)))
}

// assessmentStopsAtSafety reports whether the safety answers need help now, so the rest of
// the questions would only delay it.
func assessmentStopsAtSafety(ans clinic.AssessmentAnswers) bool {
	switch clinic.CheckAssessmentSafety(ans).Outcome {
	case clinic.SafetyEmergency, clinic.SafetyUrgentMedical:
		return true
	}
	return false
}

// assessmentAnswers reads the step's items from the form. Every item of the step is
// present in the result (empty when unanswered) so the store can drop answers taken back.
// A field the step does not have is refused: the form could not have sent it.
func assessmentAnswers(c echo.Context, s clinic.AssessmentStep) (clinic.AssessmentAnswers, map[string]string, error) {
	form, err := c.FormParams()
	if err != nil {
		return nil, nil, echo.NewHTTPError(http.StatusBadRequest)
	}
	known := map[string]string{"csrf": ""}
	for _, it := range s.Items {
		known[assessmentFieldName(it)] = it.ID
	}
	ans := clinic.AssessmentAnswers{}
	for _, it := range s.Items {
		ans[it.ID] = form[assessmentFieldName(it)]
	}
	for name := range form {
		if _, ok := known[name]; !ok {
			return ans, map[string]string{"form": "This form had an answer we did not ask for. Please reload the page and try again."}, nil
		}
	}
	return ans, nil, nil
}

func assessmentFieldName(it clinic.AssessmentItem) string {
	if it.Kind == clinic.AssessmentKindRegions {
		return regionsField
	}
	return it.ID
}

func (a *App) renderAssessmentStep(c echo.Context, status int, d store.Assessment, step int,
	ans clinic.AssessmentAnswers, errs map[string]string) error {
	q := clinic.AssessmentV1()
	tok := c.Param("token")
	s := q.Steps[step]
	p := views.AssessmentStepPage{Page: a.page(c, s.Title), Action: assessmentPath(tok, strconv.Itoa(step+1)),
		Number: step + 1, Total: len(q.Steps), Step: s, Last: step == len(q.Steps)-1}
	if step == 0 {
		p.BackHref = "/assessment"
	} else {
		p.BackHref = assessmentPath(tok, strconv.Itoa(step))
	}
	for i, st := range q.Steps {
		pr := views.AssessmentProgress{Title: st.Title, Done: i < d.Steps, Current: i == step}
		if i <= d.Steps && i != step {
			pr.Href = assessmentPath(tok, strconv.Itoa(i+1))
		}
		p.Progress = append(p.Progress, pr)
	}
	for k, v := range errs {
		p.Page.Errors[k] = v
	}
	for _, it := range s.Items {
		f, err := a.assessmentField(it, ans)
		if err != nil {
			return err
		}
		f.Err = errs[it.ID]
		p.Fields = append(p.Fields, f)
	}
	return a.renderStatus(c, status, "assessment_step", p)
}

// assessmentSelectAbove is the number of options past which one answer is picked from a
// drop-down: thirty radio rows would not fit on a phone screen.
const assessmentSelectAbove = 12

func (a *App) assessmentField(it clinic.AssessmentItem, ans clinic.AssessmentAnswers) (views.AssessmentField, error) {
	f := views.AssessmentField{ID: it.ID, Name: assessmentFieldName(it), Prompt: it.Prompt, Help: it.Help,
		Required: it.Required, MinLabel: it.MinLabel, MaxLabel: it.MaxLabel}
	choice := func(v, label string) views.AssessmentChoice {
		return views.AssessmentChoice{Value: v, Label: label, Checked: ans.Has(it.ID, v)}
	}
	switch it.Kind {
	case clinic.AssessmentKindSingle, clinic.AssessmentKindMulti:
		f.Kind = "radio"
		if it.Kind == clinic.AssessmentKindMulti {
			f.Kind = "checkbox"
		} else if len(it.Options) > assessmentSelectAbove {
			f.Kind = "select"
		}
		for _, o := range it.Options {
			f.Choices = append(f.Choices, choice(o.Value, o.Label))
		}
	case clinic.AssessmentKindScale:
		f.Kind = "scale"
		for n := it.Min; n <= it.Max; n++ {
			f.Choices = append(f.Choices, choice(strconv.Itoa(n), strconv.Itoa(n)))
		}
	case clinic.AssessmentKindRegions:
		f.Kind = "regions"
		f.Groups = assessmentRegionGroups(choice)
		f.Front, f.Back = a.bodies.Plain()
	case clinic.AssessmentKindText:
		f.Kind = "text"
		if v := ans[it.ID]; len(v) > 0 {
			f.Value = v[0]
		}
	default:
		return f, fmt.Errorf("assessment item %s: unknown kind %q", it.ID, it.Kind)
	}
	return f, nil
}

func assessmentRegionGroups(choice func(v, label string) views.AssessmentChoice) []views.AssessmentRegionGroup {
	var out []views.AssessmentRegionGroup
	for _, r := range clinic.AssessmentRegions() {
		if len(out) == 0 || out[len(out)-1].Title != r.Group {
			out = append(out, views.AssessmentRegionGroup{Title: r.Group})
		}
		g := &out[len(out)-1]
		g.Choices = append(g.Choices, choice(r.Code, r.Label))
	}
	return out
}

// AssessmentResult shows the stored result as it was scored.
func (a *App) AssessmentResult(c echo.Context) error {
	tok := c.Param("token")
	d, err := a.Store.AssessmentDraft(c.Request().Context(), tok)
	if errors.Is(err, store.ErrNotFound) {
		return echo.ErrNotFound
	}
	if err != nil {
		return err
	}
	if !d.Submitted || d.Result == nil {
		return c.Redirect(http.StatusSeeOther, assessmentPath(tok, strconv.Itoa(d.Steps+1)))
	}
	if err := a.linkAssessment(c, d); err != nil {
		return err
	}
	if err := a.rememberAssessment(c, d); err != nil {
		return err
	}
	r := *d.Result
	p := views.AssessmentResultPage{Page: a.page(c, "Your assessment"), Result: r,
		SafetyOnly: !r.Safety.ClassShownToClient, ClassName: assessmentClassName(r), Reasons: r.TopReasons(3)}
	if !r.Safety.BookingBlocked && r.Course != nil {
		p.BookHref = courseBookHref(r.Course.Booking())
	}
	return a.render(c, "assessment_result", p)
}

// courseBookHref is the booking page that starts a result's course: the first visit's times,
// carrying the course on to the next step.
func courseBookHref(b clinic.CourseBooking) string {
	q := url.Values{"service": {b.Service}, "sessions": {strconv.Itoa(b.Sessions)}}
	if b.SpacingDays > 0 {
		q.Set("spacing", strconv.Itoa(b.SpacingDays))
	}
	if b.FirstService != "" {
		q.Set("first", b.FirstService)
	}
	return "/book/times?" + q.Encode()
}

// linkAssessment files the assessment under a signed-in client who opens it, so their
// therapist sees it and it no longer expires. One already filed under someone else stays
// where it is.
func (a *App) linkAssessment(c echo.Context, d store.Assessment) error {
	by := actor(c)
	if by.Role != clinic.RoleClient || by.ClientID == 0 || d.ClientID != 0 {
		return nil
	}
	err := a.Store.LinkAssessment(c.Request().Context(), by, c.Param("token"))
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	return err
}

// keepSafety records a result that calls for a doctor first as soon as it is scored, not when
// its page is shown: on the signed-in client's record, or in the visitor's session, where no
// later assessment replaces it, until they give an email and phone to book with.
func (a *App) keepSafety(c echo.Context, d store.Assessment, r clinic.AssessmentResult) error {
	if !r.Safety.BookingBlocked {
		return nil
	}
	if err := a.linkAssessment(c, d); err != nil {
		return err
	}
	s := session(c)
	if s == nil || sessionString(c, keySafety) != "" {
		return nil
	}
	s.Values[keySafety] = c.Param("token")
	return s.Save(c.Request(), c.Response())
}

// rememberAssessment keeps a visitor's assessment in their session, so it joins their record
// when they sign in or book, and so a result that calls for a doctor first keeps them from
// booking online in this browser.
func (a *App) rememberAssessment(c echo.Context, d store.Assessment) error {
	s := session(c)
	if currentUser(c) != nil || s == nil || d.ClientID != 0 {
		return nil
	}
	if s.Values[keyAssessment] == c.Param("token") {
		return nil
	}
	s.Values[keyAssessment] = c.Param("token")
	return s.Save(c.Request(), c.Response())
}

// pendingAssessment links the assessment remembered in the session to a client who has just
// signed in or booked.
func (a *App) pendingAssessment(c echo.Context, tok string, u store.User) error {
	if tok == "" || u.Role != clinic.RoleClient {
		return nil
	}
	ctx := c.Request().Context()
	cid, err := a.Store.ClientIDForUser(ctx, u.ID)
	if err != nil || cid == 0 {
		return err
	}
	err = a.Store.LinkAssessment(ctx, store.Actor{UserID: u.ID, Role: u.Role, ClientID: cid, IP: c.RealIP()}, tok)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	return err
}

// assessmentBlocksBooking reports whether an assessment taken in this browser said to see a
// doctor first, and no clinician has cleared it since.
func (a *App) assessmentBlocksBooking(c echo.Context) (bool, error) {
	tok := sessionString(c, keySafety)
	if tok == "" {
		return false, nil
	}
	return a.Store.AssessmentBlocks(c.Request().Context(), tok)
}

// assessmentClassName names the class in plain words for the heading.
func assessmentClassName(r clinic.AssessmentResult) string {
	names := map[clinic.ComplaintClass]string{
		clinic.ComplaintMechanical:       "Mostly mechanical",
		clinic.ComplaintSystemic:         "Mostly systemic: stress and tension",
		clinic.ComplaintRecovery:         "Mostly recovery from training",
		clinic.ComplaintUndifferentiated: "No clear pattern yet",
	}
	if r.Primary == clinic.ComplaintMixed && len(r.MixedClasses) == 2 {
		return fmt.Sprintf("A mix of %s and %s", r.MixedClasses[0], r.MixedClasses[1])
	}
	if n, ok := names[r.Primary]; ok {
		return n
	}
	return string(r.Primary)
}
