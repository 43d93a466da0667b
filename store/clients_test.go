package store

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"allium/clinic"
	"allium/internal/testkit"
)

var clientsDesk = Actor{UserID: 0, Role: clinic.RoleReception}

func clientsAdd(t *testing.T, s *Store, d ClientDetails) clinic.Client {
	t.Helper()
	c, err := s.AddClient(context.Background(), clientsDesk, d)
	if err != nil {
		t.Fatalf("AddClient(%s): %v", d.Name, err)
	}
	return c
}

func clientNames(list []clinic.Client) []string {
	var out []string
	for _, c := range list {
		out = append(out, c.Name)
	}
	return out
}

func TestSearchClientsMatchesNamePhoneAndEmailLiterally(t *testing.T) {
	s, _ := newTestStore(t)
	clientsAdd(t, s, ClientDetails{Name: "Jo_Ann Lee", Phone: "0412 345 678"})
	clientsAdd(t, s, ClientDetails{Name: "Joann Kim", Email: "joann@example.com"})
	clientsAdd(t, s, ClientDetails{Name: "Pat 100% Fox", Phone: "02 9555 0100"})
	clientsAdd(t, s, ClientDetails{Name: "Anna Jones", Email: "anna.jo@example.com"})
	for _, tc := range []struct {
		q    string
		want []string
	}{
		{"jo", []string{"Jo_Ann Lee", "Joann Kim", "Anna Jones"}}, // names starting with it first
		{"_", []string{"Jo_Ann Lee"}},
		{"%", []string{"Pat 100% Fox"}},
		{"Jo_A", []string{"Jo_Ann Lee"}},
		{"0412345", []string{"Jo_Ann Lee"}},
		{"0412 345", []string{"Jo_Ann Lee"}},
		{"example.com", []string{"Anna Jones", "Joann Kim"}},
		{"nobody", nil},
	} {
		got, err := s.SearchClients(context.Background(), clientsDesk, tc.q, 10)
		if err != nil {
			t.Fatal(err)
		}
		if names := clientNames(got); !slices.Equal(names, tc.want) {
			t.Errorf("SearchClients(%q) = %q; want %q", tc.q, names, tc.want)
		}
	}
}

func TestClientRecordsAreForStaffAndTheirOwnClient(t *testing.T) {
	s, _ := newTestStore(t)
	ctx := context.Background()
	alex, alexID := mustCreateClient(t, s, "Alex Chen", "alex@example.com")
	_, samID := mustCreateClient(t, s, "Sam Lee", "sam@example.com")
	self := Actor{UserID: alex.ID, Role: clinic.RoleClient, ClientID: alexID}
	if _, err := s.SearchClients(ctx, self, "Sam", 10); !errors.Is(err, ErrNotFound) {
		t.Errorf("a client searching clients: %v; want ErrNotFound", err)
	}
	if _, err := s.ClientByID(ctx, self, samID); !errors.Is(err, ErrNotFound) {
		t.Errorf("a client reading another client's record: %v; want ErrNotFound", err)
	}
	if c, err := s.ClientByID(ctx, self, alexID); err != nil || c.Name != "Alex Chen" {
		t.Errorf("a client reading their own record: %q, %v", c.Name, err)
	}
	if _, err := s.AddClient(ctx, self, ClientDetails{Name: "Made Up"}); !errors.Is(err, ErrNotFound) {
		t.Errorf("a client adding a client: %v; want ErrNotFound", err)
	}
}

func TestAddClientRefusesAnEmailOnFileAndLinksAnAccountLater(t *testing.T) {
	s, _ := newTestStore(t)
	ctx := context.Background()
	kim := clientsAdd(t, s, ClientDetails{Name: "Kim Park", Email: "kim@example.com", Phone: "0400 000 001", Cautions: "Pregnant, 20 weeks"})
	twin, err := s.AddClient(ctx, clientsDesk, ClientDetails{Name: "K Park", Email: "KIM@example.com"})
	if !errors.Is(err, ErrClientExists) || twin.ID != kim.ID {
		t.Fatalf("adding the same email again: %d, %v; want ErrClientExists with client %d", twin.ID, err, kim.ID)
	}
	if n := countRows(t, s, "clients", ""); n != 1 {
		t.Errorf("%d client records; want 1", n)
	}
	// Kim followed a link emailed to her address, so the account is hers to join.
	u, err := s.CreateUser(ctx, System, NewUser{Role: clinic.RoleClient, Email: "kim@example.com", Name: "Kim Park", EmailProven: true})
	if err != nil {
		t.Fatal(err)
	}
	if id, _ := s.ClientIDForUser(ctx, u.ID); id != kim.ID {
		t.Errorf("Kim's new account is linked to client %d; want the record reception made (%d)", id, kim.ID)
	}
	got, err := s.ClientByID(ctx, clientsDesk, kim.ID)
	if err != nil || got.Cautions != "Pregnant, 20 weeks" || got.Phone != "0400 000 001" {
		t.Errorf("ClientByID = %+v, %v; want the details reception typed", got, err)
	}
}

// recallFixture is a therapist working 09:00-17:00 every day, a 60-minute service and a room.
func recallFixture(t *testing.T, s *Store) (therapist, service int64, loc *time.Location) {
	t.Helper()
	th := mustCreateUser(t, s, clinic.RoleTherapist, "ana@clinic.test", "")
	sv := mustService(t, s, clinic.Service{Key: "r60", Name: "Remedial 60", Duration: time.Hour, NeedsRoom: true})
	mustRoom(t, s, "Room 1")
	loc = testkit.Sydney()
	mustCalendar(t, s, th.ID, testkit.EveryDay(9, 17), loc, sv)
	return th.ID, sv, loc
}

func TestRecallListsStalledCoursesOnly(t *testing.T) {
	s, clock := newTestStore(t)
	ctx := context.Background()
	th, sv, loc := recallFixture(t, s)
	day := func(n, hour int) time.Time { return time.Date(2026, 3, 11+n, hour, 0, 0, 0, loc) }
	spacing := clinic.DefaultSpacing()
	course := func(name string, starts ...time.Time) []Appointment {
		_, id := mustCreateClient(t, s, name, name+"@example.com")
		b, err := s.BookCourse(ctx, clientsDesk, BookingRequest{ClientID: id, ServiceID: sv, TherapistID: th, Starts: starts,
			Spacing: spacing})
		if err != nil {
			t.Fatalf("book %s: %v", name, err)
		}
		return b.Appointments
	}
	stalled := course("stalled", day(0, 9), day(7, 9), day(14, 9))
	for _, a := range stalled[1:] {
		if _, err := s.Cancel(ctx, clientsDesk, a.ID, "away"); err != nil {
			t.Fatal(err)
		}
	}
	course("recent", day(0, 10), day(9, 10)) // its last session is only 4 days before the check
	spacing = clinic.CourseRecovery.Spacing()
	course("ahead", day(0, 11), day(14, 11)) // its next session is still to come, a fortnight on
	spacing = clinic.DefaultSpacing()
	course("finished", day(0, 12), day(5, 12)) // every session held
	noShow := course("noshow", day(0, 13), day(3, 13))
	single := course("single", day(0, 14)) // one visit is not a course
	_ = single

	clock.Advance(14 * 24 * time.Hour) // 2026-03-24 (day 13), evening in Sydney
	if _, err := s.SetStatus(ctx, clientsDesk, noShow[1].ID, "no_show"); err != nil {
		t.Fatal(err)
	}
	got, err := s.RecallList(ctx, clientsDesk, clock.Now().AddDate(0, -6, 0), 50)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, rc := range got {
		names = append(names, rc.ClientName)
	}
	if want := []string{"stalled", "noshow"}; !slices.Equal(names, want) {
		t.Fatalf("recall = %q; want %q", names, want)
	}
	if rc := got[0]; rc.Done != 1 || rc.Sessions != 3 || !rc.LastAt.Equal(day(0, 9)) || rc.TherapistID != th || rc.ServiceID != sv {
		t.Errorf("stalled course = %+v; want 1 of 3 done, last on day 0 at 09:00", rc)
	}
	if _, err := s.RecallList(ctx, Actor{Role: clinic.RoleClient, ClientID: 1}, time.Time{}, 10); !errors.Is(err, ErrNotFound) {
		t.Errorf("a client reading the recall list: %v; want ErrNotFound", err)
	}
}

// TestAnAccountWithAnUnprovenEmailGetsARecordOfItsOwn: typing a client's email proves nothing,
// so an account made without the emailed link never sees the record reception made.
func TestAnAccountWithAnUnprovenEmailGetsARecordOfItsOwn(t *testing.T) {
	s, _ := newTestStore(t)
	ctx := context.Background()
	kim := clientsAdd(t, s, ClientDetails{Name: "Kim Park", Email: "kim@example.com", Phone: "0400 000 001", Cautions: "Pregnant, 20 weeks"})
	u := mustCreateUser(t, s, clinic.RoleClient, "kim@example.com", "")
	id, err := s.ClientIDForUser(ctx, u.ID)
	if err != nil || id == 0 || id == kim.ID {
		t.Errorf("an account with an unproven email is linked to client %d (%v); want a new record, not %d", id, err, kim.ID)
	}
}
