package handlers_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"allium/clinic"
	"allium/store"
)

// The authorisation matrix: every route of the route table, asked by seven people, with the
// answer each must get. The personas, in column order:
//
//	anon    nobody signed in
//	clientA the client whose records the ids in the paths name
//	clientB another client
//	ther    Sam, clientA's therapist
//	ther2   another therapist
//	desk    reception
//	owner   the owner
//
// Answers: o = let in (any answer but 404, sign-in or 5xx: a 422 for an empty form is fine),
// s = sent to sign in, n = the same 404 page as a page that does not exist. A route with no
// line here fails the test, so a new route cannot ship without deciding who may use it.
var matrix = map[string]string{
	"GET /":                               "ooooooo",
	"GET /healthz":                        "ooooooo",
	"GET /signin":                         "ooooooo",
	"POST /signin":                        "ooooooo",
	"POST /signout":                       "ooooooo",
	"GET /forgot":                         "ooooooo",
	"POST /forgot":                        "ooooooo",
	"GET /reset/:token":                   "nnnnnnn",
	"POST /reset/:token":                  "nnnnnnn",
	"GET /signin/link":                    "ooooooo",
	"POST /signin/link":                   "ooooooo",
	"GET /signin/link/:token":             "nnnnnnn",
	"POST /signin/link/:token":            "nnnnnnn",
	"GET /setup":                          "nnnnnnn",
	"POST /setup":                         "nnnnnnn",
	"GET /invite/:token":                  "nnnnnnn",
	"POST /invite/:token":                 "nnnnnnn",
	"GET /account":                        "soooooo",
	"POST /account/password":              "soooooo",
	"POST /account/signout-everywhere":    "soooooo",
	"GET /my":                             "soonnnn",
	"GET /therapist":                      "snnoono",
	"GET /admin":                          "snnnnno",
	"GET /admin/settings":                 "snnnnno",
	"POST /admin/settings":                "snnnnno",
	"GET /admin/staff":                    "snnnnno",
	"POST /admin/staff/invite":            "snnnnno",
	"POST /admin/staff/:id/active":        "snnnnno",
	"GET /admin/mail":                     "snnnnno",
	"GET /admin/mail/:id":                 "snnnnno",
	"POST /admin/outbox/:id/resend":       "snnnnoo",
	"GET /admin/audit":                    "snnnnno",
	"GET /admin/assessments":              "snnnnno",
	"GET /admin/services":                 "snnnnno",
	"GET /admin/import":                   "snnnnno",
	"POST /admin/import/preview":          "snnnnno",
	"POST /admin/import":                  "snnnnno",
	"GET /admin/closures":                 "snnnnno",
	"POST /admin/closures":                "snnnnno",
	"POST /admin/closures/:date/delete":   "snnnnno",
	"POST /desk/therapists/:id/datehours": "snnonoo",
	"POST /desk/therapists/:id/datehours/:date/delete": "snnonoo",
	"POST /admin/services":                             "snnnnno",
	"GET /admin/services/:id":                          "snnnnno",
	"POST /admin/services/:id":                         "snnnnno",
	"POST /admin/services/:id/active":                  "snnnnno",
	"POST /admin/services/:id/delete":                  "snnnnno",
	"GET /admin/rooms":                                 "snnnnno",
	"POST /admin/rooms":                                "snnnnno",
	"POST /admin/rooms/:id":                            "snnnnno",
	"POST /admin/rooms/:id/active":                     "snnnnno",
	"GET /admin/therapists/:id":                        "snnnnno",
	"POST /admin/therapists/:id":                       "snnnnno",
	"GET /assessment":                                  "ooooooo",
	"POST /assessment/start":                           "ooooooo",
	"GET /assessment/d/:token/result":                  "ooooooo",
	"GET /assessment/d/:token/:step":                   "ooooooo",
	"POST /assessment/d/:token/:step":                  "ooooooo",
	"GET /book":                                        "ooooooo",
	"GET /book/times":                                  "ooooooo",
	"GET /book/course":                                 "ooooooo",
	"POST /book/confirm":                               "ooooooo",
	"POST /waitlist":                                   "soonnnn",
	"GET /my/appointments/:id":                         "sonnnnn",
	"POST /my/appointments/:id/cancel":                 "sonnnnn",
	"GET /my/appointments/:id/move":                    "sonnnnn",
	"POST /my/appointments/:id/move":                   "sonnnnn",
	"GET /m/:token":                                    "ooooooo",
	"GET /my/appointments/:id/calendar.ics":            "sonnnnn",
	"GET /m/:token/calendar.ics":                       "ooooooo",
	"POST /m/:token/cancel":                            "ooooooo",
	"GET /m/:token/move":                               "ooooooo",
	"POST /m/:token/move":                              "ooooooo",
	"GET /desk":                                        "snnnnoo",
	"GET /desk/week":                                   "snnnnoo",
	"GET /desk/appointments/:id":                       "snnnnoo",
	"POST /desk/appointments/:id/status":               "snnnnoo",
	"POST /desk/appointments/:id/undo":                 "snnnnoo",
	"POST /desk/appointments/:id/cancel":               "snnnnoo",
	"GET /desk/appointments/:id/move":                  "snnnnoo",
	"POST /desk/appointments/:id/move":                 "snnnnoo",
	"GET /desk/clients":                                "snnnnoo",
	"POST /desk/clients":                               "snnnnoo",
	"GET /desk/clients/:id":                            "snnnnoo",
	"POST /desk/clients/:id":                           "snnnnoo",
	"POST /desk/clients/:id/merge":                     "snnnnoo",
	"GET /desk/therapists":                             "snnnnoo",
	"GET /desk/therapists/:id/hours":                   "snnonoo",
	"POST /desk/therapists/:id/hours":                  "snnonoo",
	"POST /desk/therapists/:id/timeoff":                "snnonoo",
	"POST /desk/timeoff/:id/delete":                    "snnonoo",
	"GET /desk/recall":                                 "snnnnoo",
	"POST /desk/recall/mark":                           "snnnnoo",
	"POST /desk/recall/remind":                         "snnnnoo",
	"GET /ical/:token":                                 "ooooooo",
	"GET /account/calendar":                            "snnoono",
	"POST /account/ical":                               "snnoono",
	"POST /account/ical/revoke":                        "snnoono",
	"POST /account/daylist":                            "snnoono",
	"GET /unsubscribe/:token":                          "ooooooo",
	"GET /clients/:id/chart":                           "snnonno",
	"POST /clients/:id/class":                          "snnonno",
	"POST /clients/:id/flags":                          "snnonno",
	"POST /clients/:id/consent":                        "snnonno",
	"GET /clients/:id/findings/new":                    "snnonno",
	"POST /clients/:id/findings":                       "snnonno",
	"GET /findings/:id":                                "snnonno",
	"GET /clients/:id/plans/new":                       "snnonno",
	"POST /clients/:id/plans":                          "snnonno",
	"GET /plans/:id":                                   "snnonno",
	"POST /plans/:id/event":                            "snnonno",
	"POST /plans/:id/course":                           "snnonno",
	"GET /plans/:id/reassess":                          "snnonno",
	"POST /plans/:id/reassess":                         "snnonno",
	"GET /appointments/:id/note":                       "snnonno",
	"POST /appointments/:id/note":                      "snnonnn",
	"POST /appointments/:id/note/sign":                 "snnonnn",
	"GET /notes/:id":                                   "snnonno",
	"POST /notes/:id/addenda":                          "snnonno",
	"GET /clients/:id/referrals/new":                   "snnonno",
	"POST /clients/:id/referrals":                      "snnonno",
	"GET /referrals/:id":                               "snnonno",
	"POST /referrals/:id/sent":                         "snnonno",
	"GET /my/plan":                                     "soonnnn",
	"POST /unsubscribe/:token":                         "ooooooo",
	"GET /reports/attendance":                          "snnoono",
	"GET /reports/outcomes":                            "snnoono",
	"GET /reports/utilisation":                         "snnoono",
	"GET /reports/clients":                             "snnoono",
	"GET /my/record":                                   "soonnnn",
	"GET /my/record.json":                              "soonnnn",
	"GET /desk/clients/:id/record":                     "snnnnoo",
	"GET /desk/clients/:id/record.json":                "snnnnoo",
	"GET /admin/retention":                             "snnnnno",
	"POST /admin/retention/:id":                        "snnnnno",
	"GET /signin/code":                                 "ooooooo",
	"POST /signin/code":                                "ooooooo",
	"GET /account/2fa":                                 "snnoooo",
	"GET /account/2fa/qr.png":                          "snnoooo",
	"POST /account/2fa":                                "snnoooo",
	"POST /account/2fa/codes":                          "snnoooo",
	"POST /admin/staff/:id/2fa/reset":                  "snnnnno",
	"GET /book/sent":                                   "ooooooo",
	"GET /book/hold/:token":                            "ooooooo",
	"POST /book/hold/:token":                           "ooooooo",
	"POST /clients/:id/booking-block/clear":            "snnonno",
	"POST /desk/appointments/:id/price":                "snnnnoo",
	"POST /desk/appointments/:id/fee":                  "snnnnoo",
	"POST /desk/appointments/:id/pay":                  "snnnnoo",
	"POST /desk/payments/:id/refund":                   "snnnnoo",
	"GET /desk/payments/:id/receipt":                   "snnnnoo",
	"POST /desk/invoices/:id/credit":                   "snnnnoo",
	"GET /desk/takings":                                "snnnnoo",
	"GET /desk/owed":                                   "snnnnoo",
	"GET /admin/revenue":                               "snnnnno",
	"POST /my/receipts/email":                          "soonnnn",
	"GET /my/receipts/:id":                             "sonnnnn",
	"POST /desk/appointments/:id/package":              "snnnnoo",
	"POST /desk/appointments/:id/package/pay":          "snnnnoo",
	"POST /desk/appointments/:id/package/end":          "snnnnoo",
	"GET /desk/prepaid/:id":                            "snnnnoo",
	"GET /my/prepaid/:id":                              "sonnnnn",

	"POST /desk/appointments/:id/package/refund/:payment": "snnnnoo",
}

var personas = []string{"anon", "clientA", "clientB", "ther", "ther2", "desk", "owner"}

// matrixWorld is the data the paths point at.
type matrixWorld struct {
	appt, client, ther, spare, mailID, outboxID, timeOff int64
	service, room                                        int64
	plan, findings, note, referral                       int64
	payment, invoice, drawn                              int64
	manage, draft, feed, unsubscribe, hold               string
	holds                                                int // made by freshHold, so each takes its own time
}

// freshHold holds a visitor's booking of a time not held or booked before, and returns the
// token of its link.
func (w *matrixWorld) freshHold(t *testing.T, ta *testApp, bc bookingClinic) string {
	t.Helper()
	w.holds++
	holds := w.holds
	start := bc.local(2026, 3, 19, 9, 0).AddDate(0, 0, holds/7).Add(time.Duration(holds%7) * time.Hour)
	err := ta.Store.HoldBooking(context.Background(), "192.0.2.50", store.HoldRequest{TTL: 15 * time.Minute,
		BookingRequest: store.BookingRequest{ServiceID: w.service, TherapistID: bc.Therapist.ID, Starts: []time.Time{start}, Consent: true},
		Visitor:        store.Visitor{Name: "Holly Holder", Email: fmt.Sprintf("holder%d@example.com", holds), Phone: "0400 555 000"}})
	if err != nil {
		t.Fatalf("hold %s: %v", start, err)
	}
	return ta.lastToken(t, "booking_hold", fmt.Sprintf("holder%d@example.com", holds))
}

func (w matrixWorld) fill(t *testing.T, path string) string {
	t.Helper()
	id := func(prefix string, v int64) {
		if strings.HasPrefix(path, prefix) {
			path = strings.Replace(path, ":id", strconv.FormatInt(v, 10), 1)
		}
	}
	id("/my/appointments/", w.appt)
	id("/desk/appointments/", w.appt)
	id("/desk/clients/", w.client)
	id("/desk/payments/", w.payment)
	id("/my/receipts/", w.payment)
	id("/my/prepaid/", w.drawn)
	id("/desk/prepaid/", w.drawn)
	id("/desk/invoices/", w.invoice)
	id("/clients/", w.client)
	id("/appointments/", w.appt)
	id("/plans/", w.plan)
	id("/findings/", w.findings)
	id("/notes/", w.note)
	id("/referrals/", w.referral)
	id("/desk/therapists/", w.ther)
	id("/desk/timeoff/", w.timeOff)
	id("/admin/staff/", w.spare)
	id("/admin/retention/", w.client)
	id("/admin/services/", w.service) // booked: a delete is refused
	id("/admin/rooms/", w.room)       // booked: retiring is refused
	id("/admin/therapists/", w.ther)
	id("/admin/mail/", w.mailID)
	id("/admin/outbox/", w.outboxID)
	tok := func(prefix, v string) {
		if strings.HasPrefix(path, prefix) {
			path = strings.Replace(path, ":token", v, 1)
		}
	}
	tok("/m/", w.manage)
	tok("/assessment/d/", w.draft)
	tok("/ical/", w.feed+".ics")
	tok("/unsubscribe/", w.unsubscribe)
	tok("/book/hold/", w.hold)
	path = strings.NewReplacer(":token", "not-a-real-token", ":step", "1", ":date", matrixDate.String(),
		":payment", strconv.FormatInt(w.payment, 10)).Replace(path)
	if strings.Contains(path, ":") {
		t.Fatalf("%s: the matrix test does not know what to put in this path; teach matrixWorld.fill", path)
	}
	return path
}

// newMatrixWorld is a clinic with something behind every path: Alex's (clientA's) booking,
// plan, signed note, findings and referral with Sam, a delivered message, time off, a spare
// staff account, an assessment draft, a calendar feed and an unsubscribe link. It returns the
// sign-in email of each persona.
func newMatrixWorld(t *testing.T) (*testApp, bookingClinic, *matrixWorld, map[string]string) {
	t.Helper()
	ta, bc := newBookingApp(t)
	ctx := context.Background()
	clientB := ta.mustUser(t, clinic.RoleClient, "bea@example.com", "Bea Client", testPassword)
	ther2 := ta.mustUser(t, clinic.RoleTherapist, "tom@clinic.test", "Tom Other", testPassword)
	spare := ta.mustUser(t, clinic.RoleReception, "spare@clinic.test", "Spare Desk", testPassword)
	w := &matrixWorld{client: ta.clientID(t, bc.Client), ther: bc.Therapist.ID, spare: spare.ID, service: bc.Course, room: bc.Room}
	w.appt = ta.book(t, w.client, bc.Course, bc.Therapist.ID, bc.local(2026, 3, 12, 10, 0)).Appointments[0].ID
	// A paid, invoiced session behind the money paths.
	paid := ta.book(t, w.client, bc.Course, bc.Therapist.ID, bc.local(2026, 3, 13, 15, 0)).Appointments[0]
	if _, err := ta.Store.SetPrice(ctx, store.System, paid.ID, 12000, "list price"); err != nil {
		t.Fatal(err)
	}
	now := ta.Clock.Now()
	ta.Clock.Set(paid.End) // a session is marked completed once it has begun
	if _, err := ta.Store.SetStatus(ctx, store.System, paid.ID, clinic.ApptCompleted); err != nil {
		t.Fatal(err)
	}
	ta.Clock.Set(now)
	pay, _, err := ta.Store.RecordPayment(ctx, store.System, store.PaymentRequest{AppointmentID: paid.ID, Method: clinic.PayCard,
		Amount: 12000, Key: "matrix"})
	if err != nil {
		t.Fatal(err)
	}
	acc, err := ta.Store.AppointmentAccount(ctx, store.System, paid.ID)
	if err != nil {
		t.Fatal(err)
	}
	iv, _ := acc.Invoice()
	w.payment, w.invoice = pay.ID, iv.ID
	// A prepaid course, paid, its first session drawn: behind the drawn session's receipt.
	course := ta.book(t, w.client, bc.Course, bc.Therapist.ID, bc.local(2026, 4, 13, 10, 0), bc.local(2026, 4, 20, 10, 0))
	for _, ap := range course.Appointments {
		if _, err := ta.Store.SetPrice(ctx, store.System, ap.ID, 10000, "list price"); err != nil {
			t.Fatal(err)
		}
	}
	if _, _, err := ta.Store.SellPackage(ctx, store.System, course.CourseID, "matrix-sell"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := ta.Store.PayPackage(ctx, store.System, course.CourseID, store.PaymentRequest{Method: clinic.PayCash,
		Amount: 20000, Key: "matrix-package"}); err != nil {
		t.Fatal(err)
	}
	ta.Clock.Set(course.Appointments[0].End)
	if _, err := ta.Store.SetStatus(ctx, store.System, course.Appointments[0].ID, clinic.ApptCompleted); err != nil {
		t.Fatal(err)
	}
	ta.Clock.Set(now)
	w.drawn = course.Appointments[0].ID
	cc := newChartClinic(t, ta.Store, ta.Clock, bc.Therapist.ID, bc.Client.ID)
	plan := cc.activePlan(t)
	w.service = cc.service
	w.plan = plan.ID
	w.note = cc.signNote(t, cc.book(t, 1)[0], plan, 4)
	if w.findings, err = ta.Store.RecordFindings(ctx, cc.sam, clinic.Findings{ClientID: w.client, Kind: "initial", Complaint: "neck"}); err != nil {
		t.Fatal(err)
	}
	if w.referral, err = ta.Store.CreateReferral(ctx, cc.sam, clinic.Referral{ClientID: w.client, Target: "gp", Reason: "other",
		Urgency: "routine", Letter: "Dear Doctor"}, false); err != nil {
		t.Fatal(err)
	}
	if w.manage, err = ta.Store.ManagePath(ctx, w.appt, 1); err != nil {
		t.Fatal(err)
	}
	w.manage = strings.TrimPrefix(w.manage, "/m/")
	if w.draft, _, err = ta.Store.CreateAssessmentDraft(ctx); err != nil {
		t.Fatal(err)
	}
	if w.feed, err = ta.Store.CreateCalendarFeed(ctx, store.Actor{UserID: bc.Therapist.ID, Role: clinic.RoleTherapist}); err != nil {
		t.Fatal(err)
	}
	w.unsubscribe = strings.TrimPrefix(ta.Store.UnsubscribePath(w.client), "/unsubscribe/")
	w.hold = w.freshHold(t, ta, bc)
	// The spare desk signs in with a second factor, so the staff page offers its reset.
	spareActor := store.Actor{UserID: spare.ID, Role: spare.Role}
	if _, err := ta.Store.EnableTwoFactor(ctx, spareActor, "JBSWY3DPEHPK3PXP", totpFromSecret(t, "JBSWY3DPEHPK3PXP", ta.Clock.Now())); err != nil {
		t.Fatal(err)
	}
	ta.drainMail(t)
	box, _ := ta.Store.Mailbox(ctx, ownerActor, "", 1)
	rows, _ := ta.Store.Outbox(ctx, ownerActor, store.OutboxFilter{Limit: 1})
	if len(box) == 0 || len(rows) == 0 {
		t.Fatal("the fixture needs a delivered message")
	}
	w.mailID, w.outboxID = box[0].ID, rows[0].ID

	emails := map[string]string{"clientA": bc.Client.Email, "clientB": clientB.Email, "ther": bc.Therapist.Email,
		"ther2": ther2.Email, "desk": bc.Reception.Email, "owner": bc.Owner.Email}
	return ta, bc, w, emails
}

func TestAuthorisationMatrix(t *testing.T) {
	t.Parallel()
	ta, bc, w, emails := newMatrixWorld(t)
	ctx := context.Background()
	browsers := map[string]*testClient{}
	signIn := func(p string) {
		browsers[p] = ta.client(t)
		if p != "anon" {
			browsers[p].signIn(emails[p], testPassword)
		}
	}
	for _, p := range personas {
		signIn(p)
	}

	seen := map[string]bool{}
	for _, route := range ta.App.Routes() {
		key := route.Method + " " + route.Path
		seen[key] = true
		want, ok := matrix[key]
		got := make([]byte, len(personas))
		for i, p := range personas {
			// Let every persona find the record as the first did: deleted leave and a message
			// already queued again would otherwise answer 404 to whoever comes next.
			if strings.HasPrefix(route.Path, "/desk/timeoff/") {
				w.timeOff = freshTimeOff(t, ta, bc)
			}
			if strings.HasPrefix(route.Path, "/admin/closures/") || strings.Contains(route.Path, "/datehours/") {
				freshDates(t, ta, bc)
			}
			if strings.HasPrefix(route.Path, "/book/hold/") {
				w.hold = w.freshHold(t, ta, bc)
			}
			if strings.HasPrefix(route.Path, "/admin/outbox/") {
				if err := ta.Store.MarkFailed(ctx, w.outboxID, "550 mailbox unavailable"); err != nil {
					t.Fatal(err)
				}
			}
			path := w.fill(t, route.Path)
			r := matrixSend(browsers[p].in(t), route.Method, path, p == "anon")
			got[i] = answerCode(r)
			if r.StatusCode >= 500 {
				t.Errorf("%s as %s: %d", key, p, r.StatusCode)
			}
			if got[i] == 'n' && !strings.Contains(r.text(), "Page not found") && !strings.Contains(r.text(), "no longer works") {
				t.Errorf("%s as %s: a 404 without the calm not-found page", key, p)
			}
			if strings.HasSuffix(route.Path, "signout") || key == "POST /book/hold/:token" || strings.HasSuffix(route.Path, "signout-everywhere") || (key == "POST /admin/staff/:id/active") {
				signIn(p) // that route ended the session, as it should
			}
		}
		switch {
		case !ok:
			t.Errorf("no matrix line for %q: decide who may use it (observed %q)", key, got)
		case string(got) != want:
			t.Errorf("%s: got %s, want %s (columns: %s)", key, got, want, strings.Join(personas, " "))
		}
	}
	for key := range matrix {
		if !seen[key] {
			t.Errorf("matrix line %q names no route", key)
		}
	}
}

// matrixDate is the date of the closure and of Sam's one-off hours the delete routes name.
var matrixDate = clinic.Date{Y: 2026, M: 4, D: 3}

// freshDates closes the clinic on matrixDate and gives Sam hours of their own that day.
func freshDates(t *testing.T, ta *testApp, bc bookingClinic) {
	t.Helper()
	ctx := context.Background()
	if _, err := ta.Store.AddClosure(ctx, store.System, store.Closure{Date: matrixDate}, bc.Loc); err != nil {
		t.Fatal(err)
	}
	if _, err := ta.Store.SetDateHours(ctx, store.System, store.DateHours{TherapistID: bc.Therapist.ID, Date: matrixDate}, bc.Loc); err != nil {
		t.Fatal(err)
	}
}

// freshTimeOff adds a day of leave for Sam and returns its id.
func freshTimeOff(t *testing.T, ta *testApp, bc bookingClinic) int64 {
	t.Helper()
	ctx := context.Background()
	if _, err := ta.Store.AddTimeOff(ctx, store.System, bc.Therapist.ID, bc.local(2026, 4, 1, 9, 0), bc.local(2026, 4, 2, 9, 0), "leave"); err != nil {
		t.Fatal(err)
	}
	sched, err := ta.Store.TherapistSchedule(ctx, store.System, bc.Therapist.ID, bc.local(2026, 3, 1, 0, 0))
	if err != nil || len(sched.TimeOff) == 0 {
		t.Fatalf("time off fixture: %v", err)
	}
	return sched.TimeOff[len(sched.TimeOff)-1].ID
}

func matrixSend(tc *testClient, method, path string, anon bool) *resp {
	if method == http.MethodGet {
		return tc.get(path)
	}
	form := "/account"
	if anon {
		form = "/signin"
	}
	return tc.postForm(path, form, url.Values{})
}

func answerCode(r *resp) byte {
	loc := r.Header.Get("Location")
	switch {
	case r.StatusCode == http.StatusNotFound:
		return 'n'
	case r.StatusCode == http.StatusSeeOther && strings.HasPrefix(loc, "/signin?next="):
		return 's'
	}
	return 'o'
}
