package handlers

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"allium/assets"
	"allium/clinic"
	"allium/internal/testclinic"
	"allium/internal/testkit"
	"allium/mail"
	"allium/store"
	"allium/views"

	"github.com/chromedp/chromedp"
)

// journeyClinic is a running app with a bookable clinic: one therapist working 08:00-18:00
// every day, two rooms, the remedial services, and an owner.
type journeyClinic struct {
	st    *store.Store
	views *views.Views
	url   string
	owner store.User
	ther  store.User
	desk  store.User
}

const journeyPassword = "journey password 1"

// todayAt sets the clinic's clock (the store's, which the pages read) to hour:min of today in
// the clinic's zone, running on from there, and returns today's midnight there. A journey that
// books today's sessions and then completes one, or signs its note, needs the session begun:
// run on the real clock at 00:30 in Sydney (13:30 UTC), 9:00 today was still ahead and those
// journeys failed by the hour they ran. Called before the journey books anything.
func (j *journeyClinic) todayAt(hour, min int) time.Time {
	loc, _ := time.LoadLocation("Australia/Sydney")
	now := time.Now().In(loc)
	shift := time.Date(now.Year(), now.Month(), now.Day(), hour, min, 0, 0, loc).Sub(now)
	j.st.Now = func() time.Time { return time.Now().Add(shift) }
	return time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, loc)
}

func newJourneyClinic(t *testing.T) *journeyClinic {
	t.Helper()
	ctx := context.Background()
	st := testclinic.Open(t, testclinic.FreshDB(t)) // on the real clock, as the app is
	set := clinic.DefaultSettings()
	set.Name, set.Phone, set.Email, set.Address = "Wattle Lane Remedial", "02 9555 0100", "desk@wattle.test", "1 Wattle Lane"
	if err := st.SaveSettings(ctx, store.System, set); err != nil {
		t.Fatal(err)
	}
	j := &journeyClinic{st: st}
	mk := func(role clinic.Role, email, name string) store.User {
		return testclinic.MustCreateUser(t, st, store.NewUser{Role: role, Email: email, Name: name, Password: journeyPassword})
	}
	j.owner = mk(clinic.RoleOwner, "owner@wattle.test", "Mei Lin")
	j.ther = mk(clinic.RoleTherapist, "sam@wattle.test", "Sam Okafor")
	j.desk = mk(clinic.RoleReception, "jo@wattle.test", "Jo Baker")
	var ids []int64
	for i, sv := range []store.Service{
		{Service: clinic.Service{Key: "remedial_initial_75", Name: "Remedial: first assessment", Duration: 75 * time.Minute, BufferAfter: 15 * time.Minute, NeedsRoom: true}, CourseSessions: 1},
		{Service: clinic.Service{Key: "remedial_followup_60", Name: "Remedial course session", Duration: time.Hour, BufferAfter: 15 * time.Minute, NeedsRoom: true}, CourseSessions: 4},
		{Service: clinic.Service{Key: "reassessment_30", Name: "Reassessment", Duration: 30 * time.Minute, BufferAfter: 10 * time.Minute, NeedsRoom: true}, CourseSessions: 1},
	} {
		id, err := st.UpsertService(ctx, store.System, sv, i) // in this order on the booking page
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	for _, r := range []string{"Wattle room", "Banksia room"} {
		testclinic.MustRoom(t, st, r)
	}
	loc, _ := set.Location()
	testclinic.MustCalendar(t, st, j.ther.ID, testkit.EveryDay(8, 18), loc, ids...)
	var as *assets.Assets
	as, j.views = testclinic.MustViews(t)
	srv := httptest.NewUnstartedServer(nil)
	j.url = "http://" + srv.Listener.Addr().String()
	e, _, err := New(ctx, Config{Store: st, Views: j.views, Assets: as, BaseURL: j.url,
		SessionKey: []byte("journey-session-key-0123456789abcdef"), Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		// The pages read the store's clock, so a journey that sets the clinic's clock sets it for both.
		Now: func() time.Time { return st.Now() }})
	if err != nil {
		t.Fatal(err)
	}
	srv.Config.Handler = e
	srv.Start()
	t.Cleanup(srv.Close)
	return j
}

// deliver sends the queued mail into the built-in mailbox, as the server's worker would.
func (j *journeyClinic) deliver(t *testing.T) {
	t.Helper()
	w := &mail.Worker{Store: j.st, Views: j.views, Transport: mail.Mailbox{Store: j.st}, From: "Clinic <desk@wattle.test>",
		BaseURL: j.url, Wanted: j.st.StillWanted, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	if _, err := w.Drain(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// answerStep sets a step's answers in the page the way a person would leave them.
func (b *browser) answerStep(values map[string][]string) {
	b.t.Helper()
	data, _ := json.Marshal(values)
	b.eval(`(() => { const want = ` + string(data) + `;
		for (const el of document.querySelectorAll("main form [name]")) {
			const vals = want[el.name]; if (!vals) continue;
			if (el.type === "checkbox" || el.type === "radio") el.checked = vals.includes(el.value);
			else el.value = vals[0];
		} })()`)
}

// wantFirstDayOnScreen checks the booking page on a 390 x 844 phone: the strip and every
// time of the day shown are on the first screen, above the bar with Continue.
func (b *browser) wantFirstDayOnScreen() {
	b.t.Helper()
	b.do("resize to a phone", chromedp.EmulateViewport(390, 844))
	out, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](`(() => {
	  const chips = [...document.querySelectorAll("main .slot-group .slot")];
	  const bar = document.querySelector("main .book-bar");
	  if (!chips.length || !bar) return "no times or no Continue";
	  const last = chips[chips.length - 1].getBoundingClientRect().bottom;
	  const top = bar.getBoundingClientRect().top;
	  if (window.scrollY !== 0 || last > top) return chips.length + " times end at " + Math.round(last) + " px, under the bar at " + Math.round(top) + " px";
	  if (bar.getBoundingClientRect().bottom > window.innerHeight + 1) return "Continue is below the screen";
	  return "";
	})()`))
	if err != nil || out != "" {
		b.fail("the first day does not fit a 390 x 844 screen: %s %v", out, err)
	}
	b.do("resize back", chromedp.EmulateViewport(412, 915))
}

// TestJourneyClientAssessmentBookingAndReschedule: a new client takes the assessment, books the
// suggested course, reads the confirmation in their mailbox, then moves session 3 with the
// manage link from that email.
func TestJourneyClientAssessmentBookingAndReschedule(t *testing.T) {
	t.Parallel()
	j := newJourneyClinic(t)
	b := newBrowser(t, j.url)

	b.open("/")
	b.open("/assessment")
	b.submit("main form button[type=submit]")
	for i, step := range assessStepForms(assessMechanical()) {
		b.wantText("Step " + itoa(i+1) + " of 9")
		b.answerStep(step)
		b.submit("main form button.primary")
	}
	b.wantText("mechanical")
	b.submit("a.button.primary[href^='/book/times']")

	b.wantText("First visit")
	b.wantFirstDayOnScreen()
	b.do("choose the first free time", chromedpClick("main .slots label.slot"))
	b.submit("main form button.primary")

	b.wantText("Session 3")
	b.fill("#f-name", "Robin Tran")
	b.fill("#f-email", "robin.tran@example.com")
	b.fill("#f-phone", "0400 111 222")
	b.do("consent", chromedpClick("#f-consent"))
	b.submit("main form button.primary")
	b.wantText("Check your email to confirm")

	// The emailed link completes the booking.
	j.deliver(t)
	ctx := context.Background()
	box, err := j.st.Mailbox(ctx, store.Actor{Role: clinic.RoleOwner}, "robin.tran@example.com", 10)
	if err != nil || len(box) != 1 {
		t.Fatalf("mailbox for the client: %d messages, %v; want the link to confirm", len(box), err)
	}
	link := regexp.MustCompile(`/book/hold/[A-Za-z0-9_-]+`).FindString(box[0].Text)
	if link == "" {
		t.Fatalf("the email has no link to confirm:\n%s", box[0].Text)
	}
	b.open(link)
	b.submit("main form button.primary")
	b.wantText("sessions are booked")

	j.deliver(t)
	box, err = j.st.Mailbox(ctx, store.Actor{Role: clinic.RoleOwner}, "robin.tran@example.com", 10)
	if err == nil && len(box) == 2 {
		box = box[:1] // newest first: the confirmation
	}
	if err != nil || len(box) != 1 {
		rows, _ := j.st.Outbox(ctx, store.System, store.OutboxFilter{})
		for _, r := range rows {
			t.Logf("outbox: %s to %s: %s %s", r.Kind, r.To, r.Status, r.LastError)
		}
		t.Fatalf("mailbox for the client: %d messages, %v; want the one confirmation", len(box), err)
	}
	conf := box[0]
	for _, want := range []string{"Session 1 of 4", "Session 3 of 4", "Sam Okafor", "Wattle Lane Remedial"} {
		if !strings.Contains(conf.Text, want) {
			t.Errorf("confirmation lacks %q:\n%s", want, conf.Text)
		}
	}
	links := regexp.MustCompile(`(?s)Session 3 of 4.*?Change or cancel: \S+(/m/\S+)`).FindStringSubmatch(conf.Text)
	if links == nil {
		t.Fatalf("no manage link for session 3 in:\n%s", conf.Text)
	}
	b.open(links[1])
	b.wantText("session 3 of 4")
	b.submit("main a[href$='/move']")
	b.do("choose a new time", chromedpClick("main .slots label.slot"))
	b.submit("main form button.primary")
	b.wantText("Moved to")

	b.open(links[1])
	b.wantText("has since been moved")
}
