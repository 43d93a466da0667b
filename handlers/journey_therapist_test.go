package handlers

import (
	"strings"
	"testing"
	"time"

	"allium/clinic"
	"allium/internal/testclinic"
	"allium/store"
)

// assessedClient is a client whose own assessment (mechanical neck) is on file.
func (j *journeyClinic) assessedClient(t *testing.T, name, email string) (int64, store.Actor) {
	t.Helper()
	u, cid := testclinic.MustCreateClient(t, j.st, store.NewUser{Email: email, Name: name})
	by := store.Actor{UserID: u.ID, Role: clinic.RoleClient, ClientID: cid}
	q := clinic.AssessmentV1()
	ans := assessMechanical()
	var steps []clinic.AssessmentAnswers
	for _, s := range q.Steps {
		step := clinic.AssessmentAnswers{}
		for _, it := range s.Items {
			if v, ok := ans[it.ID]; ok {
				step[it.ID] = v
			}
		}
		steps = append(steps, step)
	}
	testclinic.MustAssessment(t, j.st, by, steps, clinic.ScoreAssessment(q, ans), j.st.Now())
	return cid, by
}

// TestJourneyTherapistChartsTheFirstClient: a therapist signs in, opens today's first client,
// records findings on the body chart, creates the plan from the assessment's suggestion, signs
// a SOAP note and adds an addendum.
func TestJourneyTherapistChartsTheFirstClient(t *testing.T) {
	t.Parallel()
	j := newJourneyClinic(t)
	today := j.todayAt(12, 30) // both sessions have begun: the first's note can be signed
	alex, _ := j.assessedClient(t, "Alex Chen", "alex@example.com")
	kim := j.client(t, "Kim Lee", "kim@example.com")
	j.bookAt(t, today.Add(-time.Hour), alex, "remedial_initial_75", today.Add(9*time.Hour))
	j.bookAt(t, today.Add(-time.Hour), kim, "remedial_followup_60", today.Add(11*time.Hour))

	b := newBrowser(t, j.url)
	b.signIn(j.ther.Email)
	b.wantText("Alex Chen")
	b.clickText("Alex Chen") // the first client of the day
	b.wantText("Alex Chen")
	b.wantText("mechanical") // the assessment's class is on the chart

	b.submit("main a[href$='/findings/new']")
	b.do("initial visit", chromedpClick("main input[name=kind][value=initial]"))
	b.fill("#f-complaint", "Right side of the neck, three weeks, worse turning to reverse the car")
	// The body chart starts from the client's own map (the neck); clicking the right shoulder on
	// the figure ticks it in the checklist too.
	for _, c := range []struct {
		js   string
		want bool
	}{
		{`document.querySelector("main input[name=regions][value=neck]").checked`, true},
		{`document.querySelector("main input[name=regions][value=shoulder_r]").checked`, false},
	} {
		if got, err := chromedpBool(b, c.js); err != nil || got != c.want {
			b.fail("before clicking: %s = %v (%v), want %v", c.js, got, err, c.want)
		}
	}
	b.eval(`document.querySelector("main .bodymap [data-region=shoulder_r]").dispatchEvent(new MouseEvent("click", {bubbles: true}))`)
	if got, err := chromedpBool(b, `document.querySelector("main input[name=regions][value=shoulder_r]").checked`); err != nil || !got {
		b.fail("clicking the right shoulder on the body chart did not tick it (%v)", err)
	}
	b.submit("main form button.primary[type=submit]")
	b.wantText("Right side of the neck")

	b.open(chartURL(alex))
	b.submit("main a[href$='/plans/new']")
	b.wantText("Remedial")                                      // the layers and course come from the assessment's suggestion
	b.answerStep(map[string][]string{"goals.0.target": {"10"}}) // PSFS: back to what it was before
	b.submit("main form button.primary[name=start]")
	b.wantText("Active")

	b.open(chartURL(alex))
	b.clickText("Write note")
	b.answerStep(map[string][]string{"subjective": {"Neck easier since Tuesday, still tight reversing"},
		"objective": {"Taut band upper trapezius right; rotation right 60 degrees"}, "response": {"Tenderness reduced after release"},
		"progress": {"On track for the goal"}, "next_focus": {"Levator scapulae"}, "pain_today": {"4"}})
	b.eval("window.confirm = () => true")
	b.submit("main form button.primary[formaction$='/sign']")
	b.wantText("Signed")
	b.fill("#f-addendum", "Client phoned: mild soreness next day, settled.")
	b.submit("main form button.primary")
	b.wantText("mild soreness next day")
	if strings.Contains(b.text(), "Edit the draft") {
		b.fail("a signed note offers editing")
	}

	// The therapist's reports cover their own caseload: the session of today is on them.
	b.open("/reports/outcomes")
	b.wantText("Did the courses work?")
	for _, r := range []struct{ link, want string }{
		{"Utilisation", "Sam Okafor"},
		{"Clients and courses", "All clients seen"},
		{"No-shows and late cancellations", "All sessions"},
	} {
		b.clickText(r.link)
		b.wantText(r.want)
	}
}

func chartURL(clientID int64) string { return "/clients/" + itoa(int(clientID)) + "/chart" }
