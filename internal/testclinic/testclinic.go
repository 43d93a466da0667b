// Package testclinic builds test clinics on a real store for the tests of the packages above
// store (handlers, mail, cmd, and store's own external tests): a store opened from a copy of a
// template database, the standard clinic most tests book in, the real views, and Must...
// helpers that fail the test instead of returning an error. The clock and the working weeks
// come from testkit.
//
//	st, clock := testclinic.OpenStore(t)   // a fresh database, st.Now = clock.Now (testkit.Epoch)
//	c := testclinic.New(t, st)            // Sam works 09:00-17:00 daily; Remedial 60; Room 1; Alex Chen
//	b := c.Book(t, start)                 // Alex with Sam, as reception books
package testclinic

import (
	"context"
	"testing"
	"time"

	"allium"
	"allium/assets"
	"allium/clinic"
	"allium/internal/testkit"
	"allium/store"
	"allium/views"
)

// freshDB is this test binary's fresh database, built by store.Open from schema.sql.
var freshDB testkit.Template

// OpenStore opens a fresh database (a copy of the template) with its clock at testkit.Epoch,
// closed when the test ends.
func OpenStore(tb testing.TB) (*store.Store, *testkit.Clock) {
	tb.Helper()
	st := Open(tb, FreshDB(tb))
	clock := testkit.NewClock(testkit.Epoch)
	st.Now = clock.Now
	return st, clock
}

// FreshDB writes a fresh database (a copy of the template) into a folder of tb's and returns
// its path, for a test that opens it itself, say more than once.
func FreshDB(tb testing.TB) string {
	tb.Helper()
	return freshDB.Copy(tb, func(path string) error {
		st, err := store.Open(context.Background(), path, allium.Schema)
		if err != nil {
			return err
		}
		return st.Close()
	})
}

// Open opens (creating if needed) the database at path, closed when the test ends.
func Open(tb testing.TB, path string) *store.Store {
	tb.Helper()
	st, err := store.Open(context.Background(), path, allium.Schema)
	if err != nil {
		tb.Fatalf("open %s: %v", path, err)
	}
	tb.Cleanup(func() { st.Close() })
	return st
}

// MustViews loads the real assets and views, as the server does at start.
func MustViews(tb testing.TB) (*assets.Assets, *views.Views) {
	tb.Helper()
	as, err := assets.New()
	if err != nil {
		tb.Fatalf("assets: %v", err)
	}
	vs, err := views.New(as.URL)
	if err != nil {
		tb.Fatalf("views: %v", err)
	}
	return as, vs
}

// Clinic is the standard test clinic: one therapist working every day, one service they
// offer, one room and one client, in Sydney.
type Clinic struct {
	Store     *store.Store
	Loc       *time.Location
	Therapist store.User
	Client    store.User
	ClientID  int64 // Client's client record
	Service   int64
	Room      int64
}

// Spec is what Build makes; Standard is the clinic most tests want.
type Spec struct {
	Therapist store.NewUser
	Client    store.NewUser
	Service   store.Service
	Room      string // "" for none
	Hours     clinic.WeeklyHours
}

// Standard: Sam Okafor works 09:00-17:00 every day and offers Remedial 60 (60 minutes and 15
// for notes, in a room, a course of four); there is one room; Alex Chen is a client. Nobody
// has a password.
func Standard() Spec {
	return Spec{
		Therapist: store.NewUser{Role: clinic.RoleTherapist, Email: "sam@clinic.test", Name: "Sam Okafor"},
		Client:    store.NewUser{Role: clinic.RoleClient, Email: "alex.chen@example.com", Name: "Alex Chen"},
		Service:   RemedialService(),
		Room:      "Room 1",
		Hours:     testkit.EveryDay(9, 17),
	}
}

// RemedialService is the standard clinic's service.
func RemedialService() store.Service {
	return store.Service{Service: clinic.Service{Key: "remedial_60", Name: "Remedial 60", Duration: time.Hour,
		BufferAfter: 15 * time.Minute, NeedsRoom: true}, CourseSessions: 4, Active: true}
}

// New builds the standard clinic in st.
func New(tb testing.TB, st *store.Store) *Clinic {
	tb.Helper()
	return Standard().Build(tb, st)
}

// Build makes the clinic sp describes in st.
func (sp Spec) Build(tb testing.TB, st *store.Store) *Clinic {
	tb.Helper()
	c := &Clinic{Store: st, Loc: testkit.Sydney()}
	c.Therapist = MustCreateUser(tb, st, sp.Therapist)
	c.Client, c.ClientID = MustCreateClient(tb, st, sp.Client)
	c.Service = MustService(tb, st, sp.Service)
	if sp.Room != "" {
		c.Room = MustRoom(tb, st, sp.Room)
	}
	MustCalendar(tb, st, c.Therapist.ID, sp.Hours, c.Loc, c.Service)
	return c
}

// At is a wall-clock time in the clinic's zone.
func (c *Clinic) At(y int, m time.Month, d, hh, mm int) time.Time {
	return time.Date(y, m, d, hh, mm, 0, 0, c.Loc)
}

// Book books sessions of the clinic's service for its client with its therapist, as reception
// would, with consent to treatment and to reminders.
func (c *Clinic) Book(tb testing.TB, starts ...time.Time) store.Booked {
	tb.Helper()
	return MustBook(tb, c.Store, store.BookingRequest{ClientID: c.ClientID, ServiceID: c.Service,
		TherapistID: c.Therapist.ID, Starts: starts, Consent: true, Reminders: true})
}

// MustCreateUser adds a person.
func MustCreateUser(tb testing.TB, st *store.Store, nu store.NewUser) store.User {
	tb.Helper()
	u, err := st.CreateUser(context.Background(), store.System, nu)
	if err != nil {
		tb.Fatalf("create %s %s: %v", nu.Role, nu.Email, err)
	}
	return u
}

// MustCreateClient adds a client who can sign in, and returns them and their client record's id.
func MustCreateClient(tb testing.TB, st *store.Store, nu store.NewUser) (store.User, int64) {
	tb.Helper()
	nu.Role = clinic.RoleClient
	u := MustCreateUser(tb, st, nu)
	return u, MustClientID(tb, st, u)
}

// MustClientID is the client record of a client's account.
func MustClientID(tb testing.TB, st *store.Store, u store.User) int64 {
	tb.Helper()
	id, err := st.ClientIDForUser(context.Background(), u.ID)
	if err != nil || id == 0 {
		tb.Fatalf("client record of user %d (%s): %d, %v", u.ID, u.Email, id, err)
	}
	return id
}

// MustService adds (or updates, by key) a service and returns its id.
func MustService(tb testing.TB, st *store.Store, sv store.Service) int64 {
	tb.Helper()
	id, err := st.UpsertService(context.Background(), store.System, sv, 0)
	if err != nil {
		tb.Fatalf("service %s: %v", sv.Key, err)
	}
	return id
}

// MustRoom adds a room (or finds it by name) and returns its id.
func MustRoom(tb testing.TB, st *store.Store, name string) int64 {
	tb.Helper()
	id, err := st.EnsureRoom(context.Background(), store.System, name)
	if err != nil {
		tb.Fatalf("room %s: %v", name, err)
	}
	return id
}

// MustCalendar sets a therapist's working week (in loc) and the services they offer.
func MustCalendar(tb testing.TB, st *store.Store, therapistID int64, h clinic.WeeklyHours, loc *time.Location, services ...int64) {
	tb.Helper()
	ctx := context.Background()
	if _, err := st.SetHours(ctx, store.System, therapistID, h, loc); err != nil {
		tb.Fatalf("hours of therapist %d: %v", therapistID, err)
	}
	if err := st.SetTherapistServices(ctx, store.System, therapistID, services); err != nil {
		tb.Fatalf("services of therapist %d: %v", therapistID, err)
	}
}

// MustBook books a course (or one session) and fails the test if it cannot.
func MustBook(tb testing.TB, st *store.Store, req store.BookingRequest) store.Booked {
	tb.Helper()
	b, err := st.BookCourse(context.Background(), store.System, req)
	if err != nil {
		tb.Fatalf("book %v: %v", req.Starts, err)
	}
	return b
}

// MustAssessment files a self-assessment as a client would: a draft, its steps' answers in
// order (steps[i] is step i), the result submitted at the given time, then linked to the client
// acting as by.
func MustAssessment(tb testing.TB, st *store.Store, by store.Actor, steps []clinic.AssessmentAnswers,
	result clinic.AssessmentResult, at time.Time) {
	tb.Helper()
	ctx := context.Background()
	tok, _, err := st.CreateAssessmentDraft(ctx)
	if err != nil {
		tb.Fatalf("assessment draft: %v", err)
	}
	for i, answers := range steps {
		if err := st.SaveAssessmentStep(ctx, tok, i, answers); err != nil {
			tb.Fatalf("assessment step %d: %v", i, err)
		}
	}
	if err := st.SubmitAssessment(ctx, tok, result, at); err != nil {
		tb.Fatalf("submit assessment: %v", err)
	}
	if err := st.LinkAssessment(ctx, by, tok); err != nil {
		tb.Fatalf("link assessment to client %d: %v", by.ClientID, err)
	}
}
