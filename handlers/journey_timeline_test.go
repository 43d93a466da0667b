package handlers

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"allium/clinic"
	"allium/internal/testclinic"
	"allium/internal/testkit"
	"allium/store"
)

// clinicClock is the clinic's clock for a journey that spans weeks: it runs from a fixed
// morning and jumps forward between steps. The server reads it while the test moves it, so
// the jump is an atomic offset.
type clinicClock struct {
	base, began time.Time
	offset      atomic.Int64
}

func (c *clinicClock) now() time.Time {
	return c.base.Add(time.Duration(c.offset.Load())).Add(time.Since(c.began))
}

// set moves the clock so it reads about t; it never goes back.
func (c *clinicClock) set(t time.Time) {
	if d := t.Sub(c.now()); d > 0 {
		c.offset.Add(int64(d))
	}
}

// signInAgain signs in, whether or not the session outlived the clock's last jump.
func (b *browser) signInAgain(email string) {
	b.t.Helper()
	b.open("/signin")
	if ok, err := chromedpBool(b, `!!document.querySelector("#f-email")`); err == nil && ok {
		b.fill("#f-email", email)
		b.fill("#f-password", journeyPassword)
		b.submit("main form button.primary")
	}
}

// TestJourneyTimeline follows one client from the online assessment through the suggested
// course, its sessions with signed notes and goal scores, the plan coming due for
// reassessment, the reassessment's maintenance decision, and the maintenance visit booked
// from reception's recall list. The clinic's clock starts tomorrow morning, whatever the
// hour the test runs, and moves to each session as it begins.
func TestJourneyTimeline(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	j := newJourneyClinic(t)
	loc, _ := time.LoadLocation("Australia/Sydney")
	wall := time.Now().In(loc)
	clock := &clinicClock{base: time.Date(wall.Year(), wall.Month(), wall.Day()+1, 7, 0, 0, 0, loc), began: time.Now()}
	j.st.Now = clock.now

	// A maintenance visit, offered by the therapist with the rest.
	if _, err := j.st.UpsertService(ctx, store.System, store.Service{Service: clinic.Service{Key: "remedial_maintenance_60",
		Name: "Remedial maintenance", Duration: time.Hour, BufferAfter: 15 * time.Minute, NeedsRoom: true}, CourseSessions: 1}, 3); err != nil {
		t.Fatal(err)
	}
	svcs, err := j.st.Services(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for _, s := range svcs {
		ids = append(ids, s.ID)
	}
	testclinic.MustCalendar(t, j.st, j.ther.ID, testkit.EveryDay(8, 18), loc, ids...)
	user, client := testclinic.MustCreateClient(t, j.st, store.NewUser{Email: "robin@example.com", Name: "Robin Tran",
		Password: journeyPassword})

	// The client, signed in, takes the assessment and books the course it suggests.
	b := newBrowser(t, j.url)
	b.signIn(user.Email)
	b.open("/assessment")
	b.submit("main form button[type=submit]")
	for i, step := range assessStepForms(assessMechanical()) {
		b.wantText("Step " + itoa(i+1) + " of 9")
		b.answerStep(step)
		b.submit("main form button.primary")
	}
	b.wantText("mechanical")
	b.wantText("Book this course")
	b.submit("a.button.primary[href^='/book/times']")
	b.wantText("first visit")
	b.do("choose the first free time", chromedpClick("main .slots label.slot"))
	b.submit("main form button.primary")
	b.wantText("Session 3")
	b.do("consent", chromedpClick("#f-consent"))
	b.submit("main form button.primary")

	owner := store.Actor{UserID: j.owner.ID, Role: clinic.RoleOwner}
	appts, err := j.st.ClientAppointments(ctx, owner, client, time.Time{})
	if err != nil || len(appts) != 4 {
		t.Fatalf("the course booked %d sessions (%v); want the first visit and three more", len(appts), err)
	}
	if appts[0].ServiceName != "Remedial: first assessment" || appts[0].CourseID == 0 {
		t.Fatalf("the first session is %q in course %d; want the first assessment, in the course", appts[0].ServiceName, appts[0].CourseID)
	}

	ther := func() *browser {
		tb := newBrowser(t, j.url)
		tb.signInAgain(j.ther.Email)
		return tb
	}
	complete := func(a store.Appointment) {
		t.Helper()
		d := newBrowser(t, j.url)
		d.signInAgain(j.desk.Email)
		d.open("/desk/appointments/" + itoa(int(a.ID)))
		d.submit("main form[action$='/status'] input[value=completed] ~ button")
		d.wantText("Completed")
	}
	note := func(tb *browser, score string) {
		t.Helper()
		tb.open(chartURL(client))
		tb.clickText("Write note") // today's session comes first
		tb.answerStep(map[string][]string{"subjective": {"Neck easier, still tight reversing the car"},
			"objective": {"Rotation right 70 degrees"}, "response": {"Tenderness reduced after release"},
			"progress": {"On track for the goal"}, "next_focus": {"Levator scapulae"}, "pain_today": {"3"}})
		n, err := chromedpBool(tb, `(() => { const s = [...document.querySelectorAll("main input[name^='score.']")];
			s.forEach(i => i.value = `+jsString(score)+`); return s.length > 0; })()`)
		if err != nil || !n {
			tb.fail("the note of a planned session asks for no goal score (%v)", err)
		}
		tb.eval("window.confirm = () => true")
		tb.submit("main form button.primary[formaction$='/sign']")
		tb.wantText("Signed")
	}

	// Session 1, the first visit: the therapist starts the plan from the assessment, links the
	// course the client booked, and signs the first note.
	clock.set(appts[0].Start.Add(10 * time.Minute))
	tb := ther()
	tb.open(chartURL(client))
	tb.wantText("mechanical")
	tb.submit("main a[href$='/plans/new']")
	tb.answerStep(map[string][]string{"goals.0.target": {"10"}, "planned_sessions": {"4"}})
	tb.submit("main form button.primary[name=start]")
	tb.wantText("Active")
	tb.submit("main form[action$='/course'] button")
	tb.wantText("Course linked to the plan")
	note(tb, "5")
	complete(appts[0])

	// Sessions 2 to 4, each on its day once it has begun.
	for i, a := range appts[1:] {
		clock.set(a.Start.Add(10 * time.Minute))
		note(ther(), itoa(6+i))
		complete(a)
	}

	// The last session held, the plan is due for reassessment; the therapist reassesses and
	// decides on monthly maintenance.
	tb = ther()
	tb.open(chartURL(client))
	tb.wantText("Reassessment due")
	tb.clickText("Plan from")
	tb.wantText("Reassessment due")
	tb.wantText("4 of 4")
	tb.submit("main a.button.primary[href$='/reassess']")
	tb.answerStep(map[string][]string{"decision": {string(clinic.DecisionMaintenance)}, "maintenance_days": {"28"},
		"rationale": {"Goal nearly met; monthly maintenance to hold it"}})
	tb.submit("main form button.primary")
	tb.wantText("Book the maintenance visit")

	// A month on, the maintenance visit is due: reception books it from the recall list.
	clock.set(appts[3].Start.AddDate(0, 0, 30))
	d := newBrowser(t, j.url)
	d.signInAgain(j.desk.Email)
	d.open("/desk/recall")
	d.wantText("Robin Tran")
	d.wantText("Maintenance due")
	d.submit("main a.button.primary[href^='/book?client=" + itoa(int(client)) + "']")
	d.eval(`[...document.querySelectorAll("main label.choice")].find(l => l.textContent.includes("Remedial maintenance")).querySelector("input").click()`)
	d.submit("main form button.primary")
	d.do("choose a time", chromedpClick("main .slots label.slot"))
	d.submit("main form button.primary")
	d.do("consent given at the desk", chromedpClick("#f-consent"))
	d.submit("main form button.primary")
	d.wantText("booked")
	d.wantText("Remedial maintenance")
	d.open("/desk/recall")
	if text := d.text(); strings.Contains(text, "Robin Tran") {
		d.fail("Robin is still on the recall list with the maintenance visit booked")
	}
}
