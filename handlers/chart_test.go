package handlers_test

import (
	"context"
	"fmt"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"allium"
	"allium/clinic"
	"allium/handlers"
	"allium/internal/testclinic"
	"allium/internal/testkit"
	"allium/store"
)

// chartWorld is a clinic where Sam (therapist) treats Alex (client): a service, Sam's hours
// every day, and helpers to book sessions and act as each person.
type chartWorld struct {
	ta *testApp
	p  people
	chartClinic
}

// chartClinic is the clinic's calendar and Alex, usable from tests and benchmarks alike.
type chartClinic struct {
	st        *store.Store
	clock     *testkit.Clock // the store's (and the app's); a note is signed once its session has begun
	now       func() time.Time
	clientID  int64
	therapist int64
	service   int64
	sam       store.Actor
	loc       *time.Location
}

// assessed files Alex's own self-assessment (steps[i] answers step i) with this result.
func (w *chartWorld) assessed(t *testing.T, steps []clinic.AssessmentAnswers, result clinic.AssessmentResult) {
	t.Helper()
	by := store.Actor{UserID: w.p.Client.ID, Role: clinic.RoleClient, ClientID: w.clientID}
	testclinic.MustAssessment(t, w.ta.Store, by, steps, result, w.ta.Clock.Now())
}

func newChartWorld(t *testing.T) *chartWorld {
	t.Helper()
	ta := newTestApp(t)
	w := &chartWorld{ta: ta, p: ta.seedPeople(t)}
	w.chartClinic = newChartClinic(t, ta.Store, ta.Clock, w.p.Therapist.ID, w.p.Client.ID)
	return w
}

func newChartClinic(tb testing.TB, st *store.Store, clock *testkit.Clock, therapist, clientUser int64) chartClinic {
	tb.Helper()
	ctx := context.Background()
	c := chartClinic{st: st, clock: clock, now: clock.Now, therapist: therapist, sam: store.Actor{UserID: therapist, Role: clinic.RoleTherapist},
		loc: testkit.Sydney()}
	var err error
	if c.clientID, err = st.ClientIDForUser(ctx, clientUser); err != nil {
		tb.Fatal(err)
	}
	c.service = testclinic.MustService(tb, st, store.Service{Service: clinic.Service{Key: "r60",
		Name: "Remedial 60", Duration: time.Hour}, CourseSessions: 4, Active: true})
	testclinic.MustCalendar(tb, st, therapist, testkit.EveryDay(7, 21), c.loc, c.service)
	return c
}

// book books n sessions with Sam from the day after tomorrow, up to twelve a day, each a visit of
// its own (a course's sessions are days apart), and returns their ids in time order.
func (c chartClinic) book(tb testing.TB, n int) []int64 {
	tb.Helper()
	day := clinic.DateOf(c.now(), c.loc).AddDays(2)
	var starts []time.Time
	for i := range n {
		d := day.AddDays(i / 12)
		starts = append(starts, time.Date(d.Y, d.M, d.D, 8+i%12, 0, 0, 0, c.loc))
	}
	var ids []int64
	for _, st := range starts {
		b, err := c.st.BookCourse(context.Background(), store.System, store.BookingRequest{ClientID: c.clientID,
			ServiceID: c.service, TherapistID: c.therapist, Starts: []time.Time{st}, Consent: true})
		if err != nil {
			tb.Fatalf("book %s: %v", st, err)
		}
		ids = append(ids, b.Appointments[0].ID)
	}
	return ids
}

func (w *chartWorld) as(t *testing.T, u store.User) *testClient {
	t.Helper()
	tc := w.ta.client(t)
	tc.signIn(u.Email, testPassword)
	return tc
}

func (c chartClinic) chartPath() string { return fmt.Sprintf("/clients/%d/chart", c.clientID) }

// activePlan drafts and starts a plan with one pain goal (6, aiming for 2) through the store.
func (c chartClinic) activePlan(tb testing.TB) clinic.TreatmentPlan {
	tb.Helper()
	ctx := context.Background()
	d := clinic.NewTreatmentPlanDraft(c.now())
	d.Layers = []clinic.PlanLayer{clinic.PlanLayerRemedialTriggerPoint}
	d.Goals = []clinic.Goal{{Description: "Turn my head to reverse the car", Measure: clinic.MeasurePain, Baseline: 6, Target: 2}}
	id, err := c.st.CreatePlan(ctx, c.sam, store.NewPlan{ClientID: c.clientID, Draft: d})
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := c.st.ApplyPlanEvent(ctx, c.sam, id, clinic.PlanEventStart, ""); err != nil {
		tb.Fatal(err)
	}
	p, err := c.st.PlanByID(ctx, c.sam, id)
	if err != nil {
		tb.Fatal(err)
	}
	return p
}

// signNote signs a note for an appointment through the store, with a score for each goal.
func (c chartClinic) signNote(tb testing.TB, appt int64, plan clinic.TreatmentPlan, score float64) int64 {
	tb.Helper()
	scores := map[int64]float64{}
	for _, g := range plan.Goals {
		scores[g.ID] = score
	}
	c.sessionOver(tb, appt)
	id, err := c.st.SignNote(context.Background(), c.sam, appt, clinic.SessionNote{PlanID: plan.ID,
		Subjective: "Reports less pain", Scores: scores})
	if err != nil {
		tb.Fatal(err)
	}
	return id
}

// sessionOver moves the clock to the end of an appointment, if it is not there yet: its note
// can then be signed.
func (c chartClinic) sessionOver(tb testing.TB, appt int64) {
	tb.Helper()
	a, err := c.st.AppointmentByID(context.Background(), store.System, appt)
	if err != nil {
		tb.Fatal(err)
	}
	if c.now().Before(a.End) {
		c.clock.Set(a.End)
	}
}

var chartLocationID = regexp.MustCompile(`/(\d+)(?:[/?#]|$)`)

// chartRedirectID is the first number in a redirect's path, as in /plans/12.
func chartRedirectID(t *testing.T, r *resp) int64 {
	t.Helper()
	m := chartLocationID.FindStringSubmatch(r.Header.Get("Location"))
	if m == nil {
		t.Fatalf("no id in the redirect to %q", r.Header.Get("Location"))
	}
	id, _ := strconv.ParseInt(m[1], 10, 64)
	return id
}

// TestTherapistChartsACourseInTheBrowser walks the whole clinical journey through the pages:
// the day, the chart, findings with the body chart, a plan from the assessment's suggestion,
// three signed notes and a reassessment that completes the plan.
func TestTherapistChartsACourseInTheBrowser(t *testing.T) {
	t.Parallel()
	w := newChartWorld(t)
	appts := w.book(t, 3)
	sam := w.as(t, w.p.Therapist)
	d := clinic.DateOf(w.ta.Clock.Now(), w.loc).AddDays(2)
	day := sam.get("/therapist?date=" + d.String())
	if !strings.Contains(day.Body, `href="`+w.chartPath()+`"`) {
		t.Fatalf("the therapist's day does not link to the chart:\n%s", day.Body)
	}
	if !strings.Contains(day.text(), "08:00–09:00 Alex Chen Remedial 60 booked") {
		t.Errorf("the therapist's day does not show the first session's times, client, service and status:\n%s", day.text())
	}
	r := sam.get(w.chartPath())
	r.wantStatus(http.StatusOK)
	if !strings.Contains(r.text(), "Alex Chen") || !strings.Contains(r.text(), "No plan yet") {
		t.Fatalf("chart: %s", r.text())
	}

	findingsForm := fmt.Sprintf("/clients/%d/findings/new", w.clientID)
	// Each booked session is offered once in the form's list of appointments.
	if form := sam.get(findingsForm).Body; strings.Count(form, "· Remedial 60 · Sam Okafor</option>") != len(appts) {
		t.Errorf("the findings form should offer the session once:\n%s", form)
	}
	r = sam.postForm(fmt.Sprintf("/clients/%d/findings", w.clientID), findingsForm, url.Values{
		"kind": {"initial"}, "complaint": {"Right neck ache when reversing the car"}, "regions": {"neck", "shoulder_r"},
		"palp.0.region": {"upper_trap"}, "palp.0.side": {"right"}, "palp.0.muscle": {"trap_upper"},
		"palp.0.type": {"trigger_point"}, "palp.0.tenderness": {"2"}, "palp.0.spot": {"1"}, "palp.0.recognised": {"1"},
		"palp.0.trp_status": {"active"}, "palp.2.region": {"neck_angle"}, "palp.2.side": {"right"},
		"palp.2.type": {"tenderness"}, "palp.2.tenderness": {"1"}, "point.1.code": {"gb21"}, "point.1.side": {"right"},
		"channels": {"GB"}, "rom.0.joint": {"cervical"}, "rom.0.movement": {"rotation"}, "rom.0.side": {"right"},
		"rom.0.mode": {"active"}, "rom.0.degrees": {"55"}, "rom.0.pain": {"end_range"}, "confirmed_class": {"mechanical"}})
	r.wantStatus(http.StatusSeeOther)
	r = sam.get(r.Header.Get("Location"))
	for _, want := range []string{`class="mark mark-trp"`, `class="mark mark-tender"`, `class="region selected" data-region="shoulder_r"`,
		"GB21", "Upper trapezius", "55°"} {
		if !strings.Contains(r.Body, want) {
			t.Errorf("findings page lacks %q", want)
		}
	}

	r = sam.get(fmt.Sprintf("/clients/%d/plans/new", w.clientID))
	r.wantStatus(http.StatusOK)
	r = sam.postForm(fmt.Sprintf("/clients/%d/plans", w.clientID), fmt.Sprintf("/clients/%d/plans/new", w.clientID), url.Values{
		"layers": {"remedial_trigger_point", "tui_na"}, "goals.0.description": {"Reverse the car without neck pain"},
		"goals.0.measure": {"pain_0_10"}, "goals.0.baseline": {"6"}, "goals.0.target": {"2"},
		"planned_sessions": {"3"}, "target_days": {"7"}, "min_days": {"3"}, "max_days": {"10"},
		"start_date": {d.String()}, "start": {"1"}})
	r.wantStatus(http.StatusSeeOther)
	planID := chartRedirectID(t, r)
	if r := sam.get(chartPlanPath(planID)); !strings.Contains(r.text(), "Active") {
		t.Fatalf("plan after save and start: %s", r.text())
	}
	plan, err := w.ta.Store.PlanByID(context.Background(), w.sam, planID)
	if err != nil {
		t.Fatal(err)
	}
	goal := fmt.Sprintf("score.%d", plan.Goals[0].ID)
	for i, appt := range appts {
		form := fmt.Sprintf("/appointments/%d/note", appt)
		vals := url.Values{"plan": {strconv.FormatInt(planID, 10)}, "subjective": {fmt.Sprintf("Session %d: easier", i+1)},
			goal: {strconv.Itoa(5 - i)}, "tx.0.technique": {"trp_pressure_release"}, "tx.0.muscle": {"trap_upper"},
			"tx.0.side": {"right"}, "tx.0.minutes": {"10"}, "tx.0.pressure": {"firm"}, "tx.1.technique": {"tuina_dian"},
			"tx.1.point": {"GB21"}}
		w.sessionOver(t, appt)
		sam = w.as(t, w.p.Therapist) // days have passed since the last sign-in
		autosave := sam.newRequest(http.MethodPost, form, strings.NewReader(chartCSRF(sam, form, vals).Encode()))
		autosave.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		autosave.Header.Set("X-Autosave", "1")
		sam.do(autosave).wantStatus(http.StatusNoContent)
		r := sam.postForm(form+"/sign", form, vals)
		r.wantStatus(http.StatusSeeOther)
		if !strings.HasPrefix(r.Header.Get("Location"), "/notes/") {
			t.Fatalf("sign goes to %q; want the signed note", r.Header.Get("Location"))
		}
	}
	r = sam.get(chartPlanPath(planID) + "/reassess")
	r.wantStatus(http.StatusOK)
	if !strings.Contains(r.Body, `value="3"`) {
		t.Errorf("reassessment form does not prefill the latest score 3")
	}
	r = sam.postForm(chartPlanPath(planID)+"/reassess", chartPlanPath(planID)+"/reassess", url.Values{goal: {"2"}, "compare": {"1"},
		"maintenance_days": {"28"}})
	r.wantStatus(http.StatusOK)
	if !strings.Contains(r.text(), "meaningfully better") || !strings.Contains(r.text(), "target reached") {
		t.Errorf("comparison: %s", r.text())
	}
	r = sam.postForm(chartPlanPath(planID)+"/reassess", chartPlanPath(planID)+"/reassess", url.Values{goal: {"2"},
		"decision": {"goal_met"}, "rationale": {"Pain 2, reversing without trouble"}, "maintenance_days": {"28"}})
	r.wantRedirect(chartPlanPath(planID))
	r = sam.get(chartPlanPath(planID))
	if !strings.Contains(r.text(), "Completed") || !strings.Contains(r.text(), "3 of 3 sessions done") {
		t.Errorf("plan after the reassessment: %s", r.text())
	}
	if n := strings.Count(r.Body, "<circle cx="); n != 4 {
		t.Errorf("progress chart has %d dots; want 4 (three sessions and the reassessment)", n)
	}
	// A completed plan offers no course to book; with maintenance it proposes that visit.
	if p, err := w.ta.Store.PlanByID(context.Background(), w.sam, planID); err == nil && !p.MaintenanceDue.IsZero() {
		if want := "date=" + p.MaintenanceDue.String(); !strings.Contains(r.Body, "Book the maintenance visit") || !strings.Contains(r.Body, want) {
			t.Errorf("the plan does not propose the maintenance visit on %s", p.MaintenanceDue)
		}
	} else if strings.Contains(r.Body, "Book the course") {
		t.Errorf("a completed plan offers to book its course")
	}
}

// chartCSRF adds the CSRF token of the form page to values, as the page's script sends it.
func chartCSRF(tc *testClient, formPath string, values url.Values) url.Values {
	v := url.Values{}
	for k, vs := range values {
		v[k] = vs
	}
	v.Set("csrf", tc.csrf(formPath))
	return v
}

func chartPlanPath(id int64) string { return fmt.Sprintf("/plans/%d", id) }

// signedNoteWorld is Alex's plan with one signed note, read by Sam.
func signedNoteWorld(t *testing.T) (*chartWorld, clinic.TreatmentPlan, int64, int64) {
	t.Helper()
	w := newChartWorld(t)
	appts := w.book(t, 2)
	plan := w.activePlan(t)
	return w, plan, appts[0], w.signNote(t, appts[0], plan, 4)
}

func TestSignedNoteCannotBeChangedOverHTTP(t *testing.T) {
	t.Parallel()
	w, plan, appt, noteID := signedNoteWorld(t)
	sam := w.as(t, w.p.Therapist)
	form := fmt.Sprintf("/appointments/%d/note", appt)
	if r := sam.get(form); r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != fmt.Sprintf("/notes/%d", noteID) {
		t.Errorf("the form of a signed note: %d to %q; want the note itself", r.StatusCode, r.Header.Get("Location"))
	}
	vals := url.Values{"plan": {strconv.FormatInt(plan.ID, 10)}, "subjective": {"Rewritten later"}}
	csrfVals := chartCSRF(sam, fmt.Sprintf("/notes/%d", noteID), vals)
	for _, path := range []string{form, form + "/sign"} {
		sam.post(path, csrfVals).wantStatus(http.StatusConflict)
	}
	auto := sam.newRequest(http.MethodPost, form, strings.NewReader(csrfVals.Encode()))
	auto.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	auto.Header.Set("X-Autosave", "1")
	if r := sam.do(auto); r.StatusCode != http.StatusConflict {
		t.Errorf("autosave of a signed note: %d; want 409", r.StatusCode)
	}
	r := sam.get(fmt.Sprintf("/notes/%d", noteID))
	if strings.Contains(r.text(), "Rewritten later") || !strings.Contains(r.text(), "Reports less pain") {
		t.Fatalf("signed note changed: %s", r.text())
	}
	r = sam.postForm(fmt.Sprintf("/notes/%d/addenda", noteID), fmt.Sprintf("/notes/%d", noteID),
		url.Values{"addendum": {"Rang the next day: no soreness."}})
	r.wantRedirect(fmt.Sprintf("/notes/%d#addenda", noteID))
	r = sam.get(fmt.Sprintf("/notes/%d", noteID))
	if !strings.Contains(r.text(), "Rang the next day: no soreness.") || !strings.Contains(r.text(), "Sam Okafor") {
		t.Errorf("addendum not shown with its author: %s", r.text())
	}
	r = sam.postForm(fmt.Sprintf("/notes/%d/addenda", noteID), fmt.Sprintf("/notes/%d", noteID), url.Values{"addendum": {"  "}})
	r.wantStatus(http.StatusUnprocessableEntity)
	if r.fieldError("addendum") == "" {
		t.Errorf("empty addendum: no message beside the field")
	}
}

func TestClinicalPagesAnswer404ToEveryoneElse(t *testing.T) {
	t.Parallel()
	w, plan, appt, noteID := signedNoteWorld(t)
	ctx := context.Background()
	fid, err := w.ta.Store.RecordFindings(ctx, w.sam, clinic.Findings{ClientID: w.clientID, Kind: "initial", Complaint: "neck"})
	if err != nil {
		t.Fatal(err)
	}
	rid, err := w.ta.Store.CreateReferral(ctx, w.sam, clinic.Referral{ClientID: w.clientID, Target: "gp", Reason: "other",
		Urgency: "routine", Letter: "Dear Doctor"}, false)
	if err != nil {
		t.Fatal(err)
	}
	kim := w.ta.mustUser(t, clinic.RoleTherapist, "kim@clinic.test", "Kim Lee", testPassword)
	bea := w.ta.mustUser(t, clinic.RoleClient, "bea@example.com", "Bea Ng", testPassword)
	paths := []string{fmt.Sprintf("/notes/%d", noteID), fmt.Sprintf("/appointments/%d/note", appt), w.chartPath(),
		chartPlanPath(plan.ID), fmt.Sprintf("/findings/%d", fid), fmt.Sprintf("/referrals/%d", rid), chartPlanPath(plan.ID) + "/reassess",
		fmt.Sprintf("/clients/%d/findings/new", w.clientID), fmt.Sprintf("/clients/%d/plans/new", w.clientID)}
	for _, who := range []store.User{w.p.Reception, w.p.Client, bea, kim} {
		tc := w.as(t, who)
		for _, path := range paths {
			if r := tc.get(path); r.StatusCode != http.StatusNotFound || !strings.Contains(r.text(), "Page not found") {
				t.Errorf("%s GET %s: %d; want the 404 page", who.Name, path, r.StatusCode)
			}
		}
		r := tc.postForm(fmt.Sprintf("/notes/%d/addenda", noteID), "/account", url.Values{"addendum": {"x"}})
		r.wantStatus(http.StatusNotFound)
	}
	for _, who := range []store.User{w.p.Therapist, w.p.Owner} {
		tc := w.as(t, who)
		for _, path := range paths {
			// The form of a signed note sends the reader to the note itself.
			if r := tc.get(path); r.StatusCode != http.StatusOK && r.StatusCode != http.StatusSeeOther {
				t.Errorf("%s GET %s: %d; want to be let in", who.Name, path, r.StatusCode)
			}
		}
	}
	if r := w.as(t, w.p.Client).get("/my/plan"); strings.Contains(r.text(), "Reports less pain") ||
		!strings.Contains(r.text(), "Turn my head to reverse the car") {
		t.Errorf("the client's plan page shows the note or misses the goal: %s", r.text())
	}
	if r := w.as(t, bea).get("/my/plan"); strings.Contains(r.text(), "Turn my head") {
		t.Errorf("another client sees Alex's goal: %s", r.text())
	}
}

func TestChartViewsAndEditsAreAudited(t *testing.T) {
	t.Parallel()
	w, _, _, noteID := signedNoteWorld(t)
	owner := w.as(t, w.p.Owner)
	owner.get(fmt.Sprintf("/notes/%d", noteID)).wantStatus(http.StatusOK)
	w.as(t, w.p.Therapist).get(w.chartPath()).wantStatus(http.StatusOK)
	entries, err := w.ta.Store.AuditLog(context.Background(), ownerActor, store.AuditFilter{ClientID: w.clientID, Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, e := range entries {
		seen[fmt.Sprintf("%s %s %s", e.ActorName, e.Action, e.RecordType)] = true
	}
	for _, want := range []string{"Sam Okafor sign note", "Mei Lin view note", "Sam Okafor view chart", "Sam Okafor plan_start plan",
		"Sam Okafor create plan"} {
		if !seen[want] {
			t.Errorf("no audit entry %q in %v", want, seen)
		}
	}
	if r := owner.get("/admin/audit"); !strings.Contains(r.text(), "view note #"+strconv.FormatInt(noteID, 10)) {
		t.Errorf("the owner's audit log does not show the note view: %s", r.text())
	}
}

func TestProgressChartWithNoneOneAndFiftyReadings(t *testing.T) {
	t.Parallel()
	dots := regexp.MustCompile(`<circle cx="[\d.]+" cy="[\d.]+" r="3.5"`)
	for _, n := range []int{0, 1, 50} {
		t.Run(strconv.Itoa(n), func(t *testing.T) {
			w := newChartWorld(t)
			appts := w.book(t, n+1)
			plan := w.activePlan(t)
			for i := range n {
				w.signNote(t, appts[i], plan, float64(6-i%6))
			}
			for _, path := range []string{chartPlanPath(plan.ID), w.chartPath()} {
				r := w.as(t, w.p.Therapist).get(path)
				r.wantStatus(http.StatusOK)
				if got := len(dots.FindAllString(r.Body, -1)); got != n {
					t.Errorf("%s: %d dots; want %d", path, got, n)
				}
				if empty := strings.Contains(r.Body, "No readings yet"); empty != (n == 0) {
					t.Errorf("%s: \"No readings yet\" shown %v; want %v", path, empty, n == 0)
				}
				if n > 0 && !strings.Contains(r.Body, fmt.Sprintf("%d readings, latest", n)) {
					t.Errorf("%s: the chart's description does not count %d readings", path, n)
				}
				if strings.Contains(r.Body, " style=") {
					t.Errorf("%s: an inline style, which the page's policy forbids", path)
				}
			}
			r := w.as(t, w.p.Client).get("/my/plan")
			if got := len(dots.FindAllString(r.Body, -1)); got != n {
				t.Errorf("client's page: %d dots; want %d", got, n)
			}
		})
	}
}

func TestHostileNoteTextIsKeptAndShownEscaped(t *testing.T) {
	t.Parallel()
	w := newChartWorld(t)
	appt := w.book(t, 1)[0]
	plan := w.activePlan(t)
	hostile := "<script>alert('x')</script> \u202Eevil\u202C " + strings.Repeat("long text ", 1024)
	w.sessionOver(t, appt)
	sam := w.as(t, w.p.Therapist)
	form := fmt.Sprintf("/appointments/%d/note", appt)
	r := sam.postForm(form+"/sign", form, url.Values{"plan": {strconv.FormatInt(plan.ID, 10)}, "subjective": {hostile},
		"objective": {hostile}, "next_focus": {"line one\nline two"}})
	r.wantStatus(http.StatusSeeOther)
	noteID := chartRedirectID(t, r)
	n, err := w.ta.Store.NoteByID(context.Background(), w.sam, noteID)
	if err != nil {
		t.Fatal(err)
	}
	if n.Subjective != hostile || n.Objective != hostile {
		t.Fatalf("stored text differs from what was sent (%d and %d bytes; want %d)", len(n.Subjective), len(n.Objective), len(hostile))
	}
	r = sam.get(fmt.Sprintf("/notes/%d", noteID))
	switch {
	case strings.Contains(r.Body, "<script>alert"):
		t.Error("the script tag reached the page unescaped")
	case strings.Count(r.Body, "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;") != 2:
		t.Error("the script tag is not shown as text in both fields")
	case !strings.Contains(r.Body, "<bdi>&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; \u202Eevil\u202C "):
		t.Error("the right-to-left override is not isolated in its own <bdi>")
	case !strings.Contains(r.Body, "line one</bdi><br><bdi>line two"):
		t.Error("line breaks are not kept")
	case strings.Count(r.Body, "long text") < 2*1024:
		t.Error("the 10 KB text is cut short")
	}
}

func TestInvalidCodesAndGradesGet422(t *testing.T) {
	t.Parallel()
	w := newChartWorld(t)
	appt := w.book(t, 1)[0]
	w.activePlan(t)
	w.sessionOver(t, appt)
	sam := w.as(t, w.p.Therapist)
	findings := fmt.Sprintf("/clients/%d/findings", w.clientID)
	note := fmt.Sprintf("/appointments/%d/note", appt)
	for _, tc := range []struct {
		name, path, form string
		values           url.Values
		field            string
	}{
		{"unknown acupoint", findings, findings + "/new", url.Values{"kind": {"initial"}, "point.2.code": {"GB99"}}, "point.2.code"},
		{"made-up channel", findings, findings + "/new", url.Values{"kind": {"initial"}, "point.0.code": {"QQ4"}}, "point.0.code"},
		{"tenderness V", findings, findings + "/new", url.Values{"kind": {"initial"}, "palp.3.region": {"calf"},
			"palp.3.side": {"left"}, "palp.3.type": {"tenderness"}, "palp.3.tenderness": {"5"}}, "palp.3.tenderness"},
		{"tenderness in words", findings, findings + "/new", url.Values{"kind": {"initial"}, "palp.0.region": {"calf"},
			"palp.0.side": {"left"}, "palp.0.type": {"tenderness"}, "palp.0.tenderness": {"very"}}, "palp.0.tenderness"},
		{"unknown region", findings, findings + "/new", url.Values{"kind": {"initial"}, "palp.0.region": {"tail"},
			"palp.0.side": {"left"}, "palp.0.type": {"tenderness"}}, "palp.0.region"},
		{"note acupoint", note, note, url.Values{"tx.4.technique": {"tuina_dian"}, "tx.4.point": {"ZZ1"}}, "tx.4.point"},
		{"pain 11", note, note, url.Values{"pain_today": {"11"}}, "pain_today"},
		{"unknown technique", note, note, url.Values{"tx.0.technique": {"cupping"}}, "tx.0.technique"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := sam.postForm(tc.path, tc.form, tc.values)
			r.wantStatus(http.StatusUnprocessableEntity)
			if r.fieldError(tc.field) == "" {
				t.Errorf("no message beside %s", tc.field)
			}
		})
	}
	ctx := context.Background()
	ch, err := w.ta.Store.ClientChart(ctx, w.sam, w.clientID)
	if err != nil {
		t.Fatal(err)
	}
	if len(ch.Findings) != 0 || ch.Sessions[0].NoteID != 0 {
		t.Errorf("an invalid form saved something: %d findings, note %d", len(ch.Findings), ch.Sessions[0].NoteID)
	}
}

func TestPlanGuardsShowWhyOverHTTP(t *testing.T) {
	t.Parallel()
	w := newChartWorld(t)
	w.book(t, 1)
	ctx := context.Background()
	w.assessed(t, nil, clinic.AssessmentResult{Primary: clinic.ComplaintMechanical, Safety: clinic.AssessmentSafety{
		Outcome: clinic.SafetyReferBeforeTreatment, Headline: "See your doctor before massage", BookingBlocked: true,
		Triggers: []clinic.AssessmentSafetyTrigger{{Item: "night_pain", Outcome: clinic.SafetyReferBeforeTreatment,
			Reason: "Pain that wakes you at night and does not ease with rest"}}}})
	d := clinic.NewTreatmentPlanDraft(w.ta.Clock.Now())
	d.Layers = []clinic.PlanLayer{clinic.PlanLayerRemedialTriggerPoint}
	d.Goals = []clinic.Goal{{Description: "Sleep through", Measure: clinic.MeasurePain, Baseline: 5, Target: 2}}
	id, err := w.ta.Store.CreatePlan(ctx, w.sam, store.NewPlan{ClientID: w.clientID, Draft: d})
	if err != nil {
		t.Fatal(err)
	}
	sam := w.as(t, w.p.Therapist)
	if r := sam.get(w.chartPath()); !strings.Contains(r.text(), "Cautions See your doctor before massage") {
		t.Errorf("the open flag is not in the chart's caution banner: %s", r.text())
	}
	// The chart says why online booking is closed: the outcome and the answers behind it.
	if text := sam.get(w.chartPath()).text(); !strings.Contains(text, "Online booking is closed") ||
		!strings.Contains(text, "Because of these answers: Pain that wakes you at night and does not ease with rest") {
		t.Errorf("the chart does not say why online booking is closed: %s", text)
	}
	for _, tc := range []struct {
		event, want string
	}{
		{"hold", "That does not apply to a plan that is draft"},
		{"start", "A safety flag is still open: refer before treatment"},
	} {
		r := sam.postForm(chartPlanPath(id)+"/event", chartPlanPath(id), url.Values{"event": {tc.event}})
		r.wantRedirect(chartPlanPath(id))
		if r := sam.get(chartPlanPath(id)); !strings.Contains(r.text(), tc.want) || !strings.Contains(r.text(), "Draft") {
			t.Errorf("refused %s: %s", tc.event, r.text())
		}
	}
	r := sam.postForm(fmt.Sprintf("/clients/%d/flags", w.clientID), w.chartPath(), url.Values{"code": {"safety"},
		"note": {"GP letter of 12 March clears massage"}})
	r.wantRedirect(w.chartPath() + "#flags")
	if r := sam.get(w.chartPath()); strings.Contains(r.text(), "Cautions See your doctor") || !strings.Contains(r.text(), "GP letter of 12 March") {
		t.Errorf("after clearing, the flag is still a caution or its reason is missing: %s", r.text())
	}
	sam.postForm(chartPlanPath(id)+"/event", chartPlanPath(id), url.Values{"event": {"start"}}).wantRedirect(chartPlanPath(id))
	if r := sam.get(chartPlanPath(id)); !strings.Contains(r.text(), "The plan is now active") {
		t.Errorf("after start: %s", r.text())
	}
}

func TestChartWith200SessionsRenders(t *testing.T) {
	t.Parallel()
	w := newChartWorld(t)
	appts := w.book(t, 200)
	plan := w.activePlan(t)
	for _, a := range appts[:20] {
		w.signNote(t, a, plan, 4)
	}
	sam := w.as(t, w.p.Therapist)
	r := sam.get(w.chartPath())
	r.wantStatus(http.StatusOK)
	if got := strings.Count(r.Body, `<td data-label="When">`); got != 200 {
		t.Errorf("chart lists %d sessions; want 200", got)
	}
	if got := strings.Count(r.Body, ">Signed note</a>"); got != 20 {
		t.Errorf("chart links %d signed notes; want 20", got)
	}
	r = sam.get(chartPlanPath(plan.ID))
	r.wantStatus(http.StatusOK)
	// The courses were booked before the plan started, so only the sessions whose notes name it belong to it.
	if got := strings.Count(r.Body, `<td class="num" data-label="#">`); got != 20 {
		t.Errorf("plan lists %d sessions; want the 20 with notes", got)
	}
}

// BenchmarkChart200Sessions times the chart page of a client with 200 sessions, 20 of them with
// signed notes and readings, through the whole app. The shared helpers take a *testing.T, so
// the benchmark builds the app itself and signs in as a browser would.
func BenchmarkChart200Sessions(b *testing.B) {
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(b.TempDir(), "allium.db"), allium.Schema)
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	clock := testkit.NewClock(testEpoch)
	now := clock.Now
	st.Now = now
	as, vs := testclinic.MustViews(b)
	srv := httptest.NewUnstartedServer(nil)
	e, _, err := handlers.New(ctx, handlers.Config{Store: st, Views: vs, Assets: as, BaseURL: "http://" + srv.Listener.Addr().String(),
		Now: now, Log: slog.New(slog.DiscardHandler), SessionKey: []byte("bench-session-key-0123456789abcdef-0123456789")})
	if err != nil {
		b.Fatal(err)
	}
	srv.Config.Handler = e
	srv.Start()
	defer srv.Close()
	if _, err := st.CreateFirstOwner(ctx, "", store.NewUser{Email: "mei@clinic.test", Name: "Mei"}); err != nil {
		b.Fatal(err)
	}
	sam, err := st.CreateUser(ctx, store.System, store.NewUser{Role: clinic.RoleTherapist, Email: "sam@clinic.test", Name: "Sam", Password: testPassword})
	if err != nil {
		b.Fatal(err)
	}
	alex, err := st.CreateUser(ctx, store.System, store.NewUser{Role: clinic.RoleClient, Email: "alex@example.com", Name: "Alex"})
	if err != nil {
		b.Fatal(err)
	}
	c := newChartClinic(b, st, clock, sam.ID, alex.ID)
	appts := c.book(b, 200)
	plan := c.activePlan(b)
	for _, a := range appts[:20] {
		c.signNote(b, a, plan, 4)
	}
	hc := chartBenchSignIn(b, srv.URL, sam.Email)
	b.ReportAllocs()
	for b.Loop() {
		res, err := hc.Get(srv.URL + c.chartPath())
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			b.Fatalf("chart: %d", res.StatusCode)
		}
	}
}

// chartBenchSignIn signs in through the sign-in form and returns the browser.
func chartBenchSignIn(b *testing.B, base, email string) *http.Client {
	b.Helper()
	jar, _ := cookiejar.New(nil)
	hc := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := hc.Get(base + "/signin")
	if err != nil {
		b.Fatal(err)
	}
	page, _ := io.ReadAll(res.Body)
	res.Body.Close()
	m := csrfInput.FindSubmatch(page)
	if m == nil {
		b.Fatal("no csrf token on the sign-in page")
	}
	res, err = hc.PostForm(base+"/signin", url.Values{"csrf": {html.UnescapeString(string(m[1]))}, "email": {email}, "password": {testPassword}})
	if err != nil {
		b.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther {
		b.Fatalf("sign in: %d", res.StatusCode)
	}
	return hc
}

func TestReferAtReassessmentLeadsToALetter(t *testing.T) {
	t.Parallel()
	w := newChartWorld(t)
	w.book(t, 1)
	if _, err := w.ta.Store.RecordFindings(context.Background(), w.sam, clinic.Findings{ClientID: w.clientID, Kind: "initial",
		Complaint: "Right neck ache when reversing the car", Regions: []string{"neck"}}); err != nil {
		t.Fatal(err)
	}
	plan := w.activePlan(t)
	sam := w.as(t, w.p.Therapist)
	reassess := chartPlanPath(plan.ID) + "/reassess"
	r := sam.postForm(reassess, reassess, url.Values{fmt.Sprintf("score.%d", plan.Goals[0].ID): {"8"}, "decision": {"refer"},
		"maintenance_days": {"28"}, "rationale": {"Worse after three sessions"}})
	r.wantStatus(http.StatusSeeOther)
	form := r.Header.Get("Location")
	if !strings.HasPrefix(form, fmt.Sprintf("/clients/%d/referrals/new?", w.clientID)) {
		t.Fatalf("after a refer decision: to %q; want the referral form", form)
	}
	r = sam.get(form)
	if !strings.Contains(r.Body, `<option value="no_response_to_course" selected>`) || !strings.Contains(r.Body, "I am writing about Alex Chen") {
		t.Errorf("referral form is not prefilled: %s", r.text())
	}
	// The letter starts from the chart: the findings, the goal from start to now, the reason.
	for _, want := range []string{"- Complaint: Right neck ache when reversing the car", "started at 6, now 8, aiming for 2.",
		"Why I am referring:\n- No meaningful change after a course of treatment."} {
		if !strings.Contains(html.UnescapeString(r.Body), want) {
			t.Errorf("the letter lacks %q:\n%s", want, r.Body)
		}
	}
	r = sam.postForm(fmt.Sprintf("/clients/%d/referrals", w.clientID), form, url.Values{"plan": {strconv.FormatInt(plan.ID, 10)},
		"target": {"physiotherapist"}, "reason": {"no_response_to_course"}, "urgency": {"soon_2_weeks"},
		"letter": {"Dear colleague,\nAlex's neck pain rose from 6 to 8."}})
	r.wantStatus(http.StatusSeeOther)
	letter := r.Header.Get("Location")
	r = sam.get(letter)
	for _, want := range []string{"Physiotherapist", "Within two weeks", "Alex's neck pain rose from 6 to 8.", "Not sent yet"} {
		if !strings.Contains(r.text(), want) {
			t.Errorf("letter lacks %q: %s", want, r.text())
		}
	}
	sam.postForm(letter+"/sent", letter, nil).wantRedirect(letter)
	if r := sam.get(letter); !strings.Contains(r.text(), "Sent ") {
		t.Errorf("after marking it sent: %s", r.text())
	}
	if r := sam.get(chartPlanPath(plan.ID)); !strings.Contains(r.text(), "Referred") {
		t.Errorf("plan after the refer decision: %s", r.text())
	}
	r = sam.postForm(fmt.Sprintf("/clients/%d/referrals", w.clientID), form, url.Values{"target": {"faith healer"},
		"reason": {"other"}, "urgency": {"routine"}, "letter": {"x"}})
	r.wantStatus(http.StatusUnprocessableEntity)
	if r.fieldError("target") == "" {
		t.Error("an unknown referral target has no message beside it")
	}
}

func TestFormsStartFromTheClientsAnswers(t *testing.T) {
	t.Parallel()
	w := newChartWorld(t)
	w.book(t, 1)
	answers := make([]clinic.AssessmentAnswers, 9)
	answers[2] = clinic.AssessmentAnswers{"where_regions": {"neck", "elbow_forearm_r", "thigh_l"}}
	answers[7] = clinic.AssessmentAnswers{"function_pain_worst": {"7"}, "function_activity": {"Lift my toddler"},
		"function_activity_score": {"3"}}
	w.assessed(t, answers, clinic.AssessmentResult{Primary: clinic.ComplaintMechanical, Safety: clinic.AssessmentSafety{Outcome: clinic.SafetyClear},
		Layers: []clinic.AssessmentLayer{{Key: "remedial_trp"}, {Key: "eastern_systemic"}},
		Course: &clinic.AssessmentCourse{Sessions: 5, SpacingDays: 5, Summary: "Five sessions, five days apart"}})
	sam := w.as(t, w.p.Therapist)
	r := sam.get(fmt.Sprintf("/clients/%d/findings/new", w.clientID))
	for area, want := range map[string]bool{"neck": true, "elbow_r": true, "forearm_r": true, "thigh_front_l": true,
		"thigh_back_l": true, "elbow_l": false} {
		checked := strings.Contains(r.Body, `name="regions" value="`+area+`" checked`)
		if checked != want {
			t.Errorf("findings form: area %s checked %v; want %v", area, checked, want)
		}
	}
	r = sam.get(fmt.Sprintf("/clients/%d/plans/new", w.clientID))
	for _, want := range []string{`name="layers" value="remedial_trigger_point" checked`, `name="layers" value="tui_na" checked`,
		`name="goals.0.description" value="Lift my toddler"`, `<option value="psfs" selected>`, `name="goals.0.baseline" value="3"`,
		`name="goals.1.baseline" value="7"`, `name="planned_sessions" value="5"`, `name="target_days" value="5"`,
		"Five sessions, five days apart"} {
		if !strings.Contains(r.Body, want) {
			t.Errorf("plan form lacks %s", want)
		}
	}
}

// The findings form is long: the optional sections and the palpation rows after the first
// start folded (with JS; without it everything is simply open), and a section the therapist
// used stays open when the form comes back.
func TestFindingsFormFoldsWhatIsNotInUse(t *testing.T) {
	w := newChartWorld(t)
	w.book(t, 1)
	sam := w.as(t, w.p.Therapist)
	findings := fmt.Sprintf("/clients/%d/findings", w.clientID)
	open := func(body, summary string) bool {
		i := strings.Index(body, "<summary>"+summary+"</summary>")
		if i < 0 {
			t.Fatalf("no section %q in the form", summary)
		}
		// Every section is open in the HTML (the form works without JS); allium.js folds the
		// ones marked data-fold.
		return strings.HasSuffix(body[:i], " open>")
	}
	r := sam.get(findings + "/new")
	for summary, want := range map[string]bool{"Posture": false, "Range of motion": false, "Special tests": false,
		"Tui Na": false, "Finding 1": true, "Finding 2": false} {
		if got := open(r.Body, summary); got != want {
			t.Errorf("new form: %s open %v; want %v", summary, got, want)
		}
	}
	r = sam.postForm(findings, findings+"/new", url.Values{"kind": {"initial"}, "posture.1.observation": {"forward_head"},
		"palp.1.region": {"calf"}, "palp.1.side": {"left"}, "palp.1.type": {"tenderness"}, "palp.1.tenderness": {"9"}})
	r.wantStatus(http.StatusUnprocessableEntity)
	for summary, want := range map[string]bool{"Posture": true, "Range of motion": false, "Finding 2": true, "Finding 3": false} {
		if got := open(r.Body, summary); got != want {
			t.Errorf("form sent back: %s open %v; want %v", summary, got, want)
		}
	}
}

// TestNotesFollowTheSessionsTime: a note cannot be written days ahead (the chart offers no
// link, the form sends the therapist back with the reason, a forged post is refused) nor
// signed before its session starts (422, the reason beside the button, nothing saved); a
// draft before the start is fine, and the signature once it has started. The chart reads
// today's sessions first, then the coming ones, then the past.
func TestNotesFollowTheSessionsTime(t *testing.T) {
	t.Parallel()
	w := newChartWorld(t)
	appts := w.book(t, 2) // Thu 12 Mar, 08:00 and 09:00; it is Tue 10 Mar, evening
	plan := w.activePlan(t)
	sam := w.as(t, w.p.Therapist)
	form := fmt.Sprintf("/appointments/%d/note", appts[0])
	vals := url.Values{"plan": {strconv.FormatInt(plan.ID, 10)}, "subjective": {"Neck easier"}}
	ahead := "A note can be written from the day of the session, Thu 12 Mar."

	if r := sam.get(w.chartPath()); strings.Contains(r.Body, `href="`+form+`"`) || strings.Contains(r.Body, "Write note") {
		t.Errorf("the chart offers a note for a session two days ahead:\n%s", r.Body)
	}
	sam.get(form).wantRedirect(w.chartPath())
	if r := sam.get(w.chartPath()); !strings.Contains(r.text(), ahead) {
		t.Errorf("the chart does not say why the note cannot be written: %s", r.text())
	}
	r := sam.postForm(form+"/sign", w.chartPath(), vals)
	r.wantStatus(http.StatusUnprocessableEntity)
	if !strings.Contains(r.text(), ahead) {
		t.Errorf("signing days ahead: %s", r.text())
	}

	w.ta.Clock.Set(time.Date(2026, 3, 12, 7, 30, 0, 0, w.loc))
	sam = w.as(t, w.p.Therapist)
	sam.get(form).wantStatus(http.StatusOK)
	r = sam.postForm(form+"/sign", form, vals)
	r.wantStatus(http.StatusUnprocessableEntity)
	if got, want := r.fieldError("sign"), "This session starts at 08:00, so its note cannot be signed yet. Save it as a draft and sign it once the session has started."; got != want {
		t.Errorf("signing before the start: %q beside the button; want %q", got, want)
	}
	if !strings.Contains(r.Body, "Neck easier") {
		t.Errorf("the refused form lost what was typed")
	}
	if n, err := w.ta.Store.NoteForAppointment(context.Background(), w.sam, appts[0]); err != nil || n.ID != 0 {
		t.Fatalf("a refused signature saved note %d (%v)", n.ID, err)
	}
	sam.postForm(form, form, vals).wantRedirect(form)
	w.ta.Clock.Set(time.Date(2026, 3, 12, 8, 0, 0, 0, w.loc))
	r = sam.postForm(form+"/sign", form, vals)
	r.wantStatus(http.StatusSeeOther)
	if !strings.HasPrefix(r.Header.Get("Location"), "/notes/") {
		t.Fatalf("signing at the start goes to %q; want the signed note", r.Header.Get("Location"))
	}

	// The next day: one session later today, one next week; yesterday's two are past.
	w.ta.Clock.Set(time.Date(2026, 3, 13, 12, 0, 0, 0, w.loc))
	for _, at := range []time.Time{time.Date(2026, 3, 13, 15, 0, 0, 0, w.loc), time.Date(2026, 3, 20, 10, 0, 0, 0, w.loc)} {
		if _, err := w.ta.Store.BookCourse(context.Background(), store.System, store.BookingRequest{ClientID: w.clientID,
			ServiceID: w.service, TherapistID: w.therapist, Starts: []time.Time{at}, Consent: true}); err != nil {
			t.Fatal(err)
		}
	}
	sam = w.as(t, w.p.Therapist)
	rows := regexp.MustCompile(`<td data-label="When">([^<]+)</td>.*?<td data-label="Note">(.*?)</td>`).
		FindAllStringSubmatch(sam.get(w.chartPath()).Body, -1)
	var got []string
	for _, m := range rows {
		note := regexp.MustCompile(`<[^>]+>`).ReplaceAllString(m[2], "")
		got = append(got, m[1]+" "+note)
	}
	want := []string{"Fri 13 Mar, 15:00 Write note", "Fri 20 Mar, 10:00 –",
		"Thu 12 Mar, 09:00 Write note", "Thu 12 Mar, 08:00 Signed note"}
	if !slices.Equal(got, want) {
		t.Errorf("the chart's sessions:\n%q\nwant\n%q", got, want)
	}
	// The therapist's day offers the note on today's list and yesterday's, not next week's.
	for day, want := range map[string]int{"2026-03-13": 1, "2026-03-12": 2, "2026-03-20": 0} {
		if n := strings.Count(sam.get("/therapist?date="+day).Body, `/note">Write note</a>`); n != want {
			t.Errorf("the therapist's day %s offers %d notes; want %d", day, n, want)
		}
	}
}

// TestBookingThePlansCourseLinksIt: "Book the course" on a plan carries the plan through the
// booking pages; the course booked is linked to the plan (its sessions are the plan's) at the
// plan's spacing, without linking it by hand.
func TestBookingThePlansCourseLinksIt(t *testing.T) {
	t.Parallel()
	w := newChartWorld(t)
	w.book(t, 1) // Sam has seen Alex
	plan := w.activePlan(t)
	sam := w.as(t, w.p.Therapist)
	m := regexp.MustCompile(`href="(/book\?[^"]+)">Book the course</a>`).FindStringSubmatch(sam.get(chartPlanPath(plan.ID)).Body)
	if m == nil {
		t.Fatal("the plan page does not offer to book its course")
	}
	start, err := url.Parse(html.UnescapeString(m[1]))
	if err != nil {
		t.Fatal(err)
	}
	q := start.Query()
	if q.Get("plan") != strconv.FormatInt(plan.ID, 10) || q.Get("sessions") != "4" || q.Get("spacing") != "7" {
		t.Fatalf("book the course goes to %s; want the plan, its 4 sessions and 7 days", start)
	}
	if r := sam.get(start.String()); !strings.Contains(r.Body, `name="plan" value="`+q.Get("plan")+`"`) {
		t.Fatalf("the booking page drops the plan:\n%s", r.Body)
	}
	q.Set("service", strconv.FormatInt(w.service, 10))
	q.Set("date", clinic.DateOf(w.ta.Clock.Now(), w.loc).AddDays(7).String())
	slots := offeredSlots(sam.get("/book/times?" + q.Encode()).Body)
	if len(slots) == 0 {
		t.Fatal("no times offered")
	}
	q.Set("slot", slots[0])
	coursePath := "/book/course?" + q.Encode()
	r := sam.get(coursePath)
	r.wantStatus(http.StatusOK)
	form := url.Values{"service": {q.Get("service")}, "spacing": {"7"}, "client": {q.Get("client")}, "plan": {q.Get("plan")},
		"consent": {"1"}}
	for k, v := range proposedStarts(r.Body) {
		form.Set(k, v)
	}
	r = sam.postForm("/book/confirm", coursePath, form)
	r.wantStatus(http.StatusSeeOther)
	p, err := w.ta.Store.PlanByID(context.Background(), w.sam, plan.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Sessions) != 4 {
		t.Errorf("the plan has %d sessions after booking its course; want 4, linked", len(p.Sessions))
	}
	if r := sam.get(chartPlanPath(plan.ID)); strings.Contains(r.Body, "Book the course") {
		t.Errorf("the plan still offers to book its course once every session is booked")
	}
}

// TestAFindingIsCorrectedByANewRecord: findings are append-only; "Correct this record" opens
// the form prefilled from it, and saving makes a new record that supersedes it. The old one
// stays, shown struck through with who corrected it and when; it cannot be corrected twice.
func TestAFindingIsCorrectedByANewRecord(t *testing.T) {
	t.Parallel()
	w := newChartWorld(t)
	w.book(t, 1)
	ctx := context.Background()
	old, err := w.ta.Store.RecordFindings(ctx, w.sam, clinic.Findings{ClientID: w.clientID, Kind: "initial",
		Complaint: "Left neck ache", Regions: []string{"neck"}})
	if err != nil {
		t.Fatal(err)
	}
	sam := w.as(t, w.p.Therapist)
	oldPath := fmt.Sprintf("/findings/%d", old)
	form := fmt.Sprintf("/clients/%d/findings/new?corrects=%d", w.clientID, old)
	if r := sam.get(oldPath); !strings.Contains(r.Body, `href="`+html.EscapeString(form)+`"`) {
		t.Fatalf("the record does not offer a correction:\n%s", r.Body)
	}
	r := sam.get(form)
	r.wantStatus(http.StatusOK)
	if !strings.Contains(r.Body, `name="corrects" value="`+strconv.FormatInt(old, 10)+`"`) || !strings.Contains(r.Body, "Left neck ache") {
		t.Fatalf("the correction form does not start from the record:\n%s", r.text())
	}
	vals := url.Values{"corrects": {strconv.FormatInt(old, 10)}, "kind": {"initial"}, "complaint": {"Right neck ache"},
		"regions": {"neck"}}
	r = sam.postForm(fmt.Sprintf("/clients/%d/findings", w.clientID), form, vals)
	r.wantStatus(http.StatusSeeOther)
	fixed := r.Header.Get("Location")
	if r := sam.get(fixed); !strings.Contains(r.text(), "Right neck ache") || !strings.Contains(r.text(), "corrects an earlier one") {
		t.Errorf("the correction: %s", r.text())
	}
	if r := sam.get(oldPath); !strings.Contains(r.text(), "Left neck ache") || !strings.Contains(r.text(), "This record was corrected by Sam Okafor") ||
		strings.Contains(r.text(), "Correct this record") {
		t.Errorf("the corrected record: %s", r.text())
	}
	if r := sam.get(w.chartPath()); !strings.Contains(r.Body, "<s><a href=\""+oldPath+"\">") {
		t.Errorf("the chart does not strike the corrected record through:\n%s", r.Body)
	}
	r = sam.postForm(fmt.Sprintf("/clients/%d/findings", w.clientID), fixed, vals)
	if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != oldPath {
		t.Errorf("a second correction of the same record: %d to %q; want back to it with the reason", r.StatusCode, r.Header.Get("Location"))
	}
	ch, err := w.ta.Store.ClientChart(ctx, w.sam, w.clientID)
	if err != nil || len(ch.Findings) != 2 {
		t.Fatalf("findings after the corrections: %d (%v); want the record and its one correction", len(ch.Findings), err)
	}
}
