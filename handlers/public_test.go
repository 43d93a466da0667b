package handlers_test

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"allium/clinic"
)

// setUpFrontPage gives the booking clinic what its front page shows: an address, terms, a
// price and a therapist's bio.
func setUpFrontPage(t *testing.T, ta *testApp, bc bookingClinic) {
	t.Helper()
	ctx := context.Background()
	owner := ta.client(t)
	owner.signIn(bc.Owner.Email, testPassword)
	v := validSettings(ta.App.Settings())
	v.Set("address", "12 Wattle Lane, Newtown NSW 2042")
	v.Set("cancel_window", "48")
	v.Set("cancel_terms", "A late cancellation costs half the fee.")
	owner.postForm("/admin/settings", "/admin/settings", v).wantRedirect("/admin/settings")
	sv, err := ta.Store.ServiceForOwner(ctx, ownerActor, bc.Course)
	if err != nil {
		t.Fatal(err)
	}
	sp := clinic.ServiceSpec{Name: "Remedial 60", Description: "Assessment and treatment.", Duration: sv.Duration,
		Buffer: sv.BufferAfter, PriceCents: 9550, NeedsRoom: true, Kind: clinic.KindCourse, CourseSessions: 4, SpacingDays: 7, Active: true}
	if _, _, err := ta.Store.SaveService(ctx, ownerActor, bc.Course, sp); err != nil {
		t.Fatal(err)
	}
	p, _ := ta.Store.TherapistProfileOf(ctx, ownerActor, bc.Therapist.ID)
	p.Bio = "Sports injuries and desk necks."
	if err := ta.Store.SaveTherapistProfile(ctx, ownerActor, p); err != nil {
		t.Fatal(err)
	}
}

func TestFrontPageShowsWhatAClientWantsToKnow(t *testing.T) {
	ta, bc := newBookingApp(t)
	setUpFrontPage(t, ta, bc)
	page := ta.client(t).get("/").text()
	for _, want := range []string{"Remedial 60", "60 minutes · $95.50", "Sports injuries and desk necks.", "Monday 09:00-17:00",
		"12 Wattle Lane, Newtown NSW 2042", "Open in a map", clinicPhone, "free movement assessment",
		"up to 2 days before a session", "A late cancellation costs half the fee."} {
		if !strings.Contains(page, want) {
			t.Errorf("the front page lacks %q", want)
		}
	}
}

// The price and the clinic's policy are on the page where a visitor confirms, and the
// appointment page has the address, the policy, a calendar file and the course's sessions.
func TestBookingShowsPriceAndPolicyAndTheAppointmentItsCourse(t *testing.T) {
	ta, bc := newBookingApp(t)
	setUpFrontPage(t, ta, bc)
	tid := bc.Therapist.ID
	first := bc.local(2026, 3, 16, 10, 0)
	page := ta.client(t).get(fmt.Sprintf("/book/course?service=%d&therapist=%d&sessions=4&spacing=7&slot=%s", bc.Course, tid,
		url.QueryEscape(slotValue(tid, first)))).text()
	for _, want := range []string{"60 minutes, $95.50 a session, $382.00 for 4 sessions", "up to 2 days before a session",
		"A late cancellation costs half the fee."} {
		if !strings.Contains(page, want) {
			t.Errorf("the confirm page lacks %q", want)
		}
	}

	cid := ta.clientID(t, bc.Client)
	b := ta.book(t, cid, bc.Course, tid, first, first.AddDate(0, 0, 7))
	tc := ta.client(t)
	tc.signIn(bc.Client.Email, testPassword)
	path := "/my/appointments/" + strconv.FormatInt(b.Appointments[0].ID, 10)
	page = tc.get(path).text()
	for _, want := range []string{"12 Wattle Lane", "up to 2 days before a session", "Add to my calendar", "Your course",
		"Mon 23 Mar 2026, 10:00"} {
		if !strings.Contains(page, want) {
			t.Errorf("the appointment page lacks %q", want)
		}
	}
	ics := tc.get(path + "/calendar.ics")
	ics.wantStatus(200)
	if !strings.Contains(ics.Header.Get("Content-Type"), "text/calendar") || !strings.Contains(ics.Body, "BEGIN:VEVENT") ||
		!strings.Contains(ics.Body, "Wattle Lane") {
		t.Errorf("calendar file: %s\n%s", ics.Header.Get("Content-Type"), ics.Body)
	}
}
