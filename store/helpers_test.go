package store

// Helpers for the store's tests. Every test gets its own database in t.TempDir(), a copy of one
// built from schema.sql exactly as a fresh install is, and a clock it can move:
//
//	s, clock := newTestStore(t)         // s.Now is clock.Now; starts at testEpoch (testkit.Epoch)
//	clock.Advance(time.Hour)            // time passes for the store
//	u := mustCreateUser(t, s, clinic.RoleTherapist, "sam@example.com", "a-long-password")
//	u, clientID := mustCreateClient(t, s, "Alex Chen", "alex@example.com")
//	n := countRows(t, s, "outbox", "status = ?", "queued")
//
// The helpers are in package store (not store_test) so a test can also look at a column the
// API does not expose, through s.w.

import (
	"context"
	"database/sql"
	"strings"
	"testing"
	"time"

	"allium"
	"allium/clinic"
	"allium/internal/testkit"
)

// testEpoch and testClock are the shared test clock (testkit), under the names these tests use.
var testEpoch = testkit.Epoch

type testClock = testkit.Clock

// freshDB is this test binary's fresh database, built by Open from schema.sql.
var freshDB testkit.Template

// newTestStore opens a fresh database (a copy of the template), closed when the test ends.
func newTestStore(t *testing.T) (*Store, *testClock) {
	t.Helper()
	path := freshDB.Copy(t, func(path string) error {
		s, err := Open(context.Background(), path, allium.Schema)
		if err != nil {
			return err
		}
		return s.Close()
	})
	s := openTestStore(t, path, allium.Schema)
	clock := testkit.NewClock(testEpoch)
	s.Now = clock.Now
	return s, clock
}

// openTestStore opens the database at path with the given schema ("" applies the migrations).
func openTestStore(t *testing.T, path, schema string) *Store {
	t.Helper()
	s, err := Open(context.Background(), path, schema)
	if err != nil {
		t.Fatalf("Open(%s): %v", path, err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// mustCreateUser adds a person with a password (empty for none) and returns them.
func mustCreateUser(t *testing.T, s *Store, role clinic.Role, email, password string) User {
	t.Helper()
	u, err := s.CreateUser(context.Background(), System, NewUser{Role: role, Email: email, Name: nameOf(email), Password: password})
	if err != nil {
		t.Fatalf("CreateUser(%s %s): %v", role, email, err)
	}
	return u
}

// mustCreateClient adds a client who can sign in and returns the user and the client record's id.
func mustCreateClient(t *testing.T, s *Store, name, email string) (User, int64) {
	t.Helper()
	ctx := context.Background()
	u, err := s.CreateUser(ctx, System, NewUser{Role: clinic.RoleClient, Email: email, Name: name})
	if err != nil {
		t.Fatalf("CreateUser(client %s): %v", email, err)
	}
	id, err := s.ClientIDForUser(ctx, u.ID)
	if err != nil || id == 0 {
		t.Fatalf("ClientIDForUser(%d) = %d, %v; want a client record", u.ID, id, err)
	}
	return u, id
}

// mustService adds a service and returns its id.
func mustService(t *testing.T, s *Store, sv clinic.Service) int64 {
	t.Helper()
	id, err := s.UpsertService(context.Background(), System, Service{Service: sv}, 0)
	if err != nil {
		t.Fatalf("service %s: %v", sv.Key, err)
	}
	return id
}

// mustRoom adds a room and returns its id.
func mustRoom(t *testing.T, s *Store, name string) int64 {
	t.Helper()
	id, err := s.EnsureRoom(context.Background(), System, name)
	if err != nil {
		t.Fatalf("room %s: %v", name, err)
	}
	return id
}

// mustCalendar sets a therapist's working week (in loc) and the services they offer. (The
// tests of the packages above store have testclinic.MustCalendar; this package's own tests
// cannot import it.)
func mustCalendar(t *testing.T, s *Store, therapistID int64, h clinic.WeeklyHours, loc *time.Location, services ...int64) {
	t.Helper()
	ctx := context.Background()
	if _, err := s.SetHours(ctx, System, therapistID, h, loc); err != nil {
		t.Fatalf("hours of therapist %d: %v", therapistID, err)
	}
	if err := s.SetTherapistServices(ctx, System, therapistID, services); err != nil {
		t.Fatalf("services of therapist %d: %v", therapistID, err)
	}
}

// owner is an acting owner for methods that check the role; it belongs to no user row.
var owner = Actor{UserID: 0, Role: clinic.RoleOwner, IP: "192.0.2.1"}

// countRows counts the rows of table matching where (a SQL condition with ? arguments).
// countAudit counts rows of the whole audit log: the rows of writes and the view log.
func countAudit(t *testing.T, s *Store, where string, args ...any) int {
	t.Helper()
	var n int
	if err := s.r.QueryRow(`SELECT count(*) FROM (SELECT * FROM main.audit_log UNION ALL SELECT * FROM views.view_log)
		WHERE `+where, args...).Scan(&n); err != nil {
		t.Fatalf("count audit rows where %s: %v", where, err)
	}
	return n
}

func countRows(t *testing.T, s *Store, table, where string, args ...any) int {
	t.Helper()
	if where == "" {
		where = "1"
	}
	var n int
	if err := s.w.QueryRow(`SELECT count(*) FROM `+table+` WHERE `+where, args...).Scan(&n); err != nil {
		t.Fatalf("count %s where %s: %v", table, where, err)
	}
	return n
}

func nameOf(email string) string {
	for i, r := range email {
		if r == '@' {
			return email[:i]
		}
	}
	return email
}

// queryPlan is SQLite's EXPLAIN QUERY PLAN of a query, its steps joined with "; ".
func queryPlan(t *testing.T, db *sql.DB, query string, args ...any) string {
	t.Helper()
	rows, err := db.Query(`EXPLAIN QUERY PLAN `+query, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return strings.Join(plan, "; ")
}
