package handlers

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"allium/clinic"
	"allium/internal/testclinic"
	"allium/store"
)

// assessApp is a running app with a browser-like client that keeps cookies and does not
// follow redirects, so each test sees the status and Location it would get.
type assessApp struct {
	t      *testing.T
	store  *store.Store
	srv    *httptest.Server
	client *http.Client
	csrf   string
}

func newAssessApp(t *testing.T) *assessApp {
	t.Helper()
	ctx := context.Background()
	st := testclinic.Open(t, testclinic.FreshDB(t)) // on the real clock, as the app is
	set := clinic.DefaultSettings()
	set.Email = "desk@clinic.test"
	if err := st.SaveSettings(ctx, store.System, set); err != nil {
		t.Fatal(err)
	}
	as, vs := testclinic.MustViews(t)
	e, _, err := New(ctx, Config{Store: st, Views: vs, Assets: as, BaseURL: "http://clinic.test",
		SessionKey: []byte("0123456789abcdef0123456789abcdef"), Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(e)
	t.Cleanup(srv.Close)
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return &assessApp{t: t, store: st, srv: srv, client: c}
}

var assessCSRF = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func (a *assessApp) get(path string) (int, string, string) {
	a.t.Helper()
	res, err := a.client.Get(a.srv.URL + path)
	if err != nil {
		a.t.Fatal(err)
	}
	return a.finish(res)
}

func (a *assessApp) post(path string, form url.Values) (int, string, string) {
	a.t.Helper()
	form = cloneValues(form)
	form.Set("csrf", a.csrf)
	res, err := a.client.PostForm(a.srv.URL+path, form)
	if err != nil {
		a.t.Fatal(err)
	}
	return a.finish(res)
}

func (a *assessApp) finish(res *http.Response) (int, string, string) {
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if m := assessCSRF.FindSubmatch(b); m != nil {
		a.csrf = string(m[1])
	}
	return res.StatusCode, res.Header.Get("Location"), string(b)
}

func cloneValues(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}

// start opens the intro and starts a draft, returning the first step's path.
func (a *assessApp) start() string {
	a.t.Helper()
	if code, _, body := a.get("/assessment"); code != 200 || !strings.Contains(body, "not a diagnosis") {
		a.t.Fatalf("intro: %d, want 200 saying it is not a diagnosis", code)
	}
	code, loc, _ := a.post("/assessment/start", nil)
	if code != http.StatusSeeOther || !strings.HasSuffix(loc, "/1") {
		a.t.Fatalf("start: %d %q, want 303 to step 1", code, loc)
	}
	return loc
}

func stepPath(first string, n string) string { return strings.TrimSuffix(first, "1") + n }

// assessStepForms splits answers into one form per step, naming the body map field as the page does.
func assessStepForms(ans clinic.AssessmentAnswers) []url.Values {
	q := clinic.AssessmentV1()
	out := make([]url.Values, len(q.Steps))
	for i, s := range q.Steps {
		out[i] = url.Values{}
		for _, it := range s.Items {
			if v, ok := ans[it.ID]; ok {
				out[i][assessmentFieldName(it)] = v
			}
		}
	}
	return out
}

// assessMechanical is a complete answer set of a desk worker with a local, movement-linked neck.
func assessMechanical() clinic.AssessmentAnswers {
	a := clinic.AssessmentAnswers{
		"caution_list": {"none"}, "where_regions": {"neck"}, "where_main": {"neck"}, "where_side": {"right"},
		"where_point": {"finger"}, "story_duration": {"3_14d"}, "story_onset": {"gradual_with_desk_or_repetitive_task"},
		"story_pattern": {"first_time"}, "story_prior_massage": {"never_had"},
		"behaviour_provoked": {"reliably"}, "behaviour_eases": {"yes"}, "behaviour_headaches": {"never"},
		"behaviour_weakness": {"no"}, "behaviour_pins_needles": {"no"},
		"training_sessions": {"1_2"}, "training_load_change": {"same"}, "training_recent": {"none"},
		"recovery_sleep": {"2"}, "recovery_fatigue": {"3"}, "recovery_soreness": {"2"},
		"stress_worse": {"sometimes"}, "stress_control": {"2"}, "stress_overload": {"1"},
		"sleep_unrefreshing": {"no"}, "stress_signs": {"none"},
		"function_pain_worst": {"3"}, "function_activity": {"sitting at my desk"},
		"function_activity_score": {"8"}, "function_goals": {"pain_relief"},
		"outlook_beliefs": {"none"}, "outlook_bother": {"slightly"},
	}
	for _, it := range clinic.AssessmentV1().Steps[0].Items {
		a[it.ID] = []string{"no"}
	}
	return a
}

func (a *assessApp) outbox(kind string) int {
	a.t.Helper()
	rows, err := a.store.Outbox(context.Background(), store.Actor{Role: clinic.RoleOwner}, store.OutboxFilter{})
	if err != nil {
		a.t.Fatal(err)
	}
	n := 0
	for _, r := range rows {
		if r.Kind == kind && r.To == "desk@clinic.test" {
			n++
		}
	}
	return n
}

func TestAssessmentWalkThroughToMechanicalResult(t *testing.T) {
	t.Parallel()
	app := newAssessApp(t)
	first := app.start()
	forms := assessStepForms(assessMechanical())
	loc := first
	for i, f := range forms {
		if code, _, body := app.get(loc); code != 200 || !strings.Contains(body, "Step "+itoa(i+1)+" of 9") {
			t.Fatalf("step %d: %d, want 200 with its step count", i+1, code)
		}
		code, next, body := app.post(loc, f)
		if code != http.StatusSeeOther {
			t.Fatalf("post step %d: %d, want 303; page: %s", i+1, code, assessErrors(body))
		}
		loc = next
	}
	if !strings.HasSuffix(loc, "/result") {
		t.Fatalf("after last step: %q, want the result", loc)
	}
	code, _, body := app.get(loc)
	if code != 200 {
		t.Fatalf("result: %d, want 200", code)
	}
	// The course starts with the 75-minute first visit, then weekly follow-ups.
	for _, want := range []string{"Mostly mechanical", `href="/book/times?first=remedial_initial_75&amp;service=remedial_followup_60&amp;sessions=4&amp;spacing=7"`,
		"Book this course"} {
		if !strings.Contains(body, want) {
			t.Errorf("result page lacks %q", want)
		}
	}
	if n := app.outbox("assessment_alert"); n != 0 {
		t.Errorf("alerts queued = %d, want 0 for a clear result", n)
	}
}

var assessErrorText = regexp.MustCompile(`<p class="error"[^>]*>([^<]*)<`)

func assessErrors(body string) string {
	var out []string
	for _, m := range assessErrorText.FindAllStringSubmatch(body, -1) {
		out = append(out, m[1])
	}
	return strings.Join(out, "; ")
}

func itoa(n int) string { return strconv.Itoa(n) }

func TestAssessmentBackAndReloadKeepAnswers(t *testing.T) {
	t.Parallel()
	app := newAssessApp(t)
	first := app.start()
	forms := assessStepForms(assessMechanical())
	for i := 0; i < 3; i++ {
		if code, _, _ := app.post(stepPath(first, itoa(i+1)), forms[i]); code != http.StatusSeeOther {
			t.Fatalf("step %d: %d, want 303", i+1, code)
		}
	}
	tests := []struct{ step, want string }{
		{"3", `name="regions" value="neck" checked`},
		{"3", `value="finger" checked`},
		{"2", `value="none" checked`},
		{"1", `name="safety_chest_pain" value="no" checked`},
	}
	for _, tc := range tests {
		_, _, body := app.get(stepPath(first, tc.step))
		if !strings.Contains(body, tc.want) {
			t.Errorf("step %s lacks saved answer %s", tc.step, tc.want)
		}
	}
}

func TestAssessmentSkippedStepRedirects(t *testing.T) {
	t.Parallel()
	app := newAssessApp(t)
	first := app.start()
	forms := assessStepForms(assessMechanical())
	if code, _, _ := app.post(first, forms[0]); code != http.StatusSeeOther {
		t.Fatalf("step 1: %d, want 303", code)
	}
	for _, method := range []string{"GET", "POST"} {
		var code int
		var loc string
		if method == "GET" {
			code, loc, _ = app.get(stepPath(first, "5"))
		} else {
			code, loc, _ = app.post(stepPath(first, "5"), forms[4])
		}
		if code != http.StatusSeeOther || loc != stepPath(first, "2") {
			t.Errorf("%s step 5 with only step 1 saved: %d %q, want 303 to %q", method, code, loc, stepPath(first, "2"))
		}
	}
	if code, _, _ := app.get(stepPath(first, "result")); code != http.StatusSeeOther {
		t.Errorf("result before submitting: %d, want 303 back to the steps", code)
	}
}

func TestAssessmentTamperedAnswersStoreNothing(t *testing.T) {
	t.Parallel()
	forms := assessStepForms(assessMechanical())
	tests := []struct {
		name string
		form func() url.Values
	}{
		{"option not offered", func() url.Values { f := cloneValues(forms[2]); f.Set("where_point", "elbow"); return f }},
		{"region not on the map", func() url.Values { f := cloneValues(forms[2]); f.Add("regions", "tail"); return f }},
		{"unknown item", func() url.Values { f := cloneValues(forms[2]); f.Set("secret_item", "1"); return f }},
		{"item of another step", func() url.Values { f := cloneValues(forms[2]); f.Set("story_onset", "no_idea"); return f }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			app := newAssessApp(t)
			first := app.start()
			for i := 0; i < 2; i++ {
				app.post(stepPath(first, itoa(i+1)), forms[i])
			}
			code, _, _ := app.post(stepPath(first, "3"), tc.form())
			if code != http.StatusUnprocessableEntity {
				t.Fatalf("status = %d, want 422", code)
			}
			if code, loc, _ := app.get(stepPath(first, "4")); code != http.StatusSeeOther || loc != stepPath(first, "3") {
				t.Errorf("step 4 after a refused step 3: %d %q, want 303 to step 3 (nothing stored)", code, loc)
			}
			if _, _, body := app.get(stepPath(first, "3")); strings.Contains(body, "checked") {
				t.Errorf("step 3 shows stored answers after a refused post")
			}
		})
	}
}

func TestAssessmentEmergencyShowsOnlyWhatToDoNow(t *testing.T) {
	t.Parallel()
	app := newAssessApp(t)
	first := app.start()
	f := assessStepForms(assessMechanical())[0]
	f.Set("safety_chest_pain", "yes")
	code, loc, _ := app.post(first, f)
	if code != http.StatusSeeOther || !strings.HasSuffix(loc, "/result") {
		t.Fatalf("emergency on step 1: %d %q, want 303 straight to the result", code, loc)
	}
	_, _, body := app.get(loc)
	if !strings.Contains(body, "Call 000") {
		t.Errorf("result lacks the emergency advice")
	}
	for _, bad := range []string{"/book/times", "Book this course", "Your result:"} {
		if strings.Contains(body, bad) {
			t.Errorf("emergency result shows %q", bad)
		}
	}
	if n := app.outbox("assessment_alert"); n == 0 {
		t.Errorf("alerts queued = 0, want the clinic alerted")
	}
	if code, loc2, _ := app.get(stepPath(first, "2")); code != http.StatusSeeOther || loc2 != loc {
		t.Errorf("step 2 after the result: %d %q, want 303 to the result", code, loc2)
	}
}

func TestAssessmentSafetyStepRouting(t *testing.T) {
	t.Parallel()
	tests := []struct {
		item, want string
	}{
		{"safety_chest_pain", "/result"},
		{"safety_leg_clot", "/result"},
		{"safety_fracture", "/2"},
		{"safety_fever", "/2"},
		{"", "/2"},
	}
	for _, tc := range tests {
		t.Run(tc.item, func(t *testing.T) {
			app := newAssessApp(t)
			first := app.start()
			f := assessStepForms(assessMechanical())[0]
			if tc.item != "" {
				f.Set(tc.item, "yes")
			}
			code, loc, _ := app.post(first, f)
			if code != http.StatusSeeOther || !strings.HasSuffix(loc, tc.want) {
				t.Errorf("%s = yes: %d %q, want 303 to …%s", tc.item, code, loc, tc.want)
			}
		})
	}
}

func TestAssessmentReferResultHasNoBookingLink(t *testing.T) {
	t.Parallel()
	app := newAssessApp(t)
	first := app.start()
	ans := assessMechanical()
	ans["safety_fracture"] = []string{"yes"}
	loc := first
	for i, f := range assessStepForms(ans) {
		code, next, body := app.post(loc, f)
		if code != http.StatusSeeOther {
			t.Fatalf("step %d: %d; %s", i+1, code, assessErrors(body))
		}
		loc = next
	}
	_, _, body := app.get(loc)
	if !strings.Contains(body, "see a doctor") || strings.Contains(body, "/book/times") {
		t.Errorf("refer result: want the doctor advice and no booking link")
	}
	if n := app.outbox("assessment_alert"); n != 1 {
		t.Errorf("alerts queued = %d, want 1", n)
	}
}

func TestAssessmentUnknownTokenIsNotFound(t *testing.T) {
	t.Parallel()
	app := newAssessApp(t)
	for _, p := range []string{"/assessment/d/nope/1", "/assessment/d/nope/result"} {
		if code, _, _ := app.get(p); code != http.StatusNotFound {
			t.Errorf("GET %s = %d, want 404", p, code)
		}
	}
}

// TestEmergencyResultClosesOnlineBookingAndFollowsThePerson: after an emergency answer the same
// browser cannot book online, and once the person signs in the result joins their record and
// closes online booking for them everywhere.
func TestEmergencyResultClosesOnlineBookingAndFollowsThePerson(t *testing.T) {
	t.Parallel()
	app := newAssessApp(t)
	first := app.start()
	f := assessStepForms(assessMechanical())[0]
	f.Set("safety_chest_pain", "yes")
	_, loc, _ := app.post(first, f)
	app.get(loc)
	for _, path := range []string{"/book", "/book/times?service=1"} {
		code, _, body := app.get(path)
		if code != http.StatusForbidden || !strings.Contains(body, "Please call us") {
			t.Errorf("GET %s after an emergency result: %d, want 403 asking to call", path, code)
		}
	}
	ctx := context.Background()
	u, err := app.store.CreateUser(ctx, store.System, store.NewUser{Role: clinic.RoleClient, Email: "pat@example.com",
		Name: "Pat", Password: "a long enough password"})
	if err != nil {
		t.Fatal(err)
	}
	app.get("/signin")
	code, _, _ := app.post("/signin", url.Values{"email": {u.Email}, "password": {"a long enough password"}})
	if code != http.StatusSeeOther {
		t.Fatalf("sign in: %d", code)
	}
	cid, _ := app.store.ClientIDForUser(ctx, u.ID)
	by := store.Actor{UserID: u.ID, Role: clinic.RoleClient, ClientID: cid}
	_, err = app.store.BookCourse(ctx, by, store.BookingRequest{ServiceID: 1, TherapistID: 1, Starts: []time.Time{time.Now().Add(72 * time.Hour)}})
	if !errors.Is(err, store.ErrBookingBlocked) {
		t.Errorf("booking after the linked emergency result: %v, want ErrBookingBlocked", err)
	}
}
