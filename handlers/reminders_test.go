package handlers_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-ical"

	"allium/clinic"
	"allium/internal/testclinic"
	"allium/internal/testkit"
	"allium/store"
)

var feedURL = regexp.MustCompile(`value="(http[^"]+/ical/[^"]+\.ics)"`)

// TestCalendarFeedFromTheAccountPage: a therapist makes a feed address, a calendar app reads
// their appointments from it without signing in, and turning it off makes it 404.
func TestCalendarFeedFromTheAccountPage(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	p := ta.seedPeople(t)
	ctx := context.Background()
	svc := testclinic.MustService(t, ta.Store, store.Service{Service: clinic.Service{Key: "rm60",
		Name: "Remedial massage", Duration: time.Hour}})
	syd := testkit.Sydney()
	testclinic.MustCalendar(t, ta.Store, p.Therapist.ID, testkit.EveryDay(9, 17), syd, svc)
	cid, _ := ta.Store.ClientIDForUser(ctx, p.Client.ID)
	start := time.Date(2026, 3, 12, 10, 0, 0, 0, syd)
	if _, err := ta.Store.BookCourse(ctx, store.System, store.BookingRequest{ClientID: cid, ServiceID: svc,
		TherapistID: p.Therapist.ID, Starts: []time.Time{start}}); err != nil {
		t.Fatal(err)
	}

	tc := ta.client(t)
	tc.signIn(p.Therapist.Email, testPassword)
	page := tc.get("/account/calendar")
	page.wantStatus(http.StatusOK)
	if !strings.Contains(page.text(), "You have no calendar address yet") {
		t.Errorf("calendar page before a feed: %s", page.text())
	}
	made := tc.postForm("/account/ical", "/account/calendar", nil)
	made.wantStatus(http.StatusOK)
	m := feedURL.FindStringSubmatch(made.Body)
	if m == nil || made.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("no feed address shown once (Cache-Control %q): %s", made.Header.Get("Cache-Control"), made.text())
	}
	if again := tc.get("/account/calendar"); feedURL.MatchString(again.Body) {
		t.Error("the feed address is shown again on a later visit; it should be shown once")
	}
	path := strings.TrimPrefix(m[1], ta.URL)

	calApp := ta.client(t) // no cookies: a calendar app
	r := calApp.get(path)
	r.wantStatus(http.StatusOK)
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/calendar") {
		t.Errorf("Content-Type = %q; want text/calendar", ct)
	}
	cal, err := ical.NewDecoder(strings.NewReader(r.Body)).Decode()
	if err != nil {
		t.Fatalf("feed does not parse: %v\n%s", err, r.Body)
	}
	evs := cal.Events()
	if len(evs) != 1 {
		t.Fatalf("feed has %d events; want the one appointment", len(evs))
	}
	got, err := evs[0].DateTimeStart(syd)
	if err != nil || !got.Equal(start) {
		t.Errorf("event starts %v (%v); want %v", got, err, start)
	}
	if s := evs[0].Props.Get(ical.PropSummary); s == nil || s.Value != "Alex C. · Remedial massage" {
		t.Errorf("SUMMARY = %v; want the client's first name and initial with the service", s)
	}

	tc.postForm("/account/ical/revoke", "/account/calendar", nil).wantRedirect("/account/calendar")
	calApp.get(path).wantStatus(http.StatusNotFound)
	calApp.get("/ical/not-a-token.ics").wantStatus(http.StatusNotFound)
}

func TestDayListChoiceOnTheCalendarPage(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	p := ta.seedPeople(t)
	tc := ta.client(t)
	tc.signIn(p.Therapist.Email, testPassword)
	tc.postForm("/account/daylist", "/account/calendar", url.Values{"on": {"1"}}).wantRedirect("/account/calendar")
	if got := tc.get("/account/calendar").text(); !strings.Contains(got, "You get the list now") {
		t.Errorf("after turning the list on the page says: %s", got)
	}
	on, err := ta.Store.DayListWanted(context.Background(), store.Actor{UserID: p.Therapist.ID})
	if err != nil || !on {
		t.Errorf("DayListWanted = %v, %v; want true", on, err)
	}
}

// TestOneClickUnsubscribe: the GET only asks; a mail program's one-click POST, with no cookie
// and no CSRF token, stops the suggestions.
func TestOneClickUnsubscribe(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	p := ta.seedPeople(t)
	ctx := context.Background()
	cid, _ := ta.Store.ClientIDForUser(ctx, p.Client.ID)
	path := ta.Store.UnsubscribePath(cid)
	optedOut := func() bool {
		_, _, out, err := ta.Store.UnsubscribeTarget(ctx, strings.TrimPrefix(path, "/unsubscribe/"))
		if err != nil {
			t.Fatal(err)
		}
		return out
	}

	browser := ta.client(t)
	r := browser.get(path)
	r.wantStatus(http.StatusOK)
	if !strings.Contains(r.text(), "Alex (al…@example.com)") || !strings.Contains(r.text(), "reminders of sessions you book still come") {
		t.Errorf("confirm page: %s", r.text())
	}
	if optedOut() {
		t.Fatal("opening the link opted the client out; only the POST may")
	}
	mailer := ta.client(t)
	r = mailer.post(path, url.Values{"List-Unsubscribe": {"One-Click"}})
	r.wantStatus(http.StatusOK)
	if !optedOut() {
		t.Error("the one-click POST did not opt the client out")
	}
	mailer.post(path+"x", url.Values{"List-Unsubscribe": {"One-Click"}}).wantStatus(http.StatusNotFound)
}
