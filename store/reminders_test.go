package store

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
	_ "time/tzdata"

	"allium/clinic"
	"allium/internal/testkit"
)

var sydneyTZ = testkit.Sydney()

// reminderClinic is a Sydney clinic with Sam working 09:00-17:00 daily and a client, Alex.
type reminderClinic struct {
	s                           *Store
	clock                       *testClock
	therapist                   User
	service, client             int64
	therapistActor, clientActor Actor
}

func newReminderClinic(t *testing.T) *reminderClinic {
	t.Helper()
	s, clock := newTestStore(t)
	th := mustCreateUser(t, s, clinic.RoleTherapist, "sam@wattle.example", "")
	svc := mustService(t, s, clinic.Service{Key: "rm60", Name: "Remedial massage", Duration: time.Hour, NeedsRoom: false})
	mustCalendar(t, s, th.ID, testkit.EveryDay(9, 17), sydneyTZ, svc)
	u, cid := mustCreateClient(t, s, "Alex Chen", "alex@example.com")
	return &reminderClinic{s: s, clock: clock, therapist: th, service: svc, client: cid,
		therapistActor: Actor{UserID: th.ID, Role: clinic.RoleTherapist},
		clientActor:    Actor{UserID: u.ID, Role: clinic.RoleClient, ClientID: cid}}
}

func (rc *reminderClinic) book(t *testing.T, starts ...time.Time) Booked {
	t.Helper()
	b, err := rc.s.BookCourse(context.Background(), System, BookingRequest{ClientID: rc.client, ServiceID: rc.service,
		TherapistID: rc.therapist.ID, Starts: starts, Consent: true, Reminders: true})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func (rc *reminderClinic) scan(t *testing.T) int {
	t.Helper()
	n, err := rc.s.QueueNudges(context.Background(), rc.clock.Now())
	if err != nil {
		t.Fatalf("QueueNudges: %v", err)
	}
	return n
}

func (rc *reminderClinic) at(t time.Time) { rc.clock.Set(t) }

// queued lists the outbox rows of a kind, oldest first.
func (rc *reminderClinic) queued(t *testing.T, kind string) []OutboxRow {
	t.Helper()
	rows, err := rc.s.Outbox(context.Background(), System, OutboxFilter{Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	var out []OutboxRow
	for i := len(rows) - 1; i >= 0; i-- {
		if rows[i].Kind == kind {
			out = append(out, rows[i])
		}
	}
	return out
}

func local(y int, m time.Month, d, hh int) time.Time {
	return time.Date(y, m, d, hh, 0, 0, 0, sydneyTZ)
}

// finishFirstOnly completes session 1 of a 4-session course and cancels the rest, so nothing
// is booked after it.
func (rc *reminderClinic) finishFirstOnly(t *testing.T) Booked {
	t.Helper()
	b := rc.book(t, local(2026, 3, 12, 10), local(2026, 3, 19, 10), local(2026, 3, 26, 10), local(2026, 4, 2, 10))
	ctx := context.Background()
	for _, a := range b.Appointments[1:] {
		if _, err := rc.s.Cancel(ctx, System, a.ID, ""); err != nil {
			t.Fatal(err)
		}
	}
	rc.at(b.Appointments[0].End)
	if _, err := rc.s.SetStatus(ctx, System, b.Appointments[0].ID, "completed"); err != nil {
		t.Fatal(err)
	}
	return b
}

func TestBookNextNudgeIsQueuedOnceADayAfterTheSession(t *testing.T) {
	rc := newReminderClinic(t)
	b := rc.finishFirstOnly(t)
	rc.clock.Advance(24*time.Hour - time.Minute)
	if n := rc.scan(t); n != 0 {
		t.Fatalf("just under 24 hours after the session the scan queued %d; want 0", n)
	}
	rc.clock.Advance(time.Minute)
	if n := rc.scan(t); n != 1 {
		t.Fatalf("24 hours after the session the scan queued %d; want the nudge", n)
	}
	for range 3 {
		rc.clock.Advance(5 * time.Minute)
		if n := rc.scan(t); n != 0 {
			t.Errorf("a repeated scan queued %d more; want 0", n)
		}
	}
	rows := rc.queued(t, "book_next")
	if len(rows) != 1 || rows[0].To != "alex@example.com" || rows[0].RefID != b.CourseID {
		t.Fatalf("book_next rows %+v; want one to Alex about the course", rows)
	}
	var p NudgeMail
	if err := json.Unmarshal(rows[0].Payload, &p); err != nil {
		t.Fatal(err)
	}
	if p.SessionsDone != 1 || p.Sessions != 4 || p.TherapistName != "sam" || !strings.Contains(p.BookPath, "date=2026-03-19") ||
		p.Unsubscribe != rc.s.UnsubscribePath(rc.client) {
		t.Errorf("payload %+v; want session 1 of 4 done, booking around the 19th, an unsubscribe link", p)
	}
	if ok, err := rc.s.StillWanted(context.Background(), rows[0]); err != nil || !ok {
		t.Errorf("StillWanted = %v, %v; want true while nothing is booked", ok, err)
	}
	rc.book(t, local(2026, 3, 20, 11))
	if ok, err := rc.s.StillWanted(context.Background(), rows[0]); err != nil || ok {
		t.Errorf("StillWanted after the client booked = %v, %v; want false", ok, err)
	}
}

func TestGapWarningsAndOptOut(t *testing.T) {
	rc := newReminderClinic(t)
	rc.finishFirstOnly(t) // session 1 ended Thu 12 Mar 11:00; the default course allows 10 days
	if err := rc.s.Unsubscribe(context.Background(), rc.s.UnsubscribePath(rc.client)[len("/unsubscribe/"):], "192.0.2.9"); err != nil {
		t.Fatal(err)
	}
	rc.at(local(2026, 3, 23, 9).Add(-time.Minute))
	rc.scan(t)
	if rows := rc.queued(t, "gap_warning"); len(rows) != 0 {
		t.Fatalf("gap warnings before the morning after the longest gap: %d", len(rows))
	}
	rc.at(local(2026, 3, 23, 9))
	rc.scan(t)
	rows := rc.queued(t, "gap_warning")
	if len(rows) != 1 || rows[0].To != "sam@wattle.example" {
		t.Fatalf("gap warnings %+v; want only the therapist's, the client opted out", rows)
	}
	if got := rc.queued(t, "book_next"); len(got) != 0 {
		t.Errorf("a client who opted out got %d book-next nudges", len(got))
	}
	if n := countRows(t, rc.s, "audit_log", "action = 'unsubscribe' AND client_id = ?", rc.client); n != 1 {
		t.Errorf("unsubscribe audit rows = %d; want 1", n)
	}
}

func TestUnsubscribeKeepsRemindersAndRefusesForgedLinks(t *testing.T) {
	rc := newReminderClinic(t)
	ctx := context.Background()
	token := strings.TrimPrefix(rc.s.UnsubscribePath(rc.client), "/unsubscribe/")
	name, email, out, err := rc.s.UnsubscribeTarget(ctx, token)
	if err != nil || name != "Alex" || email != "al…@example.com" || out {
		t.Errorf("UnsubscribeTarget = %q %q %v %v; want Alex, a masked address, not yet out", name, email, out, err)
	}
	for _, forged := range []string{token + "x", "2" + token[1:], "", "1-", "abc"} {
		if err := rc.s.Unsubscribe(ctx, forged, ""); !errors.Is(err, ErrNotFound) {
			t.Errorf("Unsubscribe(%q) = %v; want ErrNotFound", forged, err)
		}
	}
	if err := rc.s.Unsubscribe(ctx, token, ""); err != nil {
		t.Fatal(err)
	}
	rc.book(t, local(2026, 3, 20, 10))
	if n := len(rc.queued(t, "confirmation")) + len(rc.queued(t, "reminder")); n != 3 {
		t.Errorf("after unsubscribing, booking queued %d confirmations and reminders; want 3", n)
	}
}

func TestDayListGoesAtSixTheEveningBeforeToThoseWhoAsked(t *testing.T) {
	rc := newReminderClinic(t)
	rc.book(t, local(2026, 3, 11, 10)) // Wednesday, twice
	rc.book(t, local(2026, 3, 11, 14))
	rc.at(local(2026, 3, 10, 18).Add(-time.Minute))
	if n := rc.scan(t); n != 0 {
		t.Fatalf("scan queued %d for a therapist who did not ask; want 0", n)
	}
	if err := rc.s.SetDayList(context.Background(), rc.therapistActor, true); err != nil {
		t.Fatal(err)
	}
	if err := rc.s.SetDayList(context.Background(), rc.clientActor, true); !errors.Is(err, ErrForbidden) {
		t.Errorf("a client's SetDayList = %v; want ErrForbidden", err)
	}
	if n := rc.scan(t); n != 0 {
		t.Fatalf("at 17:59 the scan queued %d; want 0", n)
	}
	rc.at(local(2026, 3, 10, 18))
	if n := rc.scan(t); n != 1 {
		t.Fatalf("at 18:00 the scan queued %d; want the list", n)
	}
	rows := rc.queued(t, "day_list")
	var p DayListMail
	if err := json.Unmarshal(rows[0].Payload, &p); err != nil {
		t.Fatal(err)
	}
	if p.Day != "Wed 11 Mar" || len(p.Lines) != 2 || p.Lines[0].Time != "10:00" || p.Lines[0].Client != "Alex" {
		t.Errorf("day list %+v; want Wednesday's two appointments, first names only", p)
	}
	if err := rc.s.SetDayList(context.Background(), rc.therapistActor, false); err != nil {
		t.Fatal(err)
	}
	if ok, err := rc.s.StillWanted(context.Background(), rows[0]); err != nil || ok {
		t.Errorf("StillWanted after the therapist turned the list off = %v, %v; want false", ok, err)
	}
}

func TestMaintenancePromptOnTheDueMorning(t *testing.T) {
	rc := newReminderClinic(t)
	// A plan completed on 10 Feb with monthly maintenance first due on Tue 10 Mar.
	completed := local(2026, 2, 10, 15)
	if _, err := rc.s.w.Exec(`INSERT INTO treatment_plans (id, client_id, therapist_id, status, layers, planned_sessions,
		target_days, min_days, max_days, start_date, reassessment_date, maintenance_due, created_at, updated_at)
		VALUES (7, ?, ?, 'completed', '[]', 4, 7, 3, 10, '2026-01-13', '2026-02-10', '2026-03-10', ?, ?)`,
		rc.client, rc.therapist.ID, unix(completed), unix(completed)); err != nil {
		t.Fatal(err)
	}
	rc.at(local(2026, 3, 10, 9).Add(-time.Minute)) // the default is 28 days after: Tue 10 Mar
	if n := rc.scan(t); n != 0 {
		t.Fatalf("before the due morning the scan queued %d", n)
	}
	rc.at(local(2026, 3, 10, 9))
	if n := rc.scan(t); n != 1 {
		t.Fatalf("on the due morning the scan queued %d; want the prompt", n)
	}
	row := rc.queued(t, "maintenance_due")[0]
	if ok, err := rc.s.StillWanted(context.Background(), row); err != nil || !ok {
		t.Errorf("StillWanted = %v, %v; want true", ok, err)
	}
	rc.book(t, local(2026, 3, 17, 10))
	if ok, err := rc.s.StillWanted(context.Background(), row); err != nil || ok {
		t.Errorf("StillWanted after a visit was booked = %v, %v; want false", ok, err)
	}
}

func TestCalendarFeedTokenIsSecretAndRevocable(t *testing.T) {
	rc := newReminderClinic(t)
	ctx := context.Background()
	near := rc.book(t, local(2026, 3, 11, 10))
	past := rc.book(t, local(2026, 3, 12, 10))
	far := rc.book(t, local(2026, 6, 7, 10))
	if _, err := rc.s.CreateCalendarFeed(ctx, rc.clientActor); !errors.Is(err, ErrForbidden) {
		t.Errorf("a client's CreateCalendarFeed = %v; want ErrForbidden", err)
	}
	token, err := rc.s.CreateCalendarFeed(ctx, rc.therapistActor)
	if err != nil {
		t.Fatal(err)
	}
	if n := countRows(t, rc.s, "ical_feeds", "token_hash = ?", []byte(token)); n != 0 {
		t.Error("the feed token is stored as it is; want only its hash")
	}
	for _, tc := range []struct {
		now  time.Time
		want []int64
	}{
		{local(2026, 3, 1, 12), []int64{near.Appointments[0].ID, past.Appointments[0].ID}}, // June is past 90 days
		{local(2026, 4, 20, 12), []int64{far.Appointments[0].ID}},                          // March is over 30 days back
	} {
		u, appts, err := rc.s.CalendarFeed(ctx, token, tc.now)
		if err != nil || u.ID != rc.therapist.ID {
			t.Fatalf("CalendarFeed = %v, %v; want Sam's", u, err)
		}
		var got []int64
		for _, a := range appts {
			got = append(got, a.ID)
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("feed seen on %s lists %v; want %v", tc.now.Format(time.DateOnly), got, tc.want)
		}
	}
	again, err := rc.s.CreateCalendarFeed(ctx, rc.therapistActor)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := rc.s.CalendarFeed(ctx, token, rc.clock.Now()); !errors.Is(err, ErrNotFound) {
		t.Errorf("the replaced token still works: %v", err)
	}
	if err := rc.s.RevokeCalendarFeed(ctx, rc.therapistActor); err != nil {
		t.Fatal(err)
	}
	if _, _, err := rc.s.CalendarFeed(ctx, again, rc.clock.Now()); !errors.Is(err, ErrNotFound) {
		t.Errorf("a revoked token still works: %v", err)
	}
}

func TestConfirmationOfAWhollyCancelledCourseIsNotSent(t *testing.T) {
	rc := newReminderClinic(t)
	b := rc.book(t, local(2026, 3, 20, 10), local(2026, 3, 27, 10))
	conf := rc.queued(t, "confirmation")[0]
	ctx := context.Background()
	for i, a := range b.Appointments {
		if ok, err := rc.s.StillWanted(ctx, conf); err != nil || !ok {
			t.Fatalf("with %d of 2 sessions cancelled StillWanted = %v, %v; want true", i, ok, err)
		}
		if _, err := rc.s.Cancel(ctx, System, a.ID, ""); err != nil {
			t.Fatal(err)
		}
	}
	if ok, err := rc.s.StillWanted(ctx, conf); err != nil || ok {
		t.Errorf("with every session cancelled StillWanted = %v, %v; want false", ok, err)
	}
}

// TestEveryManageLinkInAnEmailOpens: the links carry a base64url MAC, which contains "-" for
// about a third of appointments; every one must still open its appointment.
func TestEveryManageLinkInAnEmailOpens(t *testing.T) {
	rc := newReminderClinic(t)
	b := rc.book(t, local(2026, 3, 20, 10))
	id := b.Appointments[0].ID
	dashed := 0
	for version := 1; version <= 40; version++ {
		tok := manageToken(rc.s.manageKey, id, version)
		if strings.Count(tok, "-") > 2 {
			dashed++
		}
		_, _, err := rc.s.AppointmentByManageToken(context.Background(), tok, "")
		if version == 1 && err != nil {
			t.Errorf("link for the current version %q: %v", tok, err)
		}
		if version > 1 && !errors.Is(err, ErrLinkStale) {
			t.Errorf("link %q for version %d: %v; want ErrLinkStale, not a forged-link 404", tok, version, err)
		}
	}
	if dashed == 0 {
		t.Fatal("no MAC with a dash in 40 versions; the test proves nothing")
	}
}
