package handlers_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"allium/clinic"
	"allium/internal/testclinic"
	"allium/internal/testkit"
	"allium/store"
)

// deskClinic is a small clinic on top of the shared test app: two therapists working
// 09:00-17:00 Monday to Friday, one room, one 60-minute service with a 15-minute buffer, and
// the people of seedPeople. The test clock starts on a Tuesday evening in Sydney.
type deskClinic struct {
	*testApp
	people
	loc      *time.Location
	service  int64
	ana, ben store.User
	clientID int64 // the client record of people.Client
}

func newDeskClinic(t *testing.T) *deskClinic {
	t.Helper()
	ta := newTestApp(t)
	d := &deskClinic{testApp: ta, people: ta.seedPeople(t), loc: testkit.Sydney()}
	d.ana = ta.mustUser(t, clinic.RoleTherapist, "ana@clinic.test", "Ana Alvarez", testPassword)
	d.ben = ta.mustUser(t, clinic.RoleTherapist, "ben@clinic.test", "Ben Brown", testPassword)
	d.clientID = testclinic.MustClientID(t, ta.Store, d.Client)
	d.service = testclinic.MustService(t, ta.Store, testclinic.RemedialService())
	testclinic.MustRoom(t, ta.Store, "Room 1")
	for _, th := range []store.User{d.ana, d.ben, d.Therapist} {
		testclinic.MustCalendar(t, ta.Store, th.ID, testkit.Weekdays(9, 17), d.loc, d.service)
	}
	return d
}

// at is a wall-clock time in the clinic's zone.
func (d *deskClinic) at(y int, m time.Month, day, h, min int) time.Time {
	return time.Date(y, m, day, h, min, 0, 0, d.loc)
}

// book books sessions for a client with a therapist as reception would.
func (d *deskClinic) book(t *testing.T, clientID int64, therapist store.User, starts ...time.Time) []store.Appointment {
	t.Helper()
	by := store.Actor{UserID: d.Reception.ID, Role: clinic.RoleReception}
	b, err := d.Store.BookCourse(context.Background(), by, store.BookingRequest{ClientID: clientID, ServiceID: d.service,
		TherapistID: therapist.ID, Starts: starts})
	if err != nil {
		t.Fatalf("book %v: %v", starts, err)
	}
	return b.Appointments
}

// as signs a new browser in.
func (d *deskClinic) as(t *testing.T, u store.User) *testClient {
	t.Helper()
	tc := d.client(t)
	tc.signIn(u.Email, testPassword)
	return tc
}

func deskID(id int64) string { return strconv.FormatInt(id, 10) }

// deskText is the page's text without tags, with spaces collapsed, as a person reads it.
func deskText(body string) string {
	body = regexp.MustCompile(`(?s)<head>.*?</head>`).ReplaceAllString(body, "")
	body = regexp.MustCompile(`</?bdi>`).ReplaceAllString(body, "")
	body = regexp.MustCompile(`<[^>]+>`).ReplaceAllString(body, " ")
	return strings.Join(strings.Fields(html.UnescapeString(body)), " ")
}

// deskCellColumns returns the heads of the board's columns (name, hours and time away, as
// read) and the column each booking is drawn in, by client name.
func deskCellColumns(t *testing.T, body string) (heads []string, cells map[string]int) {
	t.Helper()
	board := regexp.MustCompile(`(?s)<div class="desk-board desk-rows-\d+">.*`).FindString(body)
	if board == "" {
		t.Fatalf("no day board on the page")
	}
	cells = map[string]int{}
	headRe := regexp.MustCompile(`(?s)^<div class="desk-head">(.*?)</div>`)
	for col, part := range strings.Split(board, `<div class="desk-col">`)[1:] {
		head := headRe.FindStringSubmatch(part)
		if head == nil {
			t.Fatalf("column %d has no head: %.200s", col, part)
		}
		heads = append(heads, deskText(head[1]))
		for _, name := range regexp.MustCompile(`class="appt-client"><bdi>([^<]*)<`).FindAllStringSubmatch(part, -1) {
			cells[html.UnescapeString(name[1])] = col
		}
	}
	return heads, cells
}

func TestDeskDayShowsBookingUnderItsTherapist(t *testing.T) {
	t.Parallel()
	d := newDeskClinic(t)
	d.book(t, d.clientID, d.ben, d.at(2026, 3, 11, 10, 0))
	r := d.as(t, d.Reception).get("/desk?date=2026-03-11")
	r.wantStatus(http.StatusOK)
	heads, cells := deskCellColumns(t, r.Body)
	col, ok := cells["Alex Chen"]
	if !ok {
		t.Fatalf("Alex Chen is not on the grid; columns %q", heads)
	}
	if got, want := heads[col], "Ben Brown"; !strings.HasPrefix(got, want) {
		t.Errorf("Alex's booking is under %q, want %q", got, want)
	}
	if text := r.text(); !strings.Contains(text, "10:00–11:00") || !strings.Contains(text, "Remedial 60") {
		t.Errorf("day view does not show the time and service of the booking: %s", text)
	}
}

func TestDeskDayByRoomAndWeek(t *testing.T) {
	t.Parallel()
	d := newDeskClinic(t)
	d.book(t, d.clientID, d.ana, d.at(2026, 3, 12, 14, 0))
	desk := d.as(t, d.Reception)

	r := desk.get("/desk?date=2026-03-12&by=room")
	r.wantStatus(http.StatusOK)
	heads, cells := deskCellColumns(t, r.Body)
	if col, ok := cells["Alex Chen"]; !ok || heads[col] != "Room 1" {
		t.Errorf("by room: Alex Chen in column %d of %q; want under Room 1", col, heads)
	}

	r = desk.get("/desk/week?therapist=" + deskID(d.ana.ID) + "&date=2026-03-10")
	r.wantStatus(http.StatusOK)
	heads, cells = deskCellColumns(t, r.Body)
	if col, ok := cells["Alex Chen"]; !ok || !strings.HasPrefix(heads[col], "Thu 12 Mar") {
		t.Errorf("week: Alex Chen in column %d of %q; want under Thu 12 Mar", col, heads)
	}
	if len(heads) != 7 || !strings.HasPrefix(heads[0], "Mon 9 Mar") {
		t.Errorf("week columns %q; want Monday 9 March to Sunday", heads)
	}
	desk.get("/desk/week?therapist=999999").wantStatus(http.StatusNotFound)
}

func TestDeskDayRejectsImpossibleDates(t *testing.T) {
	t.Parallel()
	d := newDeskClinic(t)
	desk := d.as(t, d.Reception)
	for _, path := range []string{"/desk?date=2027-13-45", "/desk?date=yesterday", "/desk?date=9999-01-01",
		"/desk/week?date=2026-02-30"} {
		r := desk.get(path)
		r.wantStatus(http.StatusUnprocessableEntity)
		if msg := r.fieldError("date"); !strings.Contains(msg, "date") {
			t.Errorf("%s: message beside the date %q; want one that names the problem", path, msg)
		}
	}
}

// TestDeskUndoTakesThePlanBackFromItsReview: a plan's course given faster than planned (every
// four days, its review three weeks out) becomes due for reassessment when the desk completes its
// last session, and the plan page says so; undoing the completion puts the plan back to active
// on the therapist's plan page, with the move on its history; completing again makes it due again.
func TestDeskUndoTakesThePlanBackFromItsReview(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := newChartWorld(t)
	w.book(t, 1) // Alex consents and Sam has seen them
	plan := w.activePlan(t)
	day := clinic.DateOf(w.ta.Clock.Now(), w.loc)
	var starts []time.Time
	for i := range plan.PlannedSessions {
		d := day.AddDays(3 + 4*i)
		starts = append(starts, time.Date(d.Y, d.M, d.D, 10, 0, 0, 0, w.loc))
	}
	b := testclinic.MustBook(t, w.ta.Store, store.BookingRequest{ClientID: w.clientID, ServiceID: w.service,
		TherapistID: w.therapist, Starts: starts, PlanID: plan.ID, Consent: true})
	desk := store.Actor{UserID: w.p.Reception.ID, Role: clinic.RoleReception}
	last := b.Appointments[len(b.Appointments)-1]
	for _, a := range b.Appointments[:len(b.Appointments)-1] {
		w.ta.Clock.Set(a.Start.Add(time.Hour))
		if _, err := w.ta.Store.SetStatus(ctx, desk, a.ID, clinic.ApptCompleted); err != nil {
			t.Fatal(err)
		}
	}

	w.ta.Clock.Set(last.Start.Add(time.Hour))
	reception, sam := w.as(t, w.p.Reception), w.as(t, w.p.Therapist)
	page := "/desk/appointments/" + deskID(last.ID)
	planPage := chartPlanPath(plan.ID)
	const due, active = `class="badge status-reassess_due">Reassessment due<`, `class="badge status-active">Active<`
	reception.postForm(page+"/status", page, url.Values{"status": {"completed"}}).wantRedirect(page)
	if r := sam.get(planPage); !strings.Contains(r.Body, due) || strings.Contains(r.Body, active) {
		t.Errorf("after the last session the plan page reads: %s", r.text())
	}
	reception.postForm(page+"/undo", page, nil).wantRedirect(page)
	r := sam.get(planPage)
	if !strings.Contains(r.Body, active) || strings.Contains(r.Body, due) {
		t.Errorf("after the completion is undone the plan page reads: %s", r.text())
	}
	if !strings.Contains(r.text(), "Reassessment due → Active (automatic) · completion undone") {
		t.Errorf("the plan's history does not show the move back: %s", r.text())
	}
	reception.postForm(page+"/status", page, url.Values{"status": {"completed"}}).wantRedirect(page)
	if r := sam.get(planPage); !strings.Contains(r.Body, due) {
		t.Errorf("after completing again the plan page reads: %s", r.text())
	}
}

// TestDeskStatusChanges follows a session's day at the desk: nothing can be recorded the day
// before (the page says when check-in opens, and a forged post is refused beside the buttons);
// check-in opens an hour before; completed waits for the start; each record can be undone that
// day, and the audit log keeps the record and its undoing; the next day it stands.
func TestDeskStatusChanges(t *testing.T) {
	t.Parallel()
	d := newDeskClinic(t)
	first := d.book(t, d.clientID, d.ana, d.at(2026, 3, 11, 10, 0))[0]
	second := d.book(t, d.clientID, d.ana, d.at(2026, 3, 12, 10, 0))[0]
	desk := d.as(t, d.Reception)
	page := "/desk/appointments/" + deskID(first.ID)

	// The evening before: no buttons, and the time check-in opens.
	if r := desk.get(page); !strings.Contains(r.text(), "Check-in opens at 09:00 on Wed 11 Mar.") ||
		strings.Contains(r.Body, `value="checked_in"`) || strings.Contains(r.Body, `value="completed"`) {
		t.Errorf("the day before, the page reads: %s", r.text())
	}
	for status, want := range map[string]string{"checked_in": "Check-in opens at 09:00 on Wed 11 Mar.",
		"completed": "This appointment has not started yet, so it cannot be marked completed.",
		"no_show":   "This appointment has not started yet, so it cannot be marked as a no-show."} {
		r := desk.postForm(page+"/status", page, url.Values{"status": {status}})
		r.wantStatus(http.StatusUnprocessableEntity)
		if got := r.fieldError("status"); got != want {
			t.Errorf("%s the day before: %q beside the buttons; want %q", status, got, want)
		}
	}

	d.Clock.Set(d.at(2026, 3, 11, 9, 20))
	desk = d.as(t, d.Reception)
	desk.postForm(page+"/status", page, url.Values{"status": {"checked_in"}}).wantRedirect(page)
	if r := desk.get(page); !strings.Contains(r.text(), "Alex Chen is checked in.") || !strings.Contains(r.text(), "Checked in") ||
		!strings.Contains(r.text(), "Undo: back to Booked") {
		t.Errorf("after check-in the page reads: %s", r.text())
	}
	r := desk.postForm(page+"/status", page, url.Values{"status": {"completed"}})
	r.wantStatus(http.StatusUnprocessableEntity)
	if got := r.fieldError("status"); got != "This appointment has not started yet, so it cannot be marked completed." {
		t.Errorf("completed before the start: %q", got)
	}
	d.Clock.Set(d.at(2026, 3, 11, 11, 0))
	desk.postForm(page+"/status", page, url.Values{"status": {"completed"}}).wantRedirect(page)
	desk.postForm(page+"/undo", page, nil).wantRedirect(page)
	if r := desk.get(page); !strings.Contains(r.text(), "Undone: Alex Chen is checked in again.") ||
		!strings.Contains(r.text(), "Undo: back to Booked") {
		t.Errorf("after undoing the completion the page reads: %s", r.text())
	}
	desk.postForm(page+"/status", page, url.Values{"status": {"completed"}}).wantRedirect(page)
	log, err := d.Store.AuditLog(context.Background(), ownerActor, store.AuditFilter{RecordType: "appointment", RecordID: first.ID})
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, e := range log {
		actions = append(actions, e.Action+" "+e.Detail)
	}
	if want := "completed |undo completed -> checked_in|completed |checked_in "; !strings.HasPrefix(strings.Join(actions, "|"), want) {
		t.Errorf("audit log of the appointment, newest first: %q; want it to start %q", strings.Join(actions, "|"), want)
	}

	d.Clock.Set(d.at(2026, 3, 12, 10, 10))
	desk = d.as(t, d.Reception)
	r = desk.postForm(page+"/undo", page, nil)
	r.wantStatus(http.StatusUnprocessableEntity)
	if got := r.fieldError("status"); got != "Only a change made today can be undone." {
		t.Errorf("undo the next day: %q", got)
	}
	other := "/desk/appointments/" + deskID(second.ID)
	desk.postForm(other+"/status", other, url.Values{"status": {"no_show"}}).wantRedirect(other)
	for id, want := range map[int64]string{first.ID: "completed", second.ID: "no_show"} {
		ap, err := d.Store.AppointmentByID(context.Background(), ownerActor, id)
		if err != nil || string(ap.Status) != want {
			t.Errorf("appointment %d: status %q (%v); want %q", id, ap.Status, err, want)
		}
	}

	r = desk.postForm(other+"/status", other, url.Values{"status": {"checked_in"}})
	r.wantStatus(http.StatusConflict)
	if !strings.Contains(r.text(), "This appointment is no-show, so it cannot be checked in.") {
		t.Errorf("checking in a no-show: %s", r.text())
	}
	r = desk.postForm(page+"/status", page, url.Values{"status": {"deleted"}})
	r.wantStatus(http.StatusUnprocessableEntity)
	if r.fieldError("status") == "" && !strings.Contains(r.text(), "Please choose what happened") {
		t.Errorf("a forged status has no message: %s", r.text())
	}
	desk.postForm("/desk/appointments/999999/status", page, url.Values{"status": {"checked_in"}}).wantStatus(http.StatusNotFound)
}

func TestDeskCancelFreesTheTime(t *testing.T) {
	t.Parallel()
	d := newDeskClinic(t)
	ap := d.book(t, d.clientID, d.ana, d.at(2026, 3, 11, 10, 0))[0]
	desk := d.as(t, d.Reception)
	page := "/desk/appointments/" + deskID(ap.ID)

	r := desk.postForm(page+"/cancel", page, url.Values{"reason": {""}})
	r.wantStatus(http.StatusUnprocessableEntity)
	if r.fieldError("reason") == "" {
		t.Error("a cancellation without a reason has no message beside the reason")
	}
	desk.postForm(page+"/cancel", page, url.Values{"reason": {"Client is unwell"}}).wantRedirect(page)
	// Less than 24 hours before the start: the desk is told it is late.
	if text := desk.get(page).text(); !strings.Contains(text, "Late cancellation") {
		t.Errorf("a cancellation 14 hours ahead is not called late: %s", text)
	}
	day := desk.get("/desk?date=2026-03-11")
	if _, cells := deskCellColumns(t, day.Body); len(cells) != 0 {
		t.Errorf("the cancelled booking still holds the grid: %v", cells)
	}
	if !strings.Contains(day.text(), "Cancelled Client Was With Status Reason Alex Chen") {
		t.Errorf("the day does not list the cancellation: %s", day.text())
	}
	other := d.mustUser(t, clinic.RoleClient, "kim@example.com", "Kim Park", testPassword)
	otherID, _ := d.Store.ClientIDForUser(context.Background(), other.ID)
	d.book(t, otherID, d.ana, d.at(2026, 3, 11, 10, 0)) // fails the test if the time is still held

	r = desk.postForm(page+"/cancel", page, url.Values{"reason": {"again"}})
	r.wantStatus(http.StatusConflict)
	if !strings.Contains(r.text(), "cannot be cancelled") {
		t.Errorf("cancelling twice: %s", r.text())
	}
}

func TestDeskMove(t *testing.T) {
	t.Parallel()
	d := newDeskClinic(t)
	ap := d.book(t, d.clientID, d.ana, d.at(2026, 3, 11, 10, 0))[0]
	other := d.mustUser(t, clinic.RoleClient, "kim@example.com", "Kim Park", testPassword)
	otherID, _ := d.Store.ClientIDForUser(context.Background(), other.ID)
	taken := d.book(t, otherID, d.ana, d.at(2026, 3, 11, 14, 0))[0]
	desk := d.as(t, d.Reception)
	page := "/desk/appointments/" + deskID(ap.ID)
	value := func(t time.Time) string { return t.UTC().Format(time.RFC3339) }

	r := desk.get(page + "/move")
	r.wantStatus(http.StatusOK)
	for _, tc := range []struct {
		at   time.Time
		want bool
	}{
		{d.at(2026, 3, 11, 11, 15), true},  // free
		{d.at(2026, 3, 11, 9, 0), true},    // free once this appointment leaves 10:00
		{d.at(2026, 3, 11, 10, 0), false},  // where it is now
		{d.at(2026, 3, 11, 14, 0), false},  // Kim's
		{d.at(2026, 3, 11, 13, 15), false}, // would run into Kim's
	} {
		if got := strings.Contains(r.Body, `value="`+value(tc.at)+`"`); got != tc.want {
			t.Errorf("move page offers %s: %v; want %v", tc.at.Format("15:04"), got, tc.want)
		}
	}

	r = desk.postForm(page+"/move", page+"/move", url.Values{"start": {value(taken.Start)}})
	r.wantStatus(http.StatusConflict)
	if !strings.Contains(r.text(), "That time cannot be booked: that time is no longer free.") {
		t.Errorf("moving onto a taken time: %s", r.text())
	}
	for _, forged := range []string{"tomorrow", value(d.at(2026, 3, 11, 10, 7)), value(d.at(2026, 3, 11, 20, 0))} {
		r = desk.postForm(page+"/move", page+"/move", url.Values{"start": {forged}})
		r.wantStatus(http.StatusUnprocessableEntity)
		if !strings.Contains(r.text(), "Please choose") {
			t.Errorf("moving to %q: %s", forged, r.text())
		}
	}
	desk.postForm("/desk/appointments/999999/move", page+"/move", url.Values{"start": {value(d.at(2026, 3, 11, 9, 0))}}).
		wantStatus(http.StatusNotFound)
	desk.get("/desk/appointments/abc/move").wantStatus(http.StatusNotFound)
	desk.get(page + "/move?date=2026-99-01").wantStatus(http.StatusUnprocessableEntity)

	desk.postForm(page+"/move", page+"/move", url.Values{"start": {value(d.at(2026, 3, 11, 9, 0))}}).wantRedirect(page)
	if moved, _ := d.Store.AppointmentByID(context.Background(), ownerActor, ap.ID); !moved.Start.Equal(d.at(2026, 3, 11, 9, 0)) {
		t.Errorf("after the move the appointment starts %v; want 09:00", moved.Start.In(d.loc))
	}
}

func TestDeskClients(t *testing.T) {
	t.Parallel()
	d := newDeskClinic(t)
	desk := d.as(t, d.Reception)

	r := desk.postForm("/desk/clients", "/desk/clients", url.Values{"name": {"Kim Park"}, "email": {"kim@"}, "phone": {""}})
	r.wantStatus(http.StatusUnprocessableEntity)
	if r.fieldError("email") == "" {
		t.Errorf("a broken email has no message beside it: %s", r.text())
	}
	r = desk.postForm("/desk/clients", "/desk/clients", url.Values{"name": {""}, "phone": {""}})
	r.wantStatus(http.StatusUnprocessableEntity)
	if r.fieldError("name") == "" || r.fieldError("phone") == "" {
		t.Errorf("no name and no way to reach them: name %q, phone %q", r.fieldError("name"), r.fieldError("phone"))
	}

	r = desk.postForm("/desk/clients", "/desk/clients", url.Values{"name": {"Kim Park"}, "phone": {"0400 111 222"},
		"cautions": {"Blood thinners"}})
	if r.StatusCode != http.StatusSeeOther || !strings.HasPrefix(r.Header.Get("Location"), "/desk/clients/") {
		t.Fatalf("adding Kim: %d to %q", r.StatusCode, r.Header.Get("Location"))
	}
	profile := desk.get(r.Header.Get("Location"))
	if text := profile.text(); !strings.Contains(text, "Added Kim Park.") || !strings.Contains(text, "Blood thinners") ||
		!strings.Contains(text, "0400 111 222") {
		t.Errorf("Kim's record: %s", text)
	}

	for q, want := range map[string]string{"kim": "Kim Park", "0400111": "Kim Park", "alex.chen@": "Alex Chen"} {
		if text := desk.get("/desk/clients?q=" + url.QueryEscape(q)).text(); !strings.Contains(text, want) {
			t.Errorf("search %q does not find %s: %s", q, want, text)
		}
	}
	if text := desk.get("/desk/clients?q=zzz").text(); !strings.Contains(text, "No client matches") || strings.Contains(text, "Kim Park") {
		t.Errorf("a search that matches nobody: %s", text)
	}

	r = desk.postForm("/desk/clients", "/desk/clients", url.Values{"name": {"A. Chen"}, "email": {"Alex.Chen@example.com"}})
	r.wantStatus(http.StatusUnprocessableEntity)
	if !strings.Contains(r.fieldError("email"), "already on file: Alex Chen") || !strings.Contains(r.Body, `href="/desk/clients/`+deskID(d.clientID)+`"`) {
		t.Errorf("a second record with Alex's email: %q", r.fieldError("email"))
	}
	desk.get("/desk/clients/999999").wantStatus(http.StatusNotFound)
	d.as(t, d.Client).get("/desk/clients/" + deskID(d.clientID)).wantStatus(http.StatusNotFound)
}

func TestDeskClientRecordShowsAttendance(t *testing.T) {
	t.Parallel()
	d := newDeskClinic(t)
	appts := d.book(t, d.clientID, d.ana, d.at(2026, 3, 11, 10, 0), d.at(2026, 3, 16, 10, 0), d.at(2026, 3, 23, 10, 0))
	page := func(ap store.Appointment) string { return "/desk/appointments/" + deskID(ap.ID) }
	d.Clock.Set(d.at(2026, 3, 11, 9, 45))
	desk := d.as(t, d.Reception)
	desk.postForm(page(appts[0])+"/status", page(appts[0]), url.Values{"status": {"checked_in"}}).wantRedirect(page(appts[0]))
	d.Clock.Set(d.at(2026, 3, 16, 10, 30))
	desk = d.as(t, d.Reception)
	desk.postForm(page(appts[1])+"/status", page(appts[1]), url.Values{"status": {"no_show"}}).wantRedirect(page(appts[1]))
	desk.postForm(page(appts[2])+"/cancel", page(appts[2]), url.Values{"reason": {"Moving away"}}).wantRedirect(page(appts[2]))

	text := desk.get("/desk/clients/" + deskID(d.clientID)).text()
	for _, want := range []string{
		"0 late cancellations, 1 no-show.",
		"Wed 11 Mar, 10:00 Remedial 60 (1 of 3) Ana Alvarez Checked in",
		"Mon 16 Mar, 10:00 Remedial 60 (2 of 3) Ana Alvarez No-show",
		"Mon 23 Mar, 10:00 Remedial 60 (3 of 3) Ana Alvarez Cancelled Moving away",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the client's record does not read %q:\n%s", want, text)
		}
	}
}

func TestDeskHoursListConflictsAndBelongToTheirTherapist(t *testing.T) {
	t.Parallel()
	d := newDeskClinic(t)
	late := d.book(t, d.clientID, d.ana, d.at(2026, 3, 11, 15, 0))[0]
	desk := d.as(t, d.Reception)
	anaHours := "/desk/therapists/" + deskID(d.ana.ID) + "/hours"

	r := desk.get(anaHours)
	r.wantStatus(http.StatusOK)
	if v := `name="wednesday" type="text" value="09:00-17:00"`; !strings.Contains(r.Body, v) {
		t.Errorf("the form does not show Wednesday's hours as 09:00-17:00")
	}
	week := url.Values{"monday": {"09:00-12:30, 13:30-17:00"}, "tuesday": {"9:00-17:00"}, "wednesday": {"09:00-13:00"}}
	desk.postForm(anaHours, anaHours, week).wantRedirect(anaHours)
	r = desk.get(anaHours)
	text := r.text()
	if !strings.Contains(text, "One booking no longer fits") ||
		!strings.Contains(text, "Alex Chen Wed 11 Mar, 15:00 Outside the working hours") {
		t.Errorf("after shortening Wednesday the page does not list Alex's 15:00 booking: %s", text)
	}
	if !strings.Contains(r.Body, `href="/desk/appointments/`+deskID(late.ID)+`"`) {
		t.Error("the conflicting booking has no link to move or cancel it")
	}
	if ap, _ := d.Store.AppointmentByID(context.Background(), ownerActor, late.ID); ap.Status != "booked" {
		t.Errorf("changing hours changed the booking to %q; it must stay booked", ap.Status)
	}
	h, _ := d.Store.Hours(context.Background(), d.ana.ID)
	if got := len(h[time.Monday]) + len(h[time.Tuesday]) + len(h[time.Wednesday]) + len(h[time.Thursday]); got != 4 {
		t.Errorf("saved %d shifts Monday to Thursday; want 4 (split Monday, Tuesday, Wednesday, Thursday off)", got)
	}

	for field, bad := range map[string]string{"monday": "9-5", "tuesday": "12:00-10:00", "friday": "09:00-13:00, 12:00-17:00"} {
		r := desk.postForm(anaHours, anaHours, url.Values{field: {bad}})
		r.wantStatus(http.StatusUnprocessableEntity)
		if r.fieldError(field) == "" {
			t.Errorf("%s %q: no message beside the field", field, bad)
		}
	}

	ownerHours := "/desk/therapists/" + deskID(d.Owner.ID) + "/hours"
	desk.get(ownerHours).wantStatus(http.StatusNotFound)
	desk.postForm(ownerHours, anaHours, url.Values{"monday": {"10:00-11:00"}}).wantStatus(http.StatusNotFound)
	if h, _ := d.Store.Hours(context.Background(), d.Owner.ID); len(h[time.Monday]) != 0 {
		t.Errorf("the owner, who is not a therapist, got hours: %v", h)
	}

	ben := d.as(t, d.ben)
	benHours := "/desk/therapists/" + deskID(d.ben.ID) + "/hours"
	ben.get(anaHours).wantStatus(http.StatusNotFound)
	ben.postForm(anaHours, benHours, url.Values{"monday": {"10:00-11:00"}}).wantStatus(http.StatusNotFound)
	ben.postForm("/desk/therapists/"+deskID(d.ana.ID)+"/timeoff", benHours, url.Values{"from_date": {"2026-03-12"}}).
		wantStatus(http.StatusNotFound)
	ben.get(benHours).wantStatus(http.StatusOK)
	ben.postForm(benHours, benHours, url.Values{"monday": {"10:00-16:00"}}).wantRedirect(benHours)
	if h, _ := d.Store.Hours(context.Background(), d.ben.ID); len(h[time.Monday]) != 1 || h[time.Monday][0].Start != clinic.Clock(10, 0) {
		t.Errorf("Ben's Monday after he saved 10:00-16:00: %v", h[time.Monday])
	}
	d.as(t, d.Client).get(benHours).wantStatus(http.StatusNotFound)
}

func TestDeskTimeOffListsBookingsInside(t *testing.T) {
	t.Parallel()
	d := newDeskClinic(t)
	d.book(t, d.clientID, d.ben, d.at(2026, 3, 13, 11, 0))
	desk := d.as(t, d.Reception)
	benHours := "/desk/therapists/" + deskID(d.ben.ID) + "/hours"

	r := desk.postForm("/desk/therapists/"+deskID(d.ben.ID)+"/timeoff", benHours,
		url.Values{"from_date": {"2026-03-13"}, "to_date": {"2026-03-12"}})
	r.wantStatus(http.StatusUnprocessableEntity)
	if r.fieldError("to_date") == "" {
		t.Error("time off that ends before it starts has no message")
	}
	desk.postForm("/desk/therapists/"+deskID(d.ben.ID)+"/timeoff", benHours,
		url.Values{"from_date": {"2026-03-13"}, "reason": {"Course in Melbourne"}}).wantRedirect(benHours)
	text := desk.get(benHours).text()
	for _, want := range []string{"One booking no longer fits", "Alex Chen Fri 13 Mar, 11:00 During time off",
		"Fri 13 Mar 2026 00:00 – Fri 13 Mar 2026 24:00 Course in Melbourne"} {
		if !strings.Contains(text, want) {
			t.Errorf("after adding time off the page does not read %q: %s", want, text)
		}
	}
	day := desk.get("/desk?date=2026-03-13").text()
	if !strings.Contains(day, "Away all day: Course in Melbourne") {
		t.Errorf("the day view does not say Ben is away: %s", day)
	}
	offs, _ := d.Store.TimeOffBetween(context.Background(), ownerActor, d.at(2026, 3, 13, 0, 0), d.at(2026, 3, 14, 0, 0))
	if len(offs) != 1 {
		t.Fatalf("%d time off rows; want 1", len(offs))
	}
	d.as(t, d.ana).postForm("/desk/timeoff/"+deskID(offs[0].ID)+"/delete", "/desk/therapists/"+deskID(d.ana.ID)+"/hours", nil).
		wantStatus(http.StatusNotFound)
	desk.postForm("/desk/timeoff/"+deskID(offs[0].ID)+"/delete", benHours, nil).wantRedirect(benHours)
	if text := desk.get(benHours).text(); strings.Contains(text, "Course in Melbourne") || strings.Contains(text, "no longer fit") {
		t.Errorf("after removing the time off: %s", text)
	}
}

func TestDeskRecallLinksToBookingTheRest(t *testing.T) {
	t.Parallel()
	d := newDeskClinic(t)
	appts := d.book(t, d.clientID, d.ana, d.at(2026, 3, 11, 10, 0), d.at(2026, 3, 18, 10, 0), d.at(2026, 3, 25, 10, 0))
	desk := d.as(t, d.Reception)
	for _, ap := range appts[1:] {
		page := "/desk/appointments/" + deskID(ap.ID)
		desk.postForm(page+"/cancel", page, url.Values{"reason": {"Travelling"}}).wantRedirect(page)
	}
	if text := desk.get("/desk/recall").text(); !strings.Contains(text, "No course is overdue") {
		t.Errorf("the day after booking, recall lists: %s", text)
	}
	d.Clock.Advance(12 * 24 * time.Hour)          // eleven days after the only session held
	r := d.as(t, d.Reception).get("/desk/recall") // a new day, a new sign-in
	r.wantStatus(http.StatusOK)
	if text := r.text(); !strings.Contains(text, "Alex Chen") || !strings.Contains(text, "Remedial 60 with Ana Alvarez: 1 of 3 done") {
		t.Errorf("recall after the gap: %s", text)
	}
	want := `href="/book?client=` + deskID(d.clientID) + `&amp;service=` + deskID(d.service) + `&amp;sessions=2&amp;therapist=` + deskID(d.ana.ID) + `"`
	if !strings.Contains(r.Body, want) {
		t.Errorf("no booking link %s in the recall list", want)
	}

	// Reception calls and snoozes the entry; the list remembers, and brings it back after two weeks.
	desk = d.as(t, d.Reception)
	mark := url.Values{"reason": {"stalled"}, "ref": {deskID(appts[0].CourseID)}, "mark": {"snoozed"}}
	desk.postForm("/desk/recall/mark", "/desk/recall", mark).wantRedirect("/desk/recall")
	if text := desk.get("/desk/recall").text(); !strings.Contains(text, "Snoozed for 14 days.") || strings.Contains(text, "Alex Chen") {
		t.Errorf("after snoozing: %s", text)
	}
	mark.Set("mark", "forgotten")
	desk.postForm("/desk/recall/mark", "/desk/recall", mark).wantRedirect("/desk/recall")
	if text := desk.get("/desk/recall").text(); strings.Contains(text, "Alex Chen") {
		t.Errorf("a forged mark changed the entry: %s", text)
	}
	d.Clock.Advance(14 * 24 * time.Hour)
	if text := d.as(t, d.Reception).get("/desk/recall").text(); !strings.Contains(text, "Alex Chen") || !strings.Contains(text, "snoozed") {
		t.Errorf("after the snooze: %s", text)
	}
}

func TestDeskIsClosedToClientsAndTherapists(t *testing.T) {
	t.Parallel()
	d := newDeskClinic(t)
	kim := d.mustUser(t, clinic.RoleClient, "kim@example.com", "Kim Park", testPassword)
	kimID, _ := d.Store.ClientIDForUser(context.Background(), kim.ID)
	ap := d.book(t, kimID, d.ana, d.at(2026, 3, 11, 10, 0))[0]
	paths := []string{"/desk", "/desk?date=2026-03-11", "/desk/week", "/desk/appointments/" + deskID(ap.ID),
		"/desk/appointments/" + deskID(ap.ID) + "/move", "/desk/clients", "/desk/clients/" + deskID(kimID),
		"/desk/recall", "/desk/therapists"}
	for _, who := range []store.User{d.Client, d.ana} {
		tc := d.as(t, who)
		for _, path := range paths {
			if r := tc.get(path); r.StatusCode != http.StatusNotFound || strings.Contains(r.Body, "Kim Park") {
				t.Errorf("%s GET %s: %d (shows Kim: %v); want 404", who.Role, path, r.StatusCode, strings.Contains(r.Body, "Kim Park"))
			}
		}
		page := "/desk/appointments/" + deskID(ap.ID)
		tc.postForm(page+"/status", "/account", url.Values{"status": {"no_show"}}).wantStatus(http.StatusNotFound)
		tc.postForm(page+"/cancel", "/account", url.Values{"reason": {"x"}}).wantStatus(http.StatusNotFound)
	}
	if got, _ := d.Store.AppointmentByID(context.Background(), ownerActor, ap.ID); got.Status != "booked" {
		t.Errorf("after the refused requests the appointment is %q; want booked", got.Status)
	}
	d.as(t, d.Owner).get("/desk").wantStatus(http.StatusOK)
}
