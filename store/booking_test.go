package store_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"allium"
	"allium/clinic"
	"allium/internal/testclinic"
	"allium/internal/testkit"
	"allium/store"
)

// bookingFixture is the standard test clinic (one therapist working 09:00-17:00 every day, one
// room, a client) on 25 November 2026, and a start six days later.
func bookingFixture(t *testing.T) (*store.Store, int64, int64, int64, time.Time) {
	t.Helper()
	st, _, th, svc, cid, start := bookingFixtureClock(t)
	return st, th, svc, cid, start
}

// bookingFixtureClock is bookingFixture with its clock, for the tests whose desk records
// what happened at a session, which is possible only once it has begun.
func bookingFixtureClock(t *testing.T) (*store.Store, *testkit.Clock, int64, int64, int64, time.Time) {
	t.Helper()
	st, clock := testclinic.OpenStore(t)
	clock.Set(time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC))
	c := testclinic.New(t, st)
	return st, clock, c.Therapist.ID, c.Service, c.ClientID, c.At(2026, 12, 1, 10, 0)
}

func TestConcurrentBookingsOfTheLastTimeGiveExactlyOne(t *testing.T) {
	st, th, svc, cid, start := bookingFixture(t)
	var wg sync.WaitGroup
	var mu sync.Mutex
	won, taken := 0, 0
	for i := 0; i < 50; i++ {
		wg.Go(func() {
			_, err := st.BookCourse(context.Background(), store.System, store.BookingRequest{ClientID: cid, ServiceID: svc,
				TherapistID: th, Starts: []time.Time{start}, Consent: true})
			mu.Lock()
			defer mu.Unlock()
			var se *store.SessionError
			switch {
			case err == nil:
				won++
			case errors.As(err, &se) && errors.Is(se.Err, clinic.ErrSlotTaken):
				taken++
			default:
				t.Errorf("unexpected error: %v", err)
			}
		})
	}
	wg.Wait()
	if won != 1 || taken != 49 {
		t.Fatalf("won %d, taken %d; want 1 and 49", won, taken)
	}
	if n, _ := st.CountAppointments(context.Background()); n != 1 {
		t.Fatalf("appointments = %d, want 1", n)
	}
}

func TestCourseCollidingWithATakenTimeBooksNothing(t *testing.T) {
	st, th, svc, cid, start := bookingFixture(t)
	ctx := context.Background()
	if _, err := st.BookCourse(ctx, store.System, store.BookingRequest{ClientID: cid, ServiceID: svc, TherapistID: th,
		Starts: []time.Time{start.AddDate(0, 0, 14)}}); err != nil {
		t.Fatal(err)
	}
	starts := []time.Time{start, start.AddDate(0, 0, 7), start.AddDate(0, 0, 14), start.AddDate(0, 0, 21)}
	_, err := st.BookCourse(ctx, store.System, store.BookingRequest{ClientID: cid, ServiceID: svc, TherapistID: th, Starts: starts})
	var se *store.SessionError
	if !errors.As(err, &se) || se.Session != 3 {
		t.Fatalf("err = %v, want session 3 taken", err)
	}
	if n, _ := st.CountAppointments(ctx); n != 1 {
		t.Fatalf("appointments = %d, want only the first booking", n)
	}
}

func TestCancelFreesTheTimeAndStopsItsReminders(t *testing.T) {
	st, th, svc, cid, start := bookingFixture(t)
	ctx := context.Background()
	b, err := st.BookCourse(ctx, store.System, store.BookingRequest{ClientID: cid, ServiceID: svc, TherapistID: th,
		Starts: []time.Time{start}, Reminders: true, Consent: true})
	if err != nil {
		t.Fatal(err)
	}
	ap := b.Appointments[0]
	if _, err := st.Cancel(ctx, store.System, ap.ID, "test"); err != nil {
		t.Fatal(err)
	}
	rows, err := st.Outbox(ctx, store.System, store.OutboxFilter{RefType: "appointment", RefID: ap.ID})
	if err != nil {
		t.Fatal(err)
	}
	reminders := 0
	for _, r := range rows {
		if r.Kind != "reminder" {
			continue
		}
		reminders++
		if ok, err := st.StillWanted(ctx, r); err != nil || ok {
			t.Fatalf("reminder %s still wanted after cancel (err %v)", r.DedupeKey, err)
		}
	}
	if reminders != 2 {
		t.Fatalf("%d reminders queued for the appointment; want the 48-hour and the 2-hour one, so cancelling has something to stop", reminders)
	}
	if _, err := st.BookCourse(ctx, store.System, store.BookingRequest{ClientID: cid, ServiceID: svc, TherapistID: th,
		Starts: []time.Time{start}}); err != nil {
		t.Fatalf("time not free after cancel: %v", err)
	}
}

func TestManageLinksWorkWhateverTheirSignatureContains(t *testing.T) {
	st, th, svc, cid, start := bookingFixture(t)
	ctx := context.Background()
	// Enough appointments that some signatures contain "-" or "_" (base64url).
	for i := 0; i < 12; i++ {
		b, err := st.BookCourse(ctx, store.System, store.BookingRequest{ClientID: cid, ServiceID: svc, TherapistID: th,
			Starts: []time.Time{start.AddDate(0, 0, i)}})
		if err != nil {
			t.Fatal(err)
		}
		ap := b.Appointments[0]
		path, err := st.ManagePath(ctx, ap.ID, ap.Version)
		if err != nil {
			t.Fatal(err)
		}
		got, _, err := st.AppointmentByManageToken(ctx, strings.TrimPrefix(path, "/m/"), "")
		if err != nil || got.ID != ap.ID {
			t.Fatalf("link %s: %v", path, err)
		}
		if _, _, err := st.AppointmentByManageToken(ctx, strings.TrimPrefix(path, "/m/")+"x", ""); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("tampered link %s: %v, want not found", path, err)
		}
	}
}

func TestOpenKeepsTheWholePathEvenWithURICharacters(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "clinic #1?x")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "a.db")
	st, err := store.Open(context.Background(), path, allium.Schema)
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("database not where asked: %v", err)
	}
}

func TestWaitlistFirstToBookGetsTheTimeAndTheOthersAreTold(t *testing.T) {
	st, th, svc, cid, start := bookingFixture(t)
	ctx := context.Background()
	b, err := st.BookCourse(ctx, store.System, store.BookingRequest{ClientID: cid, ServiceID: svc, TherapistID: th, Starts: []time.Time{start}})
	if err != nil {
		t.Fatal(err)
	}
	yan, zoe := mustWait(t, st, svc, start, "yan@example.com"), mustWait(t, st, svc, start, "zoe@example.com")
	if _, err := st.Cancel(ctx, store.System, b.Appointments[0].ID, "moved away"); err != nil {
		t.Fatal(err)
	}
	kinds := func(to string) []string {
		rows, _ := st.Outbox(ctx, store.System, store.OutboxFilter{Limit: 100})
		var out []string
		for _, r := range rows {
			if r.To == to {
				out = append(out, r.Kind)
			}
		}
		return out
	}
	for _, to := range []string{"yan@example.com", "zoe@example.com"} {
		if got := kinds(to); len(got) != 1 || got[0] != "waitlist_offer" {
			t.Fatalf("%s got %v; want one offer", to, got)
		}
	}
	if _, err := st.BookCourse(ctx, yan, store.BookingRequest{ServiceID: svc, TherapistID: th, Starts: []time.Time{start}}); err != nil {
		t.Fatal(err)
	}
	if got := kinds("zoe@example.com"); len(got) != 2 || got[0] != "waitlist_gone" {
		t.Errorf("zoe got %v; want to be told the time has gone", got)
	}
	if _, err := st.BookCourse(ctx, zoe, store.BookingRequest{ServiceID: svc, TherapistID: th, Starts: []time.Time{start}}); !errors.Is(err, clinic.ErrSlotTaken) {
		t.Errorf("zoe booking the gone time: %v; want it taken", err)
	}
}

// TestAClientIsNeverBookedIntoTwoSessionsAtOnce: with two therapists and two rooms free, the
// client's own session with one therapist still keeps them from another session that overlaps
// it, whether booked, moved into it, or searched for; the time stays open to other clients.
func TestAClientIsNeverBookedIntoTwoSessionsAtOnce(t *testing.T) {
	st, clock, th, svc, cid, start := bookingFixtureClock(t)
	ctx := context.Background()
	th2 := secondTherapist(t, st, svc, start.Location())
	book := func(client, therapist int64, at time.Time) (store.Booked, error) {
		return st.BookCourse(ctx, store.System, store.BookingRequest{ClientID: client, ServiceID: svc, TherapistID: therapist,
			Starts: []time.Time{at}, Consent: true})
	}
	first, err := book(cid, th, start) // 10:00-11:00 with T
	if err != nil {
		t.Fatal(err)
	}
	var later store.Booked
	// The search offers T2's times only where the client is free.
	day := time.Date(start.Year(), start.Month(), start.Day(), 0, 0, 0, 0, start.Location())
	offered := func(t *testing.T, client int64) map[string]bool {
		q, err := st.SlotQueryFor(ctx, client, clinic.Service{ID: svc, Duration: time.Hour, BufferAfter: 15 * time.Minute, NeedsRoom: true},
			[]int64{th2}, day, day.AddDate(0, 0, 1))
		if err != nil {
			t.Fatal(err)
		}
		q.MinNotice = clinic.NoNotice
		out := map[string]bool{}
		for _, s := range clinic.FreeTimes(q) {
			out[s.Start.In(start.Location()).Format("15:04")] = true
		}
		return out
	}
	// Each step builds on the one before, so the first to fail ends the test.
	for _, step := range []struct {
		name string
		run  func(t *testing.T)
	}{
		{"an overlapping session with another therapist is refused", func(t *testing.T) {
			_, err := book(cid, th2, start.Add(30*time.Minute))
			var se *store.SessionError
			if !errors.As(err, &se) || !errors.Is(se.Err, clinic.ErrClientBusy) {
				t.Fatalf("booking 10:30 with T2 for the same client: %v, want %v", err, clinic.ErrClientBusy)
			}
			if n, _ := st.CountAppointments(ctx); n != 1 {
				t.Fatalf("appointments = %d, want 1", n)
			}
		}},
		{"a session may start as the last one ends", func(t *testing.T) {
			if later, err = book(cid, th2, start.Add(time.Hour)); err != nil { // 11:00, as the first ends
				t.Fatalf("booking 11:00 with T2: %v", err)
			}
		}},
		{"a move into the client's own session is refused", func(t *testing.T) {
			// Moving the 11:00 session to 10:45 would overlap the 10:00 one; to 11:15 it only overlaps itself.
			var se *store.SessionError
			if _, err := st.Reschedule(ctx, store.System, later.Appointments[0].ID, start.Add(45*time.Minute)); !errors.As(err, &se) ||
				!errors.Is(se.Err, clinic.ErrClientBusy) {
				t.Fatalf("moving into the client's own session: %v, want %v", err, clinic.ErrClientBusy)
			}
			if _, err := st.Reschedule(ctx, store.System, later.Appointments[0].ID, start.Add(75*time.Minute)); err != nil {
				t.Fatalf("moving 15 minutes later: %v", err)
			}
		}},
		{"the search offers a time only to clients free then", func(t *testing.T) {
			mine, visitor := offered(t, cid), offered(t, 0)
			if mine["10:00"] || !visitor["10:00"] {
				t.Errorf("10:00 with T2: offered to the client %v, to a visitor %v; want false, true", mine["10:00"], visitor["10:00"])
			}
			if !mine["13:00"] {
				t.Errorf("13:00 with T2 not offered to the client, who is free then")
			}
		}},
		{"a missed session frees the client", func(t *testing.T) {
			// The desk marks a no-show once the session has begun; the search is then asked as
			// before, when 10:00 was still ahead.
			before := clock.Now()
			clock.Set(start.Add(15 * time.Minute))
			if _, err := st.SetStatus(ctx, store.System, first.Appointments[0].ID, "no_show"); err != nil {
				t.Fatal(err)
			}
			clock.Set(before)
			if !offered(t, cid)["10:00"] {
				t.Errorf("10:00 with T2 not offered to the client after they missed their 10:00 with T")
			}
		}},
		{"another client can book the time", func(t *testing.T) {
			_, oid := testclinic.MustCreateClient(t, st, store.NewUser{Email: "o@x.test", Name: "O"})
			if _, err := book(oid, th2, start); err != nil {
				t.Fatalf("another client at 10:00 with T2: %v", err)
			}
		}},
	} {
		if !t.Run(step.name, step.run) {
			return
		}
	}
}

// mustWait puts a new client on the waitlist for svc, from three days before start's day to three
// after, and returns them acting for themselves.
func mustWait(t *testing.T, st *store.Store, svc int64, start time.Time, email string) store.Actor {
	t.Helper()
	u, id := testclinic.MustCreateClient(t, st, store.NewUser{Email: email, Name: email})
	by := store.Actor{UserID: u.ID, Role: clinic.RoleClient, ClientID: id}
	day := clinic.DateOf(start, start.Location())
	if err := st.JoinWaitlist(context.Background(), by, svc, 0, day.AddDays(-3), day.AddDays(3)); err != nil {
		t.Fatal(err)
	}
	return by
}

// secondTherapist adds a second room and a therapist T2 who offers svc on the fixture's hours.
func secondTherapist(t *testing.T, st *store.Store, svc int64, loc *time.Location) int64 {
	t.Helper()
	testclinic.MustRoom(t, st, "Second room")
	th2 := testclinic.MustCreateUser(t, st, store.NewUser{Role: clinic.RoleTherapist, Email: "t2@x.test", Name: "T2"})
	testclinic.MustCalendar(t, st, th2.ID, testkit.EveryDay(9, 17), loc, svc)
	return th2.ID
}

// TestWaitlistSkipsClientsAlreadyInASessionThen: a freed time is offered only to waiting
// clients who could book it; one already in a session with another therapist then is passed
// over, and the next in line hears of it.
func TestWaitlistSkipsClientsAlreadyInASessionThen(t *testing.T) {
	st, th, svc, cid, start := bookingFixture(t)
	ctx := context.Background()
	th2 := secondTherapist(t, st, svc, start.Location())
	b, err := st.BookCourse(ctx, store.System, store.BookingRequest{ClientID: cid, ServiceID: svc, TherapistID: th, Starts: []time.Time{start}})
	if err != nil {
		t.Fatal(err)
	}
	busy := mustWait(t, st, svc, start, "busy@example.com").ClientID // first in line
	mustWait(t, st, svc, start, "free@example.com")
	if _, err := st.BookCourse(ctx, store.System, store.BookingRequest{ClientID: busy, ServiceID: svc, TherapistID: th2,
		Starts: []time.Time{start.Add(30 * time.Minute)}}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Cancel(ctx, store.System, b.Appointments[0].ID, "moved away"); err != nil {
		t.Fatal(err)
	}
	offers := map[string]int{}
	rows, _ := st.Outbox(ctx, store.System, store.OutboxFilter{Limit: 100})
	for _, r := range rows {
		if r.Kind == "waitlist_offer" {
			offers[r.To]++
		}
	}
	if offers["busy@example.com"] != 0 || offers["free@example.com"] != 1 {
		t.Errorf("offers %v; want one to free@example.com and none to the client in a session at 10:30", offers)
	}
}

// TestCourseSpacingIsTheServersRule: a course whose sessions break its spacing is refused
// whoever books it, naming the session, and nothing is booked; a move of a course's session
// keeps the course's own spacing to its neighbours; a maintenance course books a month apart.
func TestCourseSpacingIsTheServersRule(t *testing.T) {
	ctx := context.Background()
	st, th, svc, cid, start := bookingFixture(t)
	book := func(spacing clinic.Spacing, starts ...time.Time) (store.Booked, error) {
		return st.BookCourse(ctx, store.System, store.BookingRequest{ClientID: cid, ServiceID: svc, TherapistID: th,
			Starts: starts, Spacing: spacing, Consent: true})
	}
	day := func(n int) time.Time { return start.AddDate(0, 0, n) }
	_, err := book(clinic.Spacing{}, day(0), day(1), day(8))
	var se *store.SessionError
	var spacing *clinic.ErrCourseSpacing
	if !errors.As(err, &se) || se.Session != 2 || !errors.As(err, &spacing) ||
		spacing.Error() != "Session 2 would be 1 day after session 1; this course's sessions are 3 to 10 days apart." {
		t.Fatalf("sessions a day apart: %v; want session 2 refused for its spacing", err)
	}
	if n, err := st.CountAppointments(ctx); err != nil || n != 0 {
		t.Fatalf("a refused course left %d appointments (%v)", n, err)
	}
	if _, err := book(clinic.CourseRemedial.Spacing(), day(0), day(14)); !errors.As(err, &spacing) {
		t.Errorf("a remedial course a fortnight apart: %v; want refused", err)
	}
	if _, err := book(clinic.CourseMaintenance.Spacing(), day(0), day(28)); err != nil {
		t.Errorf("a maintenance course a month apart: %v", err)
	}

	b, err := book(clinic.Spacing{}, day(2), day(9), day(13))
	if err != nil {
		t.Fatal(err)
	}
	second := b.Appointments[1].ID
	for _, tc := range []struct {
		to   time.Time
		want string
	}{
		{day(3), "Session 2 would be 1 day after session 1; this course's sessions are 3 to 10 days apart."},
		{day(11), "Session 3 would be 2 days after session 2; this course's sessions are 3 to 10 days apart."},
		{day(12), "Session 3 would be 1 day after session 2; this course's sessions are 3 to 10 days apart."},
	} {
		if _, err := st.Reschedule(ctx, store.System, second, tc.to); !errors.As(err, &spacing) || spacing.Error() != tc.want {
			t.Errorf("move session 2 to %s: %v; want %q", tc.to.Format(time.DateOnly), err, tc.want)
		}
	}
	if _, err := st.Reschedule(ctx, store.System, second, day(10)); err != nil {
		t.Errorf("move session 2 by a day, inside the spacing: %v", err)
	}
	// With session 2 cancelled, session 3 counts from session 1: 14 days is too far.
	if _, err := st.Cancel(ctx, store.System, second, "away"); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Reschedule(ctx, store.System, b.Appointments[2].ID, day(17)); !errors.As(err, &spacing) ||
		!strings.Contains(err.Error(), "Session 3 would be 15 days after session 1") {
		t.Errorf("move session 3 with session 2 cancelled: %v; want counted from session 1", err)
	}
}
