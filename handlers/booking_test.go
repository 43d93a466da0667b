package handlers_test

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"allium/clinic"
	"allium/handlers"
	"allium/internal/testclinic"
	"allium/internal/testkit"
	"allium/store"
)

const clinicPhone = "02 9555 0100"

// bookingClinic is a clinic ready to take bookings: Sam (seedPeople's therapist) works
// 09:00-17:00 every day and offers a four-session remedial course of 60 minutes plus 15 for
// notes, in the one room; a reassessment exists that Sam does not offer.
type bookingClinic struct {
	people
	Course, Other int64 // service ids
	Room          int64
	Loc           *time.Location
}

// newBookingApp starts the app on a clinic with a phone number and the calendar above.
func newBookingApp(t *testing.T) (*testApp, bookingClinic) {
	t.Helper()
	ctx := context.Background()
	ta := newTestApp(t, func(c *handlers.Config) {
		set := clinic.DefaultSettings()
		set.Phone = clinicPhone
		if err := c.Store.SaveSettings(ctx, store.System, set); err != nil {
			t.Fatal(err)
		}
	})
	loc, err := time.LoadLocation("Australia/Sydney")
	if err != nil {
		t.Fatal(err)
	}
	bc := bookingClinic{people: ta.seedPeople(t), Loc: loc}
	bc.Course = ta.mustService(t, "remedial_60", 60, 15, 4)
	bc.Other = ta.mustService(t, "reassessment_30", 30, 10, 1)
	bc.Room = testclinic.MustRoom(t, ta.Store, "Wattle room")
	ta.mustTherapistCalendar(t, bc.Therapist.ID, testkit.EveryDay(9, 17), bc.Course)
	return ta, bc
}

func (ta *testApp) mustService(t *testing.T, key string, minutes, buffer, sessions int) int64 {
	t.Helper()
	return testclinic.MustService(t, ta.Store, store.Service{Service: clinic.Service{Key: key,
		Name: strings.ReplaceAll(key, "_", " "), Duration: time.Duration(minutes) * time.Minute,
		BufferAfter: time.Duration(buffer) * time.Minute, NeedsRoom: true}, CourseSessions: sessions})
}

func (ta *testApp) mustTherapistCalendar(t *testing.T, therapistID int64, h clinic.WeeklyHours, services ...int64) {
	t.Helper()
	testclinic.MustCalendar(t, ta.Store, therapistID, h, ta.App.Loc(), services...)
}

// local is a wall-clock time in the clinic's zone (one that happens exactly once).
func (bc bookingClinic) local(y int, m time.Month, d, hh, mm int) time.Time {
	return time.Date(y, m, d, hh, mm, 0, 0, bc.Loc)
}

// slotValue is a start as the booking pages send it: therapist@instant in UTC.
func slotValue(therapistID int64, at time.Time) string {
	return strconv.FormatInt(therapistID, 10) + "@" + at.UTC().Format(time.RFC3339)
}

// book books sessions for a client directly through the store, as reception would.
func (ta *testApp) book(t *testing.T, clientID, serviceID, therapistID int64, starts ...time.Time) store.Booked {
	t.Helper()
	return testclinic.MustBook(t, ta.Store, store.BookingRequest{ClientID: clientID,
		ServiceID: serviceID, TherapistID: therapistID, Starts: starts, Consent: true, Reminders: true})
}

func (ta *testApp) clientID(t *testing.T, u store.User) int64 {
	t.Helper()
	return testclinic.MustClientID(t, ta.Store, u)
}

func (ta *testApp) appointment(t *testing.T, id int64) store.Appointment {
	t.Helper()
	a, err := ta.Store.AppointmentByID(context.Background(), ownerActor, id)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func (ta *testApp) countAppointments(t *testing.T) int {
	t.Helper()
	n, err := ta.Store.CountAppointments(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// mails returns the queued or sent emails of a kind to an address, newest first.
func (ta *testApp) mails(t *testing.T, kind, to string) []store.OutboxRow {
	t.Helper()
	rows, err := ta.Store.Outbox(context.Background(), ownerActor, store.OutboxFilter{Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	var out []store.OutboxRow
	for _, r := range rows {
		if r.Kind == kind && strings.EqualFold(r.To, to) {
			out = append(out, r)
		}
	}
	return out
}

func apptMail(t *testing.T, r store.OutboxRow) store.ApptMail {
	t.Helper()
	var p store.ApptMail
	if err := json.Unmarshal(r.Payload, &p); err != nil {
		t.Fatalf("%s payload: %v", r.Kind, err)
	}
	return p
}

// managePath is the manage link of the newest confirmation to this address.
func (ta *testApp) managePath(t *testing.T, to string) string {
	t.Helper()
	rows := ta.mails(t, "confirmation", to)
	if len(rows) == 0 {
		t.Fatalf("no confirmation to %s", to)
	}
	p := apptMail(t, rows[0])
	if len(p.Sessions) == 0 || !strings.HasPrefix(p.Sessions[0].ManagePath, "/m/") {
		t.Fatalf("confirmation to %s has no manage link: %+v", to, p)
	}
	return p.Sessions[0].ManagePath
}

var (
	slotRadio   = regexp.MustCompile(`<input type="radio" name="slot" value="([^"]+)"`)
	hiddenStart = regexp.MustCompile(`<input type="hidden" name="start_(\d+)" value="([^"]+)">`)
	chosenStart = regexp.MustCompile(`<input type="radio" name="start_(\d+)" value="([^"]+)" data-when="[^"]*" checked`)
	startRadio  = regexp.MustCompile(`<input type="radio" name="start_(\d+)" value="`)
)

// offeredSlots are the times a times or move page offers.
func offeredSlots(body string) []string {
	var out []string
	for _, m := range slotRadio.FindAllStringSubmatch(body, -1) {
		out = append(out, html.UnescapeString(m[1]))
	}
	return out
}

// proposedStarts are the session times a course page has chosen, by session number.
func proposedStarts(body string) map[string]string {
	out := map[string]string{}
	for _, re := range []*regexp.Regexp{hiddenStart, chosenStart} {
		for _, m := range re.FindAllStringSubmatch(body, -1) {
			out["start_"+m[1]] = html.UnescapeString(m[2])
		}
	}
	return out
}

// optionCount is how many alternative times the course page offers for a session.
func optionCount(body string, session int) int {
	n := 0
	for _, m := range startRadio.FindAllStringSubmatch(body, -1) {
		if m[1] == strconv.Itoa(session) {
			n++
		}
	}
	return n
}

func TestVisitorBooksACourseEndToEnd(t *testing.T) {
	t.Parallel()
	ta, bc := newBookingApp(t)
	tc := ta.client(t)
	first := bc.local(2026, 3, 16, 10, 0)
	tid := bc.Therapist.ID

	r := tc.get(fmt.Sprintf("/book/times?service=%d&therapist=%d&date=2026-03-16&sessions=4", bc.Course, tid))
	r.wantStatus(http.StatusOK)
	if got, want := offeredSlots(r.Body), slotValue(tid, first); !containsString(got, want) {
		t.Fatalf("times page offers %d times, not %s", len(got), want)
	}

	coursePath := fmt.Sprintf("/book/course?service=%d&therapist=%d&sessions=4&spacing=7&slot=%s", bc.Course, tid,
		url.QueryEscape(slotValue(tid, first)))
	r = tc.get(coursePath)
	r.wantStatus(http.StatusOK)
	starts := proposedStarts(r.Body)
	// Weekly at 10:00, across the end of daylight saving on 5 April: still 10:00 on the wall.
	for i, want := range []time.Time{first, bc.local(2026, 3, 23, 10, 0), bc.local(2026, 3, 30, 10, 0), bc.local(2026, 4, 6, 10, 0)} {
		name := fmt.Sprintf("start_%d", i+1)
		if got := starts[name]; got != slotValue(tid, want) {
			t.Errorf("proposed %s = %q; want %q", name, got, slotValue(tid, want))
		}
	}

	form := url.Values{"service": {strconv.FormatInt(bc.Course, 10)}, "spacing": {"7"}, "name": {"Riley Park"},
		"email": {"riley.park@example.com"}, "phone": {"0400 111 222"}, "consent": {"1"}, "reminders": {"1"}}
	for k, v := range starts {
		form.Set(k, v)
	}
	r = tc.postForm("/book/confirm", coursePath, form)
	r.wantRedirect("/book/sent")
	if got := ta.countAppointments(t); got != 0 {
		t.Fatalf("appointments before the emailed link is followed = %d; want none, only held", got)
	}
	// The link works in any browser: here, the phone's mail app opens it.
	tc = ta.client(t)
	tc.followHold(ta, "riley.park@example.com").wantRedirect("/my")

	u, err := ta.Store.UserByEmail(context.Background(), "riley.park@example.com")
	if err != nil || u.Role != clinic.RoleClient {
		t.Fatalf("account for the visitor: %+v, %v; want a client", u, err)
	}
	r = tc.get("/my")
	r.wantStatus(http.StatusOK)
	page := r.text()
	for _, want := range []string{"All 4 sessions are booked.", "riley.park@example.com", "Mon 16 Mar, 10:00", "Mon 6 Apr, 10:00",
		"session 1 of 4", "session 4 of 4"} {
		if !strings.Contains(page, want) {
			t.Errorf("/my after booking lacks %q:\n%s", want, page)
		}
	}
	if got := ta.countAppointments(t); got != 4 {
		t.Errorf("appointments = %d; want 4", got)
	}

	confirmations := ta.mails(t, "confirmation", u.Email)
	if len(confirmations) != 1 {
		t.Fatalf("confirmations to the visitor = %d; want 1", len(confirmations))
	}
	p := apptMail(t, confirmations[0])
	if len(p.Sessions) != 4 {
		t.Fatalf("confirmation lists %d sessions; want 4", len(p.Sessions))
	}
	for i, s := range p.Sessions {
		if s.Index != i+1 || s.Size != 4 || !strings.HasPrefix(s.ManagePath, "/m/") {
			t.Errorf("confirmation session %d = %+v; want session %d of 4 with a manage link", i+1, s, i+1)
		}
	}
	reminders := map[int64]int{}
	for _, r := range ta.mails(t, "reminder", u.Email) {
		reminders[r.RefID]++
	}
	if len(reminders) != 4 {
		t.Errorf("reminders queued for %d sessions; want all 4: %v", len(reminders), reminders)
	}
	for id, n := range reminders {
		if want := len(clinic.DefaultSettings().ReminderLeads); n != want {
			t.Errorf("appointment %d has %d reminders; want %d", id, n, want)
		}
	}
}

// followHold opens the newest booking link emailed to an address and presses its button.
func (tc *testClient) followHold(ta *testApp, email string) *resp {
	tc.t.Helper()
	path := "/book/hold/" + ta.lastToken(tc.t, "booking_hold", email)
	tc.get(path).wantStatus(http.StatusOK)
	return tc.postForm(path, path, url.Values{})
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// attempt is one answer in a race, read without failing the test from a goroutine.
type attempt struct {
	status   int
	location string
	body     string
	err      error
}

func (tc *testClient) tryPost(path string, values url.Values) attempt {
	req, err := http.NewRequest(http.MethodPost, tc.ta.URL+path, strings.NewReader(values.Encode()))
	if err != nil {
		return attempt{err: err}
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r, err := tc.hc.Do(req)
	if err != nil {
		return attempt{err: err}
	}
	defer r.Body.Close()
	b, err := io.ReadAll(r.Body)
	return attempt{status: r.StatusCode, location: r.Header.Get("Location"), body: string(b), err: err}
}

func TestFiftyClientsRaceForTheLastFreeTime(t *testing.T) {
	t.Parallel()
	ta, bc := newBookingApp(t)
	// Lee works one short shift a week: a single bookable time, Thursday 12 March at 10:00.
	lee := ta.mustUser(t, clinic.RoleTherapist, "lee@clinic.test", "Lee Ho", "")
	var h clinic.WeeklyHours
	h[time.Thursday] = []clinic.Shift{{Start: clinic.Clock(10, 0), End: clinic.Clock(11, 15)}}
	ta.mustTherapistCalendar(t, lee.ID, h, bc.Course)
	last := slotValue(lee.ID, bc.local(2026, 3, 12, 10, 0))
	coursePath := fmt.Sprintf("/book/course?service=%d&therapist=%d&sessions=1&slot=%s", bc.Course, lee.ID, url.QueryEscape(last))

	const n = 50
	clients := make([]*testClient, n)
	forms := make([]url.Values, n)
	for i := range clients {
		email := fmt.Sprintf("racer%02d@example.com", i)
		ta.mustUser(t, clinic.RoleClient, email, fmt.Sprintf("Racer %02d", i), testPassword)
		clients[i] = ta.client(t)
		clients[i].signIn(email, testPassword)
		forms[i] = url.Values{"csrf": {clients[i].csrf(coursePath)}, "service": {strconv.FormatInt(bc.Course, 10)},
			"start_1": {last}, "consent": {"1"}}
	}

	answers := make([]attempt, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range clients {
		wg.Go(func() {
			<-start
			answers[i] = clients[i].tryPost("/book/confirm", forms[i])
		})
	}
	close(start)
	wg.Wait()

	booked, taken := 0, 0
	for i, a := range answers {
		switch {
		case a.err != nil:
			t.Errorf("client %d: %v", i, a.err)
		case a.status == http.StatusSeeOther && a.location == "/my":
			booked++
		case a.status == http.StatusConflict && strings.Contains(a.body, "just taken"):
			taken++
		default:
			t.Errorf("client %d: %d to %q; want 303 to /my or 409 saying \"just taken\"\n%s", i, a.status, a.location, a.body)
		}
	}
	if booked != 1 || taken != n-1 {
		t.Errorf("%d booked, %d told it was just taken; want 1 and %d", booked, taken, n-1)
	}
	if got := ta.countAppointments(t); got != 1 {
		t.Errorf("appointments = %d; want 1", got)
	}
	if strings.Contains(ta.logs(), "request failed") {
		t.Errorf("a request failed with a server error:\n%s", ta.logs())
	}
}

func TestCourseCollidingWithATakenTimeBooksNothing(t *testing.T) {
	t.Parallel()
	ta, bc := newBookingApp(t)
	tid := bc.Therapist.ID
	tc := ta.client(t)
	tc.signIn(bc.Client.Email, testPassword)
	first := bc.local(2026, 3, 16, 10, 0)
	coursePath := fmt.Sprintf("/book/course?service=%d&therapist=%d&sessions=4&slot=%s", bc.Course, tid, url.QueryEscape(slotValue(tid, first)))
	r := tc.get(coursePath)
	r.wantStatus(http.StatusOK)
	starts := proposedStarts(r.Body)
	if len(starts) != 4 {
		t.Fatalf("proposal has %d sessions; want 4", len(starts))
	}

	// While the client reads the proposal, reception gives session 3's time to someone else.
	other := ta.mustUser(t, clinic.RoleClient, "bree@example.com", "Bree Thompson", "")
	ta.book(t, ta.clientID(t, other), bc.Course, tid, bc.local(2026, 3, 30, 10, 0))

	form := url.Values{"service": {strconv.FormatInt(bc.Course, 10)}, "spacing": {"7"}, "consent": {"1"}}
	for k, v := range starts {
		form.Set(k, v)
	}
	r = tc.postForm("/book/confirm", coursePath, form)
	r.wantStatus(http.StatusConflict)
	if got := r.fieldError("start_3"); !strings.Contains(got, "session 3 (Mon 30 Mar, 10:00) was just taken") ||
		!strings.Contains(got, "Nothing was booked") {
		t.Errorf("message beside session 3 = %q; want it named as just taken and nothing booked", got)
	}
	for _, s := range []int{1, 2, 4} {
		if got := r.fieldError(fmt.Sprintf("start_%d", s)); got != "" {
			t.Errorf("session %d has a message %q; want none", s, got)
		}
	}
	if got := optionCount(r.Body, 3); got == 0 {
		t.Errorf("no alternative times offered for session 3")
	}
	if got := ta.countAppointments(t); got != 1 {
		t.Errorf("appointments = %d; want only the other client's 1", got)
	}
	mine, err := ta.Store.ClientAppointments(context.Background(), ownerActor, ta.clientID(t, bc.Client), time.Time{})
	if err != nil || len(mine) != 0 {
		t.Errorf("the client has %d appointments (err %v); want none", len(mine), err)
	}
	if got := ta.mails(t, "confirmation", bc.Client.Email); len(got) != 0 {
		t.Errorf("%d confirmations queued for a booking that did not happen", len(got))
	}
}

func TestCancelledAppointmentsManageLinkSaysSo(t *testing.T) {
	t.Parallel()
	ta, bc := newBookingApp(t)
	start := bc.local(2026, 3, 16, 10, 0)
	b := ta.book(t, ta.clientID(t, bc.Client), bc.Course, bc.Therapist.ID, start)
	link := ta.managePath(t, bc.Client.Email)

	tc := ta.client(t) // the link works without signing in
	r := tc.get(link)
	r.wantStatus(http.StatusOK)
	if !strings.Contains(r.text(), "Cancel appointment") {
		t.Fatalf("manage page offers no cancel:\n%s", r.text())
	}
	r = tc.postForm(link+"/cancel", link, url.Values{"reason": {"Cancelled by the client online"}})
	r.wantRedirect(link)
	if got := ta.appointment(t, b.Appointments[0].ID).Status; got != "cancelled" {
		t.Fatalf("status after cancel = %q; want cancelled", got)
	}

	for _, tc := range []*testClient{tc, ta.client(t)} { // the same browser later, and a fresh one
		r = tc.get(link)
		r.wantStatus(http.StatusOK)
		page := r.text()
		if !strings.Contains(page, "This appointment was cancelled") {
			t.Errorf("cancelled appointment's link says:\n%s", page)
		}
		for _, gone := range []string{"Cancel appointment", "Move to another time"} {
			if strings.Contains(page, gone) {
				t.Errorf("cancelled appointment's page still offers %q", gone)
			}
		}
	}
	ta.book(t, ta.clientID(t, bc.Client), bc.Course, bc.Therapist.ID, start) // the time is free again
}

func TestMovedAppointmentsOldManageLinkNoLongerAllowsChanges(t *testing.T) {
	t.Parallel()
	ta, bc := newBookingApp(t)
	tid := bc.Therapist.ID
	b := ta.book(t, ta.clientID(t, bc.Client), bc.Course, tid, bc.local(2026, 3, 16, 10, 0))
	id := b.Appointments[0].ID
	old := ta.managePath(t, bc.Client.Email)
	tc := ta.client(t)

	r := tc.get(old + "/move")
	r.wantStatus(http.StatusOK)
	moved := slotValue(tid, bc.local(2026, 3, 17, 14, 0))
	if !containsString(offeredSlots(r.Body), moved) {
		t.Fatalf("move page does not offer %s", moved)
	}
	r = tc.postForm(old+"/move", old+"/move", url.Values{"slot": {moved}})
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("move: %d; want 303\n%s", r.StatusCode, r.Body)
	}
	fresh := r.Header.Get("Location")
	if fresh == old || !strings.HasPrefix(fresh, "/m/") {
		t.Fatalf("after the move the browser goes to %q; want a new manage link", fresh)
	}
	if got := ta.appointment(t, id); !got.Start.Equal(bc.local(2026, 3, 17, 14, 0)) {
		t.Fatalf("appointment starts %v after the move", got.Start.In(bc.Loc))
	}

	r = tc.get(old)
	r.wantStatus(http.StatusOK)
	if page := r.text(); !strings.Contains(page, "it has since been moved") || strings.Contains(page, "Cancel appointment") {
		t.Errorf("old link after a move says:\n%s", page)
	}
	tries := []struct{ path, slot string }{
		{old + "/cancel", ""},
		{old + "/move", slotValue(tid, bc.local(2026, 3, 18, 9, 0))},
	}
	for _, try := range tries {
		r = tc.postForm(try.path, fresh, url.Values{"slot": {try.slot}, "reason": {"x"}})
		r.wantRedirect(old)
		if page := tc.get(old).text(); !strings.Contains(page, "This link is for an appointment that has since changed.") {
			t.Errorf("POST %s with the old link: the page says\n%s", try.path, page)
		}
	}
	r = tc.get(old + "/move")
	r.wantRedirect(old)
	if got := ta.appointment(t, id); got.Status != "booked" || !got.Start.Equal(bc.local(2026, 3, 17, 14, 0)) {
		t.Errorf("after using the old link: %s at %v; want booked at the moved time", got.Status, got.Start.In(bc.Loc))
	}
	r = tc.get(fresh)
	r.wantStatus(http.StatusOK)
	if !strings.Contains(r.text(), "Cancel appointment") {
		t.Errorf("the new link does not offer changes:\n%s", r.text())
	}
}

func TestClientCannotSeeOrChangeAnotherClientsBooking(t *testing.T) {
	t.Parallel()
	ta, bc := newBookingApp(t)
	other := ta.mustUser(t, clinic.RoleClient, "bree@example.com", "Bree Thompson", "")
	b := ta.book(t, ta.clientID(t, other), bc.Course, bc.Therapist.ID, bc.local(2026, 3, 16, 10, 0))
	id := b.Appointments[0].ID
	mine := ta.book(t, ta.clientID(t, bc.Client), bc.Course, bc.Therapist.ID, bc.local(2026, 3, 16, 14, 0)).Appointments[0].ID
	tc := ta.client(t)
	tc.signIn(bc.Client.Email, testPassword)
	own := fmt.Sprintf("/my/appointments/%d", mine)
	theirs := fmt.Sprintf("/my/appointments/%d", id)

	tc.get(own).wantStatus(http.StatusOK)
	tc.get(theirs).wantStatus(http.StatusNotFound)
	tc.get(theirs + "/move").wantStatus(http.StatusNotFound)
	tc.postForm(theirs+"/cancel", own, url.Values{"reason": {"x"}}).wantStatus(http.StatusNotFound)
	tc.postForm(theirs+"/move", own, url.Values{"slot": {slotValue(bc.Therapist.ID, bc.local(2026, 3, 18, 9, 0))}}).
		wantStatus(http.StatusNotFound)
	if got := ta.appointment(t, id); got.Status != "booked" || !got.Start.Equal(bc.local(2026, 3, 16, 10, 0)) {
		t.Errorf("the other client's booking is now %s at %v", got.Status, got.Start.In(bc.Loc))
	}
	if page := tc.get("/my").text(); strings.Contains(page, "Mon 16 Mar, 10:00") {
		t.Errorf("/my shows the other client's booking:\n%s", page)
	}
}

func TestBookingRejectsBadInputWithAClearMessage(t *testing.T) {
	t.Parallel()
	ta, bc := newBookingApp(t)
	tid := bc.Therapist.ID
	tc := ta.client(t)
	tc.signIn(bc.Client.Email, testPassword)
	taken := bc.local(2026, 3, 17, 10, 0)
	ta.book(t, ta.clientID(t, ta.mustUser(t, clinic.RoleClient, "bree@example.com", "Bree Thompson", "")), bc.Course, tid, taken)
	good := slotValue(tid, bc.local(2026, 3, 16, 10, 0))
	course, other := strconv.FormatInt(bc.Course, 10), strconv.FormatInt(bc.Other, 10)

	tests := []struct {
		name     string
		form     url.Values
		status   int
		field    string // where the message shows; "" for anywhere on the page
		wantText string
	}{
		{"time off the grid", url.Values{"start_1": {slotValue(tid, bc.local(2026, 3, 16, 10, 7))}},
			http.StatusUnprocessableEntity, "", "appointments start on the booking grid only"},
		{"time in the past", url.Values{"start_1": {slotValue(tid, bc.local(2026, 3, 9, 10, 0))}},
			http.StatusUnprocessableEntity, "", "that time has already passed"},
		{"within the minimum notice", url.Values{"start_1": {slotValue(tid, bc.local(2026, 3, 11, 6, 0))}},
			http.StatusUnprocessableEntity, "", "too soon to book online"},
		{"outside working hours", url.Values{"start_1": {slotValue(tid, bc.local(2026, 3, 16, 20, 0))}},
			http.StatusUnprocessableEntity, "", "does not fit in the therapist's working hours"},
		{"running past closing", url.Values{"start_1": {slotValue(tid, bc.local(2026, 3, 16, 16, 15))}},
			http.StatusUnprocessableEntity, "", "does not fit in the therapist's working hours"},
		{"beyond the booking horizon", url.Values{"start_1": {slotValue(tid, bc.local(2026, 9, 1, 10, 0))}},
			http.StatusUnprocessableEntity, "", "bookings are not open that far ahead yet"},
		{"service the therapist does not offer", url.Values{"service": {other}, "start_1": {good}},
			http.StatusUnprocessableEntity, "", "that therapist does not offer this service"},
		{"forged therapist id", url.Values{"start_1": {slotValue(99999, bc.local(2026, 3, 16, 10, 0))}},
			http.StatusUnprocessableEntity, "", "that therapist does not offer this service"},
		{"staff member who is not a therapist", url.Values{"start_1": {slotValue(bc.Reception.ID, bc.local(2026, 3, 16, 10, 0))}},
			http.StatusUnprocessableEntity, "", "that therapist does not offer this service"},
		{"forged service id", url.Values{"service": {"99999"}, "start_1": {good}},
			http.StatusUnprocessableEntity, "", "Please choose a service from the list."},
		{"service id that is not a number", url.Values{"service": {"1 OR 1=1"}, "start_1": {good}},
			http.StatusUnprocessableEntity, "", "Please choose service from the list."},
		{"garbage slot value", url.Values{"start_1": {"tomorrow at ten"}},
			http.StatusUnprocessableEntity, "", "Please choose a time for session 1 from the list."},
		{"slot value with a zero therapist", url.Values{"start_1": {"0@2026-03-15T23:00:00Z"}},
			http.StatusUnprocessableEntity, "", "Please choose a time for session 1 from the list."},
		{"no time at all", url.Values{},
			http.StatusUnprocessableEntity, "", "Please choose a time for the first session."},
		{"sessions out of order", url.Values{"start_1": {good}, "start_2": {slotValue(tid, bc.local(2026, 3, 13, 10, 0))}},
			http.StatusUnprocessableEntity, "", "Please choose a time for session 2 from the list."},
		{"sessions with two therapists", url.Values{"start_1": {good}, "start_2": {slotValue(bc.Owner.ID, bc.local(2026, 3, 23, 10, 0))}},
			http.StatusUnprocessableEntity, "", "Please choose a time for session 2 from the list."},
		{"no consent", url.Values{"start_1": {good}, "consent": {""}},
			http.StatusUnprocessableEntity, "consent", "Please agree to treatment so we can book you in."},
		{"a time already taken", url.Values{"start_1": {slotValue(tid, taken)}},
			http.StatusConflict, "start_1", "session 1 (Tue 17 Mar, 10:00) was just taken by someone else"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			form := url.Values{"service": {course}, "consent": {"1"}}
			for k, v := range tt.form {
				form[k] = v
			}
			r := tc.in(t).postForm("/book/confirm", "/my", form)
			r.wantStatus(tt.status)
			got := r.text()
			if tt.field != "" {
				got = r.fieldError(tt.field)
			}
			if !strings.Contains(got, tt.wantText) {
				t.Errorf("message = %q; want %q", got, tt.wantText)
			}
			if tt.status == http.StatusConflict && optionCount(r.Body, 1) == 0 {
				t.Errorf("no other times offered instead of the taken one")
			}
			if n := ta.countAppointments(t); n != 1 {
				t.Errorf("appointments = %d; want only the 1 made before", n)
			}
		})
	}
}

func TestBookingPagesRejectBadQueries(t *testing.T) {
	t.Parallel()
	ta, bc := newBookingApp(t)
	tc := ta.client(t)
	tid := bc.Therapist.ID
	tests := []struct {
		path, want string
	}{
		{fmt.Sprintf("/book/times?service=%d&date=next+week", bc.Course), "Please enter a date like 2026-12-08."},
		{"/book/times?service=99999", "Please choose a service from the list."},
		{fmt.Sprintf("/book/times?service=%d&therapist=%d", bc.Other, tid), "Please choose a therapist who offers this service"},
		{fmt.Sprintf("/book/times?service=%d&therapist=abc", bc.Course), "Please choose a therapist who offers this service"},
		{fmt.Sprintf("/book/times?service=%d&sessions=40", bc.Course), "Choose from 1 to 6 sessions."},
		{fmt.Sprintf("/book/times?service=%d&spacing=60", bc.Course), "Sessions can be 3 to 42 days apart."},
		{fmt.Sprintf("/book/course?service=%d&therapist=%d&slot=garbage", bc.Course, tid), "Please choose a time for the first session."},
	}
	for _, tt := range tests {
		r := tc.get(tt.path)
		if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.text(), tt.want) {
			t.Errorf("GET %s: %d; want 422 saying %q\n%s", tt.path, r.StatusCode, tt.want, r.text())
		}
	}
	// A first time that was free when listed but is not now: the course page says so.
	ta.book(t, ta.clientID(t, bc.Client), bc.Course, tid, bc.local(2026, 3, 16, 10, 0))
	r := tc.get(fmt.Sprintf("/book/course?service=%d&therapist=%d&sessions=4&slot=%s", bc.Course, tid,
		url.QueryEscape(slotValue(tid, bc.local(2026, 3, 16, 10, 0)))))
	r.wantStatus(http.StatusOK)
	if !strings.Contains(r.text(), "That first time is no longer free") {
		t.Errorf("course page for a taken first time says:\n%s", r.text())
	}
}

func TestBookingTheSkippedHourOfADaylightSavingDay(t *testing.T) {
	t.Parallel()
	ta, bc := newBookingApp(t)
	// Noor works early on Sundays, across the hour Sydney skips on 3 October 2027 (02:00-03:00).
	noor := ta.mustUser(t, clinic.RoleTherapist, "noor@clinic.test", "Noor Haddad", "")
	var h clinic.WeeklyHours
	h[time.Sunday] = []clinic.Shift{{Start: clinic.Clock(1, 0), End: clinic.Clock(6, 0)}}
	ta.mustTherapistCalendar(t, noor.ID, h, bc.Course)
	ta.Clock.Set(time.Date(2027, 9, 25, 0, 0, 0, 0, time.UTC))
	tc := ta.client(t)
	tc.signIn(bc.Client.Email, testPassword)

	r := tc.get(fmt.Sprintf("/book/times?service=%d&therapist=%d&date=2027-10-03&sessions=1", bc.Course, noor.ID))
	r.wantStatus(http.StatusOK)
	for _, v := range offeredSlots(r.Body) {
		_, at, _ := strings.Cut(v, "@")
		if ts, _ := time.Parse(time.RFC3339, at); ts.In(bc.Loc).Hour() == 2 {
			t.Errorf("times page offers %s, in the hour that does not exist", ts.In(bc.Loc).Format("Mon 2 Jan 15:04 MST"))
		}
	}

	course := strconv.FormatInt(bc.Course, 10)
	for _, v := range []string{"2027-10-03T02:30:00+10:00", "2027-10-03T02:30:00+11:00"} {
		r := tc.postForm("/book/confirm", "/my", url.Values{"service": {course}, "consent": {"1"},
			"start_1": {strconv.FormatInt(noor.ID, 10) + "@" + v}})
		r.wantStatus(http.StatusUnprocessableEntity)
		if got, want := r.text(), "There is no 02:30 on Sun 3 Oct 2027 here: the clocks go forward an hour that night."; !strings.Contains(got, want) {
			t.Errorf("start %s: page lacks %q:\n%s", v, want, got)
		}
	}
	r = tc.get(fmt.Sprintf("/book/course?service=%d&therapist=%d&slot=%s", bc.Course, noor.ID,
		url.QueryEscape(strconv.FormatInt(noor.ID, 10)+"@2027-10-03T02:30:00+10:00")))
	if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.text(), "There is no 02:30 on Sun 3 Oct 2027") {
		t.Errorf("course page for 02:30: %d\n%s", r.StatusCode, r.text())
	}
	if n := ta.countAppointments(t); n != 0 {
		t.Errorf("appointments = %d; want none", n)
	}
	// The first real time after the gap books.
	r = tc.postForm("/book/confirm", "/my", url.Values{"service": {course}, "consent": {"1"},
		"start_1": {slotValue(noor.ID, bc.local(2027, 10, 3, 3, 0))}})
	r.wantRedirect("/my")
}

func TestChangesInsideTheCancellationWindowSayToCall(t *testing.T) {
	t.Parallel()
	ta, bc := newBookingApp(t)
	b := ta.book(t, ta.clientID(t, bc.Client), bc.Course, bc.Therapist.ID, bc.local(2026, 3, 16, 10, 0))
	id := b.Appointments[0].ID
	ta.Clock.Set(bc.local(2026, 3, 15, 12, 0)) // 22 hours before
	tc := ta.client(t)
	tc.signIn(bc.Client.Email, testPassword)
	base := fmt.Sprintf("/my/appointments/%d", id)
	call := "Please call us on " + clinicPhone

	r := tc.get(base)
	r.wantStatus(http.StatusOK)
	if page := r.text(); !strings.Contains(page, "too close to this appointment to change it online") || !strings.Contains(page, call) ||
		strings.Contains(page, "Cancel appointment") {
		t.Errorf("appointment page inside the window:\n%s", page)
	}
	r = tc.get(base + "/move")
	r.wantRedirect(base)
	if page := tc.get(base).text(); !strings.Contains(page, call) {
		t.Errorf("move page inside the window does not say to call:\n%s", page)
	}
	for _, try := range []struct{ path, want string }{
		{base + "/move", "too close to your appointment to move it online. " + call},
		{base + "/cancel", "too close to your appointment to cancel online. " + call},
	} {
		r = tc.postForm(try.path, "/my", url.Values{"slot": {slotValue(bc.Therapist.ID, bc.local(2026, 3, 16, 14, 0))}, "reason": {"x"}})
		r.wantRedirect(base)
		if page := tc.get(base).text(); !strings.Contains(page, try.want) {
			t.Errorf("POST %s: page lacks %q:\n%s", try.path, try.want, page)
		}
	}
	if got := ta.appointment(t, id); got.Status != "booked" || !got.Start.Equal(bc.local(2026, 3, 16, 10, 0)) {
		t.Errorf("appointment is %s at %v; want unchanged", got.Status, got.Start.In(bc.Loc))
	}
}

func TestEveryManageLinkOpens(t *testing.T) {
	t.Parallel()
	ta, bc := newBookingApp(t)
	cid := ta.clientID(t, bc.Client)
	// A link's signature is random-looking text; two dozen of them cover the characters it can hold.
	for day := 16; day <= 19; day++ {
		for k := 0; k < 6; k++ {
			ta.book(t, cid, bc.Course, bc.Therapist.ID, bc.local(2026, 3, day, 9, 0).Add(time.Duration(k)*75*time.Minute))
		}
	}
	tc := ta.client(t)
	rows := ta.mails(t, "confirmation", bc.Client.Email)
	if len(rows) != 24 {
		t.Fatalf("confirmations = %d; want 24", len(rows))
	}
	for _, row := range rows {
		link := apptMail(t, row).Sessions[0].ManagePath
		if r := tc.get(link); r.StatusCode != http.StatusOK || !strings.Contains(r.text(), "Cancel appointment") {
			t.Errorf("GET %s: %d; want the appointment with a cancel button", link, r.StatusCode)
		}
	}
}

// TestMovePageOffersTimesOverlappingTheAppointmentsOwn: with one room, moving a 10:00 session
// to 10:30 needs the room the session itself holds. The move page offers it, and the move lands.
func TestMovePageOffersTimesOverlappingTheAppointmentsOwn(t *testing.T) {
	t.Parallel()
	ta, bc := newBookingApp(t)
	tid := bc.Therapist.ID
	b := ta.book(t, ta.clientID(t, bc.Client), bc.Course, tid, bc.local(2026, 3, 16, 10, 0))
	page := ta.managePath(t, bc.Client.Email)
	tc := ta.client(t)

	r := tc.get(page + "/move?date=2026-03-16")
	r.wantStatus(http.StatusOK)
	later := slotValue(tid, bc.local(2026, 3, 16, 10, 30))
	if !containsString(offeredSlots(r.Body), later) {
		t.Fatalf("move page does not offer 10:30 in the one room the 10:00 holds; offers %v", offeredSlots(r.Body))
	}
	if containsString(offeredSlots(r.Body), slotValue(tid, bc.local(2026, 3, 16, 10, 0))) {
		t.Error("move page offers the appointment's own time")
	}
	r = tc.postForm(page+"/move", page+"/move", url.Values{"slot": {later}})
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("move to 10:30: %d; want 303\n%s", r.StatusCode, r.Body)
	}
	if got := ta.appointment(t, b.Appointments[0].ID); !got.Start.Equal(bc.local(2026, 3, 16, 10, 30)) {
		t.Errorf("appointment starts %v after the move; want 10:30", got.Start.In(bc.Loc))
	}
}

// TestBookingPagesKeepAClientOutOfTwoSessionsAtOnce: Alex has a session with Sam at 10:00.
// Priya is free then, in a second room, but the pages do not offer Alex 10:00 or 10:30 with
// her (a visitor still sees them), and a form sent with 10:30 anyway says why and books nothing.
func TestBookingPagesKeepAClientOutOfTwoSessionsAtOnce(t *testing.T) {
	t.Parallel()
	ta, bc := newBookingApp(t)
	ctx := context.Background()
	if _, err := ta.Store.EnsureRoom(ctx, store.System, "Banksia room"); err != nil {
		t.Fatal(err)
	}
	priya := ta.mustUser(t, clinic.RoleTherapist, "priya@clinic.test", "Priya Shah", "")
	ta.mustTherapistCalendar(t, priya.ID, testkit.EveryDay(9, 17), bc.Course)
	ta.book(t, ta.clientID(t, bc.Client), bc.Course, bc.Therapist.ID, bc.local(2026, 3, 16, 10, 0))
	times := fmt.Sprintf("/book/times?service=%d&therapist=%d&date=2026-03-16", bc.Course, priya.ID)
	at := func(hh, mm int) string { return slotValue(priya.ID, bc.local(2026, 3, 16, hh, mm)) }

	alex := ta.client(t)
	alex.signIn(bc.Client.Email, testPassword)
	r := alex.get(times)
	r.wantStatus(http.StatusOK)
	mine := offeredSlots(r.Body)
	for _, busy := range []string{at(9, 15), at(10, 0), at(10, 30), at(10, 45)} {
		if containsString(mine, busy) {
			t.Errorf("Alex is offered %s with Priya, during their own session with Sam", busy)
		}
	}
	for _, free := range []string{at(9, 0), at(11, 0)} {
		if !containsString(mine, free) {
			t.Errorf("Alex is not offered %s with Priya, when they are free", free)
		}
	}
	visitor := ta.client(t).get(times)
	visitor.wantStatus(http.StatusOK)
	if !containsString(offeredSlots(visitor.Body), at(10, 30)) {
		t.Errorf("a visitor is not offered 10:30 with Priya")
	}

	r = alex.postForm("/book/confirm", "/my", url.Values{"service": {strconv.FormatInt(bc.Course, 10)}, "consent": {"1"},
		"start_1": {at(10, 30)}})
	r.wantStatus(http.StatusUnprocessableEntity)
	if got := r.fieldError("start_1"); !strings.Contains(got, "another appointment for the same person is booked at that time") {
		t.Errorf("message beside session 1 = %q", got)
	}
	if n := ta.countAppointments(t); n != 1 {
		t.Errorf("appointments = %d; want only Alex's session with Sam", n)
	}
}

// TestAFormSentTwiceSaysTheSessionsAreAlreadyBooked: a double click or a reloaded page sends
// the confirmation again after the first copy booked the course. The second answer says the
// sessions are booked for them, not that someone else took them, and nothing is booked twice.
func TestAFormSentTwiceSaysTheSessionsAreAlreadyBooked(t *testing.T) {
	t.Parallel()
	ta, bc := newBookingApp(t)
	tid := bc.Therapist.ID
	alex := ta.client(t)
	alex.signIn(bc.Client.Email, testPassword)
	form := url.Values{"service": {strconv.FormatInt(bc.Course, 10)}, "consent": {"1"}, "reminders": {"1"},
		"start_1": {slotValue(tid, bc.local(2026, 3, 16, 10, 0))}, "start_2": {slotValue(tid, bc.local(2026, 3, 23, 10, 0))}}
	alex.postForm("/book/confirm", "/my", form).wantRedirect("/my")
	r := alex.postForm("/book/confirm", "/my", form)
	r.wantRedirect("/my")
	if page := alex.get("/my"); !strings.Contains(page.text(), "These sessions are already booked for you.") {
		t.Errorf("the page after the second send does not say the sessions are already booked:\n%s", page.text())
	}
	if n := ta.countAppointments(t); n != 2 {
		t.Errorf("appointments = %d; want the course's 2", n)
	}
	if got := ta.mails(t, "confirmation", bc.Client.Email); len(got) != 1 {
		t.Errorf("%d confirmations; want 1", len(got))
	}

	// Someone else sending the same times still hears they were taken.
	bree := ta.client(t)
	ta.mustUser(t, clinic.RoleClient, "bree@example.com", "Bree Thompson", testPassword)
	bree.signIn("bree@example.com", testPassword)
	bree.postForm("/book/confirm", "/my", form).wantStatus(http.StatusConflict)
}

// TestCourseSpacingIsCheckedOnConfirm: the pages propose sessions at the course's spacing, but
// the server decides. A confirmation whose sessions are a day apart is refused with a 422 that
// names the session and the spacing, and nothing is booked; a fortnightly sports course books.
func TestCourseSpacingIsCheckedOnConfirm(t *testing.T) {
	t.Parallel()
	ta, bc := newBookingApp(t)
	tc := ta.client(t)
	tc.signIn(bc.Client.Email, testPassword)
	course := strconv.FormatInt(bc.Course, 10)
	th := bc.Therapist.ID
	r := tc.postForm("/book/confirm", "/my", url.Values{"service": {course}, "consent": {"1"}, "spacing": {"7"},
		"start_1": {slotValue(th, bc.local(2026, 3, 16, 10, 0))}, "start_2": {slotValue(th, bc.local(2026, 3, 17, 10, 0))}})
	r.wantStatus(http.StatusUnprocessableEntity)
	if want := "Session 2 would be 1 day after session 1; this course's sessions are 3 to 10 days apart."; r.fieldError("start_2") == "" ||
		!strings.Contains(r.fieldError("start_2"), want) {
		t.Errorf("sessions a day apart: %q beside session 2; want %q", r.fieldError("start_2"), want)
	}
	if n := ta.countAppointments(t); n != 0 {
		t.Fatalf("a refused course booked %d appointments", n)
	}
	r = tc.postForm("/book/confirm", "/my", url.Values{"service": {course}, "consent": {"1"}, "spacing": {"14"},
		"start_1": {slotValue(th, bc.local(2026, 3, 16, 10, 0))}, "start_2": {slotValue(th, bc.local(2026, 3, 30, 10, 0))}})
	r.wantRedirect("/my")
	if n := ta.countAppointments(t); n != 2 {
		t.Errorf("a fortnightly course booked %d appointments; want 2", n)
	}
}

// TestBookThisCourseForEveryResult follows "Book this course" for every result class, as the
// result page builds it: the times page offers the first visit, the course page lays out the
// rest, and the confirmation books the first visit with assessment (when the course has one)
// then the course's sessions at its spacing, fortnightly for a recovery result. An
// undifferentiated result books its assessment visit alone.
func TestBookThisCourseForEveryResult(t *testing.T) {
	t.Parallel()
	ta, bc := newBookingApp(t)
	ids := map[string]int64{}
	for _, s := range []struct {
		key           string
		min, sessions int
	}{{"remedial_initial_75", 75, 1}, {"remedial_followup_60", 60, 4}, {"tuina_60", 60, 4}, {"sports_maintenance_60", 60, 3}} {
		ids[s.key] = ta.mustService(t, s.key, s.min, 15, s.sessions)
	}
	tid := bc.Therapist.ID
	ta.mustTherapistCalendar(t, tid, testkit.EveryDay(9, 17), ids["remedial_initial_75"], ids["remedial_followup_60"],
		ids["tuina_60"], ids["sports_maintenance_60"])
	ctx := context.Background()
	for i, p := range clinic.AssessmentScoringV1().Plans {
		b := p.Course.Booking()
		email := fmt.Sprintf("client%d@example.com", i)
		u := ta.mustUser(t, clinic.RoleClient, email, fmt.Sprintf("Client %d", i), testPassword)
		tc := ta.client(t)
		tc.signIn(email, testPassword)
		q := url.Values{"service": {b.Service}, "sessions": {strconv.Itoa(b.Sessions)}, "therapist": {strconv.FormatInt(tid, 10)},
			"date": {"2026-03-16"}}
		if b.SpacingDays > 0 {
			q.Set("spacing", strconv.Itoa(b.SpacingDays))
		}
		if b.FirstService != "" {
			q.Set("first", b.FirstService)
		}
		r := tc.get("/book/times?" + q.Encode())
		r.wantStatus(http.StatusOK)
		slots := offeredSlots(r.Body)
		if len(slots) == 0 {
			t.Fatalf("%v: no times offered:\n%s", p.Classes, r.text())
		}
		q.Set("slot", slots[0])
		if b.FirstService != "" {
			q.Set("first", strconv.FormatInt(ids[b.FirstService], 10))
		}
		q.Set("service", strconv.FormatInt(ids[b.Service], 10))
		coursePath := "/book/course?" + q.Encode()
		r = tc.get(coursePath)
		r.wantStatus(http.StatusOK)
		form := url.Values{"service": {q.Get("service")}, "spacing": {q.Get("spacing")}, "consent": {"1"}}
		if b.FirstService != "" {
			form.Set("first", q.Get("first"))
		}
		for k, v := range proposedStarts(r.Body) {
			form.Set(k, v)
		}
		r = tc.postForm("/book/confirm", coursePath, form)
		r.wantRedirect("/my")

		appts, err := ta.Store.ClientAppointments(ctx, ownerActor, ta.clientID(t, u), time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		if len(appts) != b.Sessions {
			t.Fatalf("%v: booked %d sessions; want %d", p.Classes, len(appts), b.Sessions)
		}
		for k, a := range appts {
			want := ids[b.Service]
			if k == 0 && b.FirstService != "" {
				want = ids[b.FirstService]
			}
			if a.ServiceID != want {
				t.Errorf("%v: session %d is %s; want service %d", p.Classes, k+1, a.ServiceName, want)
			}
			if k > 0 {
				if gap := clinic.DateOf(appts[k-1].Start, bc.Loc).DaysUntil(clinic.DateOf(a.Start, bc.Loc)); gap != b.SpacingDays {
					t.Errorf("%v: session %d is %d days after the one before; want %d", p.Classes, k+1, gap, b.SpacingDays)
				}
			}
		}
	}
}
