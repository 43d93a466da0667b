package handlers_test

import (
	"bytes"
	"context"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"allium/clinic"
)

// TestSetupFromAnEmptyDatabase walks the guided setup over HTTP: until a service, a room and
// a therapist with hours who offers it exist, online booking says "not open yet" with the
// phone, and the owner's home lists what is missing; afterwards the list is empty.
func TestSetupFromAnEmptyDatabase(t *testing.T) {
	ta := newTestApp(t)
	owner := ta.client(t)
	owner.postForm("/setup", "/setup", url.Values{"clinic": {"Wattle Lane"}, "name": {"Olive Owner"},
		"email": {"olive@wattle.example"}, "password": {testPassword}}).wantRedirect("/admin/settings?setup=1")
	home := owner.get("/admin").text()
	for _, want := range []string{"Online booking is not open yet", "No service yet", "The clinic has no phone number yet"} {
		if !strings.Contains(home, want) {
			t.Errorf("the checklist lacks %q", want)
		}
	}

	set := validSettings(ta.App.Settings())
	set.Set("phone", "02 9000 1234")
	set.Set("setup", "1")
	owner.postForm("/admin/settings", "/admin/settings?setup=1", set).wantRedirect("/admin/services?setup=1")
	visitor := ta.client(t)
	if r := visitor.get("/book"); !strings.Contains(r.text(), "not open yet") || !strings.Contains(r.text(), "02 9000 1234") {
		t.Errorf("booking before setup: %d %s", r.StatusCode, r.text())
	}

	// Bad input: each message beside its field, and nothing saved.
	bad := url.Values{"name": {"Remedial 60"}, "duration": {"62"}, "buffer": {"90"}, "price": {"-5"}, "kind": {"follow_up"},
		"sort": {"0"}, "needs_room": {"1"}, "setup": {"1"}}
	r := owner.postForm("/admin/services", "/admin/services?setup=1", bad)
	r.wantStatus(http.StatusUnprocessableEntity)
	for field, want := range map[string]string{"duration": "multiple of 5 minutes", "price": "cannot be negative"} {
		if !strings.Contains(r.fieldError(field), want) {
			t.Errorf("%s: message %q, want %q", field, r.fieldError(field), want)
		}
	}
	if all, _ := ta.Store.AllServices(context.Background(), ownerActor); len(all) != 0 {
		t.Fatalf("an invalid service was saved: %+v", all)
	}
	good := url.Values{"name": {"Remedial 60"}, "duration": {"60"}, "buffer": {"15"}, "price": {"95.50"}, "kind": {"follow_up"},
		"sort": {"0"}, "needs_room": {"1"}, "setup": {"1"}}
	owner.postForm("/admin/services", "/admin/services?setup=1", good).wantRedirect("/admin/services?setup=1")
	if page := owner.get("/admin/services?setup=1").text(); !strings.Contains(page, "$95.50") || !strings.Contains(page, "Next: Rooms") {
		t.Errorf("services step: %s", page)
	}
	owner.postForm("/admin/rooms", "/admin/rooms?setup=1", url.Values{"name": {"Wattle room"}, "setup": {"1"}}).wantRedirect("/admin/rooms?setup=1")
	owner.postForm("/admin/staff/invite", "/admin/staff?setup=1", url.Values{"name": {"Sam Okafor"}, "email": {"sam@wattle.example"},
		"role": {"therapist"}, "setup": {"1"}}).wantRedirect("/admin/staff?setup=1")
	if home := owner.get("/admin").text(); !strings.Contains(home, "No therapist offers Remedial 60") || !strings.Contains(home, "Sam Okafor has no hours") {
		t.Errorf("the checklist after inviting Sam: %s", home)
	}

	ctx := context.Background()
	therapists, _ := ta.Store.Therapists(ctx)
	services, _ := ta.Store.Services(ctx)
	sam := strconv.FormatInt(therapists[0].ID, 10)
	owner.postForm("/admin/therapists/"+sam, "/admin/therapists/"+sam, url.Values{"display_name": {"Sam"}, "bio": {"Sports and remedial."},
		"service": {strconv.FormatInt(services[0].ID, 10)}}).wantRedirect("/admin/staff")
	hours := url.Values{}
	for _, d := range []string{"monday", "tuesday", "wednesday", "thursday", "friday"} {
		hours.Set(d, "09:00-17:00")
	}
	owner.postForm("/desk/therapists/"+sam+"/hours", "/desk/therapists/"+sam+"/hours", hours).wantRedirect("/desk/therapists/" + sam + "/hours")
	if home := owner.get("/admin").text(); !strings.Contains(home, "Online booking is open.") {
		t.Errorf("the checklist is not empty: %s", home)
	}
	if r := visitor.get("/book"); strings.Contains(r.text(), "not open yet") || !strings.Contains(r.text(), "Remedial 60") {
		t.Errorf("booking after setup: %s", r.text())
	}
}

// A service form with a buffer longer than the session, and one retired: no longer offered.
func TestServiceRetiredIsNotOffered(t *testing.T) {
	ta, bc := newBookingApp(t)
	owner := ta.client(t)
	owner.signIn(bc.Owner.Email, testPassword)
	id := strconv.FormatInt(bc.Other, 10)
	r := owner.postForm("/admin/services/"+id, "/admin/services/"+id, url.Values{"name": {"Short"}, "duration": {"30"},
		"buffer": {"45"}, "price": {"50"}, "kind": {"follow_up"}, "sort": {"1"}})
	r.wantStatus(http.StatusUnprocessableEntity)
	if !strings.Contains(r.fieldError("buffer"), "longer than the session") {
		t.Errorf("buffer message: %q", r.fieldError("buffer"))
	}
	owner.postForm("/admin/services/"+id+"/active", "/admin/services/"+id, url.Values{"active": {"0"}}).wantRedirect("/admin/services")
	if _, err := ta.Store.ServiceByID(context.Background(), bc.Other); err == nil {
		t.Error("a retired service is still offered")
	}
	sv, _ := ta.Store.ServiceForOwner(context.Background(), ownerActor, bc.Other)
	if sv.Name == "Short" || sv.Kind != clinic.KindFollowUp && sv.Kind != clinic.KindCourse {
		t.Errorf("the refused edit was saved: %+v", sv)
	}
}

// A closure in the past is refused beside its field; one on a booked day lists the booking,
// which stays booked and shows on the therapist's hours page until someone moves it.
func TestClosureListsTheBookingsItCloses(t *testing.T) {
	ta, bc := newBookingApp(t)
	owner := ta.client(t)
	owner.signIn(bc.Owner.Email, testPassword)
	cid := ta.clientID(t, bc.Client)
	ta.book(t, cid, bc.Course, bc.Therapist.ID, bc.local(2026, 3, 16, 10, 0))

	for value, want := range map[string]string{"2020-01-01": clinic.MsgDateInPast, "2026-02-30": clinic.MsgDateFormat} {
		r := owner.postForm("/admin/closures", "/admin/closures", url.Values{"date": {value}})
		r.wantStatus(http.StatusUnprocessableEntity)
		if r.fieldError("date") != want {
			t.Errorf("closure on %s: %q, want %q", value, r.fieldError("date"), want)
		}
	}
	r := owner.postForm("/admin/closures", "/admin/closures", url.Values{"date": {"2026-03-16"}, "reason": {"Staff training"}})
	r.wantStatus(http.StatusOK)
	if !strings.Contains(r.text(), bc.Client.Name) || !strings.Contains(r.text(), "stay booked") {
		t.Errorf("the closure does not list the booking: %s", r.text())
	}
	hours := owner.get("/desk/therapists/" + strconv.FormatInt(bc.Therapist.ID, 10) + "/hours").text()
	if !strings.Contains(hours, "The clinic is closed that day") {
		t.Errorf("the hours page does not list the booking on the closed day: %s", hours)
	}
	// One-off hours: away on the 17th.
	sam := strconv.FormatInt(bc.Therapist.ID, 10)
	owner.postForm("/desk/therapists/"+sam+"/datehours", "/desk/therapists/"+sam+"/hours",
		url.Values{"on_date": {"2026-03-17"}, "on_hours": {""}}).wantRedirect("/desk/therapists/" + sam + "/hours")
	if page := owner.get("/desk/therapists/" + sam + "/hours").text(); !strings.Contains(page, "Tue 17 Mar 2026") || !strings.Contains(page, "Away") {
		t.Errorf("the one-off day is not listed: %s", page)
	}
}

// The owner previews an export, sees new, duplicate and error rows, imports, and reads the
// report; files that cannot be imported are refused with a message beside the file field.
func TestImportClientsPreviewAndReport(t *testing.T) {
	ta, bc := newBookingApp(t)
	owner := ta.client(t)
	owner.signIn(bc.Owner.Email, testPassword)
	csv := "First Name,Last Name,Email,Mobile,DOB\n" +
		"Riley,Park,riley@example.com,0400 000 001,31/05/1980\n" +
		"Alex,Client," + bc.Client.Email + ",,\n" +
		"Bad,Email,not-an-email,,\n"
	upload := func(path, content string) *resp {
		return owner.postMultipart(path, "/admin/import", "file", "clients.csv", content)
	}
	r := upload("/admin/import/preview", csv)
	r.wantStatus(http.StatusOK)
	for _, want := range []string{"1 new clients", "1 already here", "1 with errors", "Already a client here (same email).",
		"The email address not-an-email is not valid."} {
		if !strings.Contains(r.text(), want) {
			t.Errorf("the preview lacks %q", want)
		}
	}
	if n := len(mustClients(t, ta)); n != 1 {
		t.Fatalf("the preview saved clients: %d", n)
	}
	run := owner.postForm("/admin/import", "/admin/import", url.Values{"data": {csv}, "mapped": {"1"},
		"map_first_name": {"0"}, "map_last_name": {"1"}, "map_email": {"2"}, "map_phone": {"3"}, "map_birth_date": {"4"},
		"map_name": {"-1"}, "map_notes": {"-1"}})
	run.wantStatus(http.StatusOK)
	if !strings.Contains(run.text(), "1 clients created") || !strings.Contains(run.text(), "2 rows skipped") {
		t.Errorf("report: %s", run.text())
	}
	if n := len(mustClients(t, ta)); n != 2 {
		t.Errorf("%d clients after the import, want 2", n)
	}

	for name, c := range map[string]struct{ content, want string }{
		"Latin-1":        {"Name\nJos\xe9\n", "not UTF-8"},
		"no name column": {"Email\na@example.com\n", "No column holds the clients' names"},
	} {
		r := upload("/admin/import/preview", c.content)
		r.wantStatus(http.StatusUnprocessableEntity)
		if !strings.Contains(r.fieldError("file"), c.want) {
			t.Errorf("%s: %q", name, r.fieldError("file"))
		}
	}
	big := owner.postMultipart("/admin/import/preview", "/admin/import", "file", "big.csv", "Name\n"+strings.Repeat("Riley Park\n", 6<<20/11))
	if big.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(big.text(), "Client files of up to 5 MB") {
		t.Errorf("a 6 MB file: %d %s", big.StatusCode, big.text())
	}
}

func mustClients(t *testing.T, ta *testApp) []string {
	t.Helper()
	keys, err := ta.Store.ClientImportKeys(context.Background(), ownerActor)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for k := range keys {
		if strings.HasPrefix(k, "e:") {
			out = append(out, k)
		}
	}
	return out
}

// postMultipart uploads one file as the form on formPath would, CSRF token included.
func (tc *testClient) postMultipart(path, formPath, field, filename, content string) *resp {
	tc.t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	_ = w.WriteField("csrf", tc.csrf(formPath))
	fw, err := w.CreateFormFile(field, filename)
	if err != nil {
		tc.t.Fatal(err)
	}
	_, _ = fw.Write([]byte(content))
	_ = w.Close()
	req := tc.newRequest(http.MethodPost, path, &body)
	req.Header.Set("Content-Type", w.FormDataContentType())
	return tc.do(req)
}

// A column the export names its own way is chosen on the preview.
func TestImportColumnChosenByHand(t *testing.T) {
	ta, bc := newBookingApp(t)
	owner := ta.client(t)
	owner.signIn(bc.Owner.Email, testPassword)
	data := "Kunde,E-Mail\nJo Weber,jo@example.com\n"
	r := owner.postMultipart("/admin/import/preview", "/admin/import", "file", "kunden.csv", data)
	r.wantStatus(http.StatusUnprocessableEntity)
	if !strings.Contains(r.text(), "Preview with these columns") {
		t.Fatal("no column choice offered for a file without a name column")
	}
	r = owner.postForm("/admin/import/preview", "/admin/import", url.Values{"data": {data}, "mapped": {"1"}, "map_name": {"0"},
		"map_email": {"1"}})
	r.wantStatus(http.StatusOK)
	if !strings.Contains(r.text(), "1 new clients") || !strings.Contains(r.text(), "Jo Weber") {
		t.Errorf("preview with the chosen column: %s", r.text())
	}
}

// The rooms page will not retire a room with bookings to come, and names them; a longer
// service lists the bookings it would make overlap, which keep their length.
func TestRoomRetireAndLongerServiceListBookings(t *testing.T) {
	ta, bc := newBookingApp(t)
	owner := ta.client(t)
	owner.signIn(bc.Owner.Email, testPassword)
	cid := ta.clientID(t, bc.Client)
	first := bc.local(2026, 3, 16, 10, 0)
	ta.book(t, cid, bc.Course, bc.Therapist.ID, first) // two visits the same day: not one course
	ta.book(t, cid, bc.Course, bc.Therapist.ID, first.Add(75*time.Minute))
	room := strconv.FormatInt(bc.Room, 10)
	r := owner.postForm("/admin/rooms/"+room+"/active", "/admin/rooms", url.Values{"active": {"0"}})
	r.wantStatus(http.StatusConflict)
	if !strings.Contains(r.text(), clinic.MsgRoomInUse) || !strings.Contains(r.text(), bc.Client.Name+", Mon 16 Mar 2026, 10:00") {
		t.Errorf("retiring a booked room: %s", r.text())
	}
	id := strconv.FormatInt(bc.Course, 10)
	r = owner.postForm("/admin/services/"+id, "/admin/services/"+id, url.Values{"name": {"Remedial 90"}, "duration": {"90"},
		"buffer": {"15"}, "price": {"120"}, "kind": {"course"}, "course_sessions": {"4"}, "spacing_days": {"7"}, "sort": {"0"},
		"needs_room": {"1"}})
	r.wantStatus(http.StatusOK)
	if !strings.Contains(r.text(), "keep their length") || !strings.Contains(r.text(), "Mon 16 Mar 2026, 10:00") ||
		strings.Contains(r.text(), "Mon 16 Mar 2026, 11:15") {
		t.Errorf("lengthening the service: %s", r.text())
	}
}
