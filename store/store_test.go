package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"allium"
	"allium/clinic"
)

type schemaRow struct{ Type, Name, Table, SQL string }

var spaces = regexp.MustCompile(`\s+`)

// schemaOf reads a database's schema, normalised so that layout differences do not count.
func schemaOf(t *testing.T, s *Store) ([]schemaRow, int) {
	t.Helper()
	rows, err := s.w.Query(`SELECT type, name, tbl_name, coalesce(sql, '') FROM sqlite_schema`)
	if err != nil {
		t.Fatalf("read schema: %v", err)
	}
	defer rows.Close()
	var out []schemaRow
	for rows.Next() {
		var r schemaRow
		if err := rows.Scan(&r.Type, &r.Name, &r.Table, &r.SQL); err != nil {
			t.Fatal(err)
		}
		r.SQL = strings.TrimSpace(spaces.ReplaceAllString(r.SQL, " "))
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Type != out[j].Type {
			return out[i].Type < out[j].Type
		}
		return out[i].Name < out[j].Name
	})
	var version int
	if err := s.w.QueryRow(`PRAGMA user_version`).Scan(&version); err != nil {
		t.Fatal(err)
	}
	return out, version
}

// TestFreshAndMigratedSchemasMatch proves schema.sql is the fold of the migrations: a new
// install and an old database brought up to date end with the same tables, indexes and triggers.
func TestFreshAndMigratedSchemasMatch(t *testing.T) {
	dir := t.TempDir()
	fresh := openTestStore(t, filepath.Join(dir, "fresh.db"), allium.Schema)
	migrated := openTestStore(t, filepath.Join(dir, "migrated.db"), "")

	got, gotVersion := schemaOf(t, migrated)
	want, wantVersion := schemaOf(t, fresh)
	if gotVersion != wantVersion || gotVersion != SchemaVersion() {
		t.Errorf("user_version: migrated %d, fresh %d; want both %d", gotVersion, wantVersion, SchemaVersion())
	}
	if SchemaVersion() < 2 {
		t.Errorf("SchemaVersion() = %d; want at least 2 (the migrations are embedded)", SchemaVersion())
	}
	byName := map[string]schemaRow{}
	for _, r := range want {
		byName[r.Type+" "+r.Name] = r
	}
	for _, r := range got {
		w, ok := byName[r.Type+" "+r.Name]
		switch {
		case !ok:
			t.Errorf("%s %s is made by the migrations but not by schema.sql", r.Type, r.Name)
		case w != r:
			t.Errorf("%s %s differs:\nmigrated: %s\nfresh:    %s", r.Type, r.Name, r.SQL, w.SQL)
		}
		delete(byName, r.Type+" "+r.Name)
	}
	for k := range byName {
		t.Errorf("%s is made by schema.sql but by no migration", k)
	}
	if len(want) < 10 {
		t.Errorf("fresh schema has %d objects; want the whole schema", len(want))
	}
}

// TestOpenUpgradesAnOlderDatabase starts from a database at schema version 1 holding a user
// and checks that opening it applies the rest of the migrations and keeps the data.
func TestOpenUpgradesAnOlderDatabase(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.db")
	steps, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite3", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{steps[0], `PRAGMA user_version = 1`,
		`INSERT INTO users (role, email, name, created_at, updated_at) VALUES ('owner', 'mei@example.com', 'Mei', 1, 1)`} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatalf("build version 1 database: %v", err)
		}
	}
	db.Close()

	s := openTestStore(t, path, allium.Schema) // the schema must not be applied over existing tables
	_, version := schemaOf(t, s)
	if version != SchemaVersion() {
		t.Errorf("user_version after Open = %d; want %d", version, SchemaVersion())
	}
	u, err := s.UserByEmail(ctx, "mei@example.com")
	if err != nil || u.Name != "Mei" {
		t.Errorf("UserByEmail after upgrade = %+v, %v; want Mei kept", u, err)
	}
	if n := countRows(t, s, "appointments", ""); n != 0 {
		t.Errorf("appointments = %d rows; want the table made by migration 2, empty", n)
	}
}

func TestOpenRefusesNewerDatabase(t *testing.T) {
	path := filepath.Join(t.TempDir(), "future.db")
	s := openTestStore(t, path, allium.Schema)
	if _, err := s.w.Exec(`PRAGMA user_version = 999`); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s2, err := Open(context.Background(), path, allium.Schema)
	if err == nil {
		s2.Close()
		t.Fatal("Open of a database from a newer program succeeded; want an error")
	}
	if !strings.Contains(err.Error(), "newer") {
		t.Errorf("Open error = %q; want it to say the database is newer", err)
	}
}

func TestBackup(t *testing.T) {
	ctx := context.Background()
	s, _ := newTestStore(t)
	mustCreateUser(t, s, clinic.RoleOwner, "mei@example.com", "correct horse battery")
	path := filepath.Join(t.TempDir(), "backup.db")
	owner := Actor{Role: clinic.RoleOwner}
	if err := s.auditView(ctx, owner, "chart", 7, 7); err != nil {
		t.Fatal(err)
	}

	if err := s.Backup(ctx, path); err != nil {
		t.Fatalf("Backup: %v", err)
	}
	copied := openTestStore(t, path, allium.Schema)
	var check string
	if err := copied.r.QueryRow(`PRAGMA integrity_check`).Scan(&check); err != nil || check != "ok" {
		t.Errorf("integrity_check of the backup = %q, %v; want ok", check, err)
	}
	if _, err := copied.Authenticate(ctx, "mei@example.com", "correct horse battery"); err != nil {
		t.Errorf("sign in against the backup: %v; want the owner and her password in it", err)
	}
	if log, err := copied.AuditLog(ctx, owner, AuditFilter{RecordType: "chart"}); err != nil || len(log) != 1 || log[0].Action != "view" || log[0].ClientID != 7 {
		t.Errorf("views of charts in the backup = %+v, %v; want the one view recorded before it", log, err)
	}

	if _, err := s.r.Exec(`INSERT INTO settings (key, value) VALUES ('x', 'y')`); err == nil {
		t.Error("a write through the reader pool succeeded after Backup; want the pool to stay query-only")
	}

	before, _ := os.ReadFile(path)
	if err := s.Backup(ctx, path); err == nil {
		t.Error("second Backup to the same path succeeded; want a refusal to overwrite")
	}
	after, _ := os.ReadFile(path)
	if string(before) != string(after) {
		t.Error("the refused backup changed the existing file")
	}
}

func TestSettingsRoundTrip(t *testing.T) {
	ctx := context.Background()
	s, _ := newTestStore(t)
	got, err := s.Settings(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if want := clinic.DefaultSettings(); got.Name != want.Name || got.TimeZone != want.TimeZone {
		t.Errorf("Settings of a new clinic = %q %q; want the defaults %q %q", got.Name, got.TimeZone, want.Name, want.TimeZone)
	}
	set := clinic.DefaultSettings()
	set.Name, set.TimeZone, set.ReminderLeads = "Wattle Lane Remedial", "Australia/Perth", nil
	if err := s.SaveSettings(ctx, owner, set); err != nil {
		t.Fatalf("SaveSettings: %v", err)
	}
	got, err = s.Settings(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != set.Name || got.TimeZone != set.TimeZone || len(got.ReminderLeads) != 0 {
		t.Errorf("Settings after save = %q %q %v; want %q %q no reminders", got.Name, got.TimeZone, got.ReminderLeads, set.Name, set.TimeZone)
	}

	bad := set
	bad.TimeZone = "Mars/Olympus_Mons"
	if err := s.SaveSettings(ctx, owner, bad); err == nil {
		t.Error("SaveSettings with an unknown time zone succeeded; want an error")
	}
	for _, by := range []Actor{{Role: clinic.RoleReception, UserID: 7}, {Role: clinic.RoleClient, UserID: 8}} {
		if err := s.SaveSettings(ctx, by, set); !errors.Is(err, ErrForbidden) {
			t.Errorf("SaveSettings by %s = %v; want ErrForbidden", by.Role, err)
		}
	}
}

func TestAppKeyIsMadeOnceAndKept(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "keys.db")
	s := openTestStore(t, path, allium.Schema)
	k1, err := s.AppKey(ctx, "session", 64)
	if err != nil || len(k1) != 64 {
		t.Fatalf("AppKey = %d bytes, %v; want 64", len(k1), err)
	}
	s.Close()
	s = openTestStore(t, path, allium.Schema)
	k2, err := s.AppKey(ctx, "session", 64)
	if err != nil || string(k1) != string(k2) {
		t.Errorf("AppKey after reopening differs (%v): sessions would not survive a restart", err)
	}
}

// A view's audit row goes to the view log, not the database: committing it must leave the
// database unchanged, so the readers keep their page caches (docs/performance.md). The owner's
// audit log still lists it beside the rows of writes.
func TestViewsAreAuditedOutsideTheDatabase(t *testing.T) {
	ctx := context.Background()
	s, _ := newTestStore(t)
	owner := mustCreateUser(t, s, clinic.RoleOwner, "mei@example.com", "correct horse battery")
	by := Actor{UserID: owner.ID, Role: clinic.RoleOwner}
	conn, err := s.r.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	version := func() (v int64) {
		if err := conn.QueryRowContext(ctx, `PRAGMA data_version`).Scan(&v); err != nil {
			t.Fatal(err)
		}
		return v
	}
	before := version()
	if err := s.auditView(ctx, by, "plan", 3, 9); err != nil {
		t.Fatal(err)
	}
	if after := version(); after != before {
		t.Errorf("data_version of the database went %d -> %d on a view; want the view written elsewhere", before, after)
	}
	log, err := s.AuditLog(ctx, by, AuditFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var view, write bool
	for _, e := range log {
		view = view || e.Action == "view" && e.RecordType == "plan" && e.RecordID == 3 && e.ClientID == 9 && e.ActorName != ""
		write = write || e.Action == "create" && e.RecordType == "user"
	}
	if !view || !write {
		t.Errorf("audit log = %+v; want the plan's view (with its viewer's name) and the account's creation", log)
	}
}

// Views arriving together are committed in groups: each returns only once its own row is on
// record, every row is written once, and a group that cannot be committed fails every view in
// it without leaving the next ones waiting.
func TestViewsCommittedTogetherAreEachOnRecord(t *testing.T) {
	ctx := context.Background()
	s, _ := newTestStore(t)
	const n = 64
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			by := Actor{UserID: int64(1000 + i), Role: clinic.RoleTherapist}
			if err := s.auditView(ctx, by, "plan", int64(i), 7); err != nil {
				errs <- err
				return
			}
			// On record when the view returns: a page may be shown now.
			var got int
			if err := s.v.QueryRowContext(ctx, `SELECT count(*) FROM view_log WHERE record_type = 'plan' AND record_id = ? AND actor_id = ?`,
				i, 1000+i).Scan(&got); err != nil || got != 1 {
				errs <- fmt.Errorf("view %d: %d rows on record when it returned (%v); want 1", i, got, err)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if got := countAudit(t, s, "action = 'view' AND record_type = 'plan' AND client_id = 7"); got != n {
		t.Errorf("%d views on record; want %d", got, n)
	}

	// With the view log unwritable, every view fails, and none waits for ever.
	if _, err := s.v.ExecContext(ctx, `ALTER TABLE view_log RENAME TO view_log_gone`); err != nil {
		t.Fatal(err)
	}
	failed := make(chan error, n)
	for i := range n {
		go func() { failed <- s.auditView(ctx, owner, "plan", int64(i), 8) }()
	}
	for range n {
		select {
		case err := <-failed:
			if err == nil {
				t.Error("a view with no view log to write to succeeded; want an error")
			}
		case <-time.After(10 * time.Second):
			t.Fatal("views still waiting 10 s after the view log failed")
		}
	}
}
