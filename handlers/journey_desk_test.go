package handlers

import (
	"context"
	"testing"
	"time"

	"allium/internal/testclinic"
	"allium/store"

	"github.com/chromedp/chromedp"
)

// client makes a client record with an account.
func (j *journeyClinic) client(t *testing.T, name, email string) int64 {
	t.Helper()
	_, id := testclinic.MustCreateClient(t, j.st, store.NewUser{Email: email, Name: name})
	return id
}

// bookAt books sessions as if it were `at` (the store's clock moved there for the booking), so
// the journey can stand on a believable past.
func (j *journeyClinic) bookAt(t *testing.T, at time.Time, clientID int64, service string, starts ...time.Time) []store.Appointment {
	t.Helper()
	ctx := context.Background()
	real := j.st.Now
	defer func() { j.st.Now = real }()
	j.st.Now = func() time.Time { return at }
	var sid int64
	svcs, _ := j.st.Services(ctx)
	for _, s := range svcs {
		if s.Key == service {
			sid = s.ID
		}
	}
	b, err := j.st.BookCourse(ctx, store.System, store.BookingRequest{ClientID: clientID, ServiceID: sid, TherapistID: j.ther.ID,
		Starts: starts, Consent: true})
	if err != nil {
		t.Fatal(err)
	}
	return b.Appointments
}

func (b *browser) signIn(email string) {
	b.t.Helper()
	b.open("/signin")
	b.fill("#f-email", email)
	b.fill("#f-password", journeyPassword)
	b.submit("main form button.primary")
}

// clickText clicks the first link in the page whose text contains s, and waits for the page.
func (b *browser) clickText(s string) {
	b.t.Helper()
	b.eval(`(() => { const a = [...document.querySelectorAll("main a")].find(a => a.textContent.includes(` + jsString(s) + `));
		if (!a) throw new Error("no link with that text"); a.click(); })()`)
	b.page()
}

// TestJourneyReceptionRunsTheDay: reception opens the day, books a walk-in, checks a client in,
// marks a no-show, opens the recall list and books a reassessment for a stalled course.
func TestJourneyReceptionRunsTheDay(t *testing.T) {
	t.Parallel()
	j := newJourneyClinic(t)
	// The desk's record follows the clock (check-in opens on the day, a no-show only after the
	// start), so the clinic's clock reads 14:00 today, after both sessions began, whenever the
	// test runs; it still moves, so sessions and sign-ins age as they do.
	today := j.todayAt(14, 0)
	kim := j.client(t, "Kim Lee", "kim@example.com")
	ari := j.client(t, "Ari Shah", "ari@example.com")
	dev := j.client(t, "Dev Patel", "dev@example.com")
	j.bookAt(t, today.Add(-time.Hour), kim, "remedial_followup_60", today.Add(9*time.Hour))
	j.bookAt(t, today.Add(-time.Hour), ari, "remedial_followup_60", today.Add(11*time.Hour))
	// Dev booked a course of four five weeks ago, came to two, cancelled the rest and has
	// booked nothing since: a stalled course.
	start := today.AddDate(0, 0, -35).Add(10 * time.Hour)
	course := j.bookAt(t, start.Add(-48*time.Hour), dev, "remedial_followup_60",
		start, start.AddDate(0, 0, 7), start.AddDate(0, 0, 14), start.AddDate(0, 0, 21))
	for i, a := range course {
		var err error
		if i < 2 {
			_, err = j.st.SetStatus(context.Background(), store.System, a.ID, "completed")
		} else {
			_, err = j.st.Cancel(context.Background(), store.System, a.ID, "away for work")
		}
		if err != nil {
			t.Fatal(err)
		}
	}

	b := newBrowser(t, j.url)
	b.signIn(j.desk.Email)
	b.wantText("Kim Lee")
	b.wantText("Ari Shah")

	// A walk-in: add the client, then book them through the same engine as online.
	b.open("/desk/clients")
	b.fill("#f-name", "Walk In Wu")
	b.fill("#f-phone", "0400 333 444")
	b.fill("#f-email", "wu@example.com")
	b.submit("main form.stack button.primary")
	b.wantText("Added Walk In Wu")
	b.submit("main .page-head a[href^='/book?client=']")
	b.do("choose the first assessment", chromedpClick("main input[name=service]"))
	b.submit("main form button.primary")
	b.do("choose a time", chromedpClick("main .slots label.slot"))
	b.submit("main form button.primary")
	b.do("consent given at the desk", chromedpClick("#f-consent"))
	b.submit("main form button.primary")
	b.wantText("booked")

	// Kim arrives: check in. Ari does not come: no-show.
	b.open("/desk")
	b.clickText("Kim Lee")
	b.submit("main form[action$='/status'] button.primary")
	b.wantText("Checked in")
	b.open("/desk")
	b.clickText("Ari Shah")
	b.eval("window.confirm = () => true")
	b.submit("main form[action$='/status'] input[value=no_show] ~ button")
	b.wantText("No-show")

	// The recall list shows Dev's stalled course; book Dev a reassessment.
	b.open("/desk/recall")
	b.wantText("Dev Patel")
	b.clickText("Dev Patel")
	b.submit("main .page-head a[href^='/book?client=']")
	b.eval(`[...document.querySelectorAll("main label.choice")].find(l => l.textContent.includes("Reassessment")).querySelector("input").click()`)
	b.submit("main form button.primary")
	b.do("choose a time", chromedpClick("main .slots label.slot"))
	b.submit("main form button.primary")
	b.do("consent", chromedpClick("#f-consent"))
	b.submit("main form button.primary")
	b.wantText("booked")
	b.wantText("Reassessment")

	// Tomorrow's board on a wide screen: an empty time in Sam's column books Kim then.
	tomorrow := today.AddDate(0, 0, 1)
	b.open("/desk?date=" + tomorrow.Format("2006-01-02"))
	b.do("widen the screen", chromedp.EmulateViewport(1280, 900))
	b.submit("main .desk-free a")
	b.wantText("Booking Sam Okafor at")
	b.eval(`[...document.querySelectorAll("main table a.button")].find(a => a.closest("tr").textContent.includes("Kim Lee")).setAttribute("data-journey", "book")`)
	b.submit("main a[data-journey=book]")
	b.eval(`[...document.querySelectorAll("main label.choice")].find(l => l.textContent.includes("Remedial course session")).querySelector("input").click()`)
	b.submit("main form button.primary")
	if ok, err := chromedpBool(b, `!!document.querySelector("main .slot input:checked")`); err != nil || !ok {
		b.fail("the times page does not open with the time chosen on the board")
	}
	b.do("back to the phone", chromedp.EmulateViewport(412, 915))
	b.submit("main form button.primary")
	b.do("consent", chromedpClick("#f-consent"))
	b.submit("main form button.primary")
	b.wantText("booked")
}

// TestJourneyHostileTextNeverRuns: a client whose name and cautions are markup is shown on the
// pages staff use all day; no script from that text ever runs in the browser.
func TestJourneyHostileTextNeverRuns(t *testing.T) {
	t.Parallel()
	j := newJourneyClinic(t)
	ctx := context.Background()
	c, err := j.st.AddClient(ctx, store.System, store.ClientDetails{Name: `<img src=x onerror="window.__pwned=1">Eve`,
		Email: "eve@example.com", Cautions: "<script>window.__pwned=1</script> \u202Eblood thinners"})
	if err != nil {
		t.Fatal(err)
	}
	loc, _ := time.LoadLocation("Australia/Sydney")
	now := time.Now().In(loc)
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, loc)
	appt := j.bookAt(t, today.Add(-time.Hour), c.ID, "remedial_followup_60", today.Add(10*time.Hour))[0]

	check := func(b *browser, path string) {
		b.t.Helper()
		b.open(path)
		if pwned, err := chromedpBool(b, `typeof window.__pwned !== "undefined"`); err != nil || pwned {
			b.fail("script from a client's text ran on %s (%v)", path, err)
		}
		b.wantText("Eve")
	}
	desk := newBrowser(t, j.url)
	desk.signIn(j.desk.Email)
	for _, p := range []string{"/desk", "/desk/clients?q=Eve", "/desk/clients/" + itoa(int(c.ID)), "/desk/appointments/" + itoa(int(appt.ID))} {
		check(desk, p)
	}
	ther := newBrowser(t, j.url)
	ther.signIn(j.ther.Email)
	for _, p := range []string{"/therapist", chartURL(c.ID)} {
		check(ther, p)
	}
}
