package main

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"allium"
	"allium/store"
)

// env is a fake environment for run.
type env map[string]string

func (e env) get(k string) string { return e[k] }

func runCmd(t *testing.T, e env, stdin string, args ...string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	err := run(context.Background(), args, e.get, strings.NewReader(stdin), &out)
	return out.String(), err
}

var readyURL = regexp.MustCompile(`msg="allium is ready" url=(\S+)`)

func TestServeAnswersAndShutsDown(t *testing.T) {
	e := env{"ALLIUM_DB": filepath.Join(t.TempDir(), "allium.db")}
	pr, pw := io.Pipe()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--addr", "127.0.0.1:0"}, e.get, strings.NewReader(""), pw)
		pw.Close()
	}()
	ready := make(chan string, 1)
	var log bytes.Buffer
	logDone := make(chan struct{})
	go func() {
		defer close(logDone)
		sc := bufio.NewScanner(pr)
		for sc.Scan() { // keep reading: the server logs every request to this pipe
			log.WriteString(sc.Text() + "\n")
			if m := readyURL.FindStringSubmatch(sc.Text()); m != nil {
				ready <- m[1]
			}
		}
	}()

	var base string
	select {
	case base = <-ready:
	case err := <-done:
		t.Fatalf("run returned before the server was ready: %v", err)
	case <-time.After(time.Minute):
		t.Fatal("no \"allium is ready\" line within a minute")
	}
	hc := &http.Client{Timeout: 10 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	r, err := hc.Get(base + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(r.Body)
	r.Body.Close()
	if r.StatusCode != http.StatusOK || string(body) != "ok" {
		t.Errorf("GET /healthz = %d %q; want 200 ok", r.StatusCode, body)
	}
	r, err = hc.Get(base + "/")
	if err != nil {
		t.Fatal(err)
	}
	r.Body.Close()
	if loc := r.Header.Get("Location"); r.StatusCode != http.StatusSeeOther || loc != "/setup" {
		t.Errorf("GET / on a new clinic = %d to %q; want 303 to /setup", r.StatusCode, loc)
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("run after cancel = %v; want nil", err)
		}
	case <-time.After(time.Minute):
		t.Fatal("run did not return within a minute of cancel")
	}
	<-logDone
	if !strings.Contains(log.String(), "shutting down") || !strings.Contains(log.String(), "path=/healthz") {
		t.Errorf("log lacks the shutdown or the request:\n%s", log.String())
	}
	if _, err := hc.Get(base + "/healthz"); err == nil {
		t.Error("the server still answers after run returned")
	}
}

func TestServeRefusesBadConfiguration(t *testing.T) {
	db := filepath.Join(t.TempDir(), "allium.db")
	for _, tc := range []struct {
		name string
		e    env
		args []string
		want string
	}{
		{"short session key", env{"ALLIUM_SESSION_KEY": "too-short"}, nil, "ALLIUM_SESSION_KEY"},
		{"bad SMTP URL", env{"ALLIUM_SMTP_URL": "http://mail.example"}, nil, "SMTP URL"},
		{"bad SMTP tls", nil, []string{"--smtp-url", "smtp://mail.example?tls=maybe"}, "tls"},
		{"unknown flag", nil, []string{"--port", "80"}, "port"},
		{"unknown checkpoints", nil, []string{"--checkpoints", "sometimes"}, "--checkpoints"},
		{"replica age that is not a duration", env{"ALLIUM_REPLICA_MAX_AGE": "5"}, nil, "ALLIUM_REPLICA_MAX_AGE"},
		{"backup hour that is not a time", nil, []string{"--backup-at", "25:00"}, "--backup-at"},
		{"no backup kept", env{"ALLIUM_BACKUP_KEEP": "0"}, nil, "--backup-keep"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := env{"ALLIUM_DB": db}
			for k, v := range tc.e {
				e[k] = v
			}
			// Should serve start after all, the guard stops it and the nil error fails the test.
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			err := run(ctx, append([]string{"serve", "--addr", "127.0.0.1:0"}, tc.args...), e.get, strings.NewReader(""), io.Discard)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("serve = %v; want an error about %s", err, tc.want)
			}
		})
	}
}

func countUsers(t *testing.T, path string) int {
	t.Helper()
	return countRows(t, path, "users")
}

// countRows counts a table's rows, read-only.
func countRows(t *testing.T, path, table string) int {
	t.Helper()
	db, err := sql.Open("sqlite3", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM ` + table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestDemoTwiceAddsNothingTwice(t *testing.T) {
	db := filepath.Join(t.TempDir(), "demo.db")
	out, err := runCmd(t, env{}, "", "demo", "--db", db, "--addr", "127.0.0.1:9999")
	if err != nil {
		t.Fatalf("demo: %v", err)
	}
	for _, want := range []string{demoPassword, "owner@demo.allium.test", "http://127.0.0.1:9999/signin"} {
		if !strings.Contains(out, want) {
			t.Errorf("demo output lacks %q:\n%s", want, out)
		}
	}
	first := countUsers(t, db)
	if want := len(demoStaff) + len(demoClients); first != want {
		t.Errorf("users after demo = %d; want %d", first, want)
	}
	invoices, payments := countRows(t, db, "invoices"), countRows(t, db, "payments")
	if invoices == 0 || payments == 0 || payments >= invoices {
		t.Errorf("the demo's past: %d invoices, %d payments; want most sessions invoiced and paid, a few owing", invoices, payments)
	}
	if _, err := runCmd(t, env{"ALLIUM_DB": db}, "", "demo"); err != nil {
		t.Fatalf("second demo: %v", err)
	}
	if again := countUsers(t, db); again != first {
		t.Errorf("users after a second demo = %d; want still %d", again, first)
	}
	if countRows(t, db, "invoices") != invoices || countRows(t, db, "payments") != payments {
		t.Errorf("a second demo added invoices or payments")
	}

	st, err := store.Open(context.Background(), db, allium.Schema)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := st.Authenticate(context.Background(), "sam@demo.allium.test", demoPassword); err != nil {
		t.Errorf("demo therapist cannot sign in: %v", err)
	}
	if set, _ := st.Settings(context.Background()); set.Name != "Allium Remedial & Tui Na" {
		t.Errorf("demo clinic name = %q", set.Name)
	}
}

func TestUserAdd(t *testing.T) {
	db := filepath.Join(t.TempDir(), "allium.db")
	e := env{"ALLIUM_DB": db}
	out, err := runCmd(t, e, "a long enough password\n", "user", "add", "--role", "owner", "--email", "mei@clinic.test", "--name", "Mei Lin")
	if err != nil {
		t.Fatalf("user add: %v", err)
	}
	if !strings.Contains(out, "added Mei Lin <mei@clinic.test> as Owner") {
		t.Errorf("user add output = %q", out)
	}
	st, err := store.Open(context.Background(), db, allium.Schema)
	if err != nil {
		t.Fatal(err)
	}
	u, err := st.Authenticate(context.Background(), "mei@clinic.test", "a long enough password")
	st.Close()
	if err != nil || u.Role != "owner" {
		t.Errorf("sign in with the password from stdin = %+v, %v; want the owner", u, err)
	}

	for _, tc := range []struct {
		name, stdin string
		args        []string
		want        string
	}{
		{"taken email", "another long password", []string{"--role", "therapist", "--email", "MEI@clinic.test", "--name", "Mei"}, "already has an account"},
		{"short password", "short\n", []string{"--role", "therapist", "--email", "sam@clinic.test", "--name", "Sam"}, "at least 10 characters"},
		{"client role", "a long enough password", []string{"--role", "client", "--email", "alex@clinic.test", "--name", "Alex"}, "--role"},
		{"no name", "a long enough password", []string{"--role", "therapist", "--email", "sam@clinic.test"}, "--name"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := runCmd(t, e, tc.stdin, append([]string{"user", "add"}, tc.args...)...)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("user add = %v; want an error mentioning %q", err, tc.want)
			}
		})
	}
	if n := countUsers(t, db); n != 1 {
		t.Errorf("users = %d; want only the owner", n)
	}
}

func TestBackupAndMigrateCommands(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "allium.db")
	e := env{"ALLIUM_DB": db}
	if _, err := runCmd(t, e, "a long enough password", "user", "add", "--role", "owner", "--email", "mei@clinic.test", "--name", "Mei"); err != nil {
		t.Fatal(err)
	}
	out, err := runCmd(t, e, "", "migrate")
	if err != nil || !strings.Contains(out, fmt.Sprintf("schema version %d", store.SchemaVersion())) {
		t.Errorf("migrate = %q, %v", out, err)
	}

	copyPath := filepath.Join(dir, "backup.db")
	out, err = runCmd(t, e, "", "backup", copyPath)
	if err != nil || !strings.Contains(out, "integrity check ok") {
		t.Fatalf("backup = %q, %v", out, err)
	}
	if n := countUsers(t, copyPath); n != 1 {
		t.Errorf("users in the backup = %d; want 1", n)
	}
	if _, err := runCmd(t, e, "", "backup", copyPath); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Errorf("backup over an existing file = %v; want a refusal", err)
	}
	if _, err := runCmd(t, e, "", "backup"); err == nil {
		t.Error("backup without a path succeeded")
	}
}

func TestUnknownCommandAndHelp(t *testing.T) {
	if _, err := runCmd(t, env{}, "", "frobnicate"); err == nil || !strings.Contains(err.Error(), "unknown command") {
		t.Errorf("unknown command = %v", err)
	}
	out, err := runCmd(t, env{}, "", "help")
	if err != nil || !strings.Contains(out, "backup PATH") {
		t.Errorf("help = %q, %v", out, err)
	}
}

// startServe runs `allium serve` on e's database until the test ends and returns its URL.
func startServe(t *testing.T, e env) string {
	t.Helper()
	pr, pw := io.Pipe()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--addr", "127.0.0.1:0"}, e.get, strings.NewReader(""), pw)
		pw.Close()
	}()
	ready := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			if m := readyURL.FindStringSubmatch(sc.Text()); m != nil {
				ready <- m[1]
			}
		}
	}()
	t.Cleanup(func() { cancel(); <-done })
	select {
	case u := <-ready:
		return u
	case err := <-done:
		t.Fatalf("serve returned before it was ready: %v", err)
	case <-time.After(time.Minute):
		t.Fatal("no \"allium is ready\" line within a minute")
	}
	return ""
}

// TestCommandsThatWriteRefuseADatabaseAServerHolds: the server keeps the bookings in memory and
// would not see another program's writes, so demo, user add, migrate and a second server refuse
// to touch its database, saying why; backup, which only reads, still runs.
func TestCommandsThatWriteRefuseADatabaseAServerHolds(t *testing.T) {
	dir := t.TempDir()
	e := env{"ALLIUM_DB": filepath.Join(dir, "allium.db")}
	startServe(t, e)
	for _, args := range [][]string{{"demo"}, {"user", "add", "--role", "owner", "--email", "o@x.test", "--name", "O"}, {"migrate"},
		{"serve", "--addr", "127.0.0.1:0"}} {
		out, err := runCmd(t, e, "a long enough password\n", args...)
		if !errors.Is(err, store.ErrServed) || !strings.Contains(err.Error(), "in use by a running `allium serve` (process ") {
			t.Errorf("allium %s while a server runs: %v (printed %q); want a refusal naming the server", args[0], err, out)
		}
	}
	db, err := sql.Open("sqlite3", e["ALLIUM_DB"]+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var staff int
	if err := db.QueryRow(`SELECT count(*) FROM users`).Scan(&staff); err != nil || staff != 0 {
		t.Errorf("users after the refusals = %d, %v; want none written", staff, err)
	}
	if out, err := runCmd(t, e, "", "backup", filepath.Join(dir, "copy.db")); err != nil {
		t.Errorf("backup while the server runs: %v %s", err, out)
	}
}
