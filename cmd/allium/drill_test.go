package main

// The restore drill of docs/operations.md ("Restore"), run for real: Litestream replicates the
// database of a running `allium serve` into a folder while the clinic books, signs notes and
// queues mail; both processes are killed with SIGKILL, the database is deleted, and the clinic
// comes back from the replica, from a nightly backup, and from the replica as it was before a
// mistake. It needs the litestream binary (.ci/run installs it); without it the drill says so
// loudly (go test -v shows it) and skips, except in CI, where it fails.

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"allium"
	"allium/backups"
	"allium/clinic"
	"allium/store"
)

// TestMain lets the drill start this test binary as `allium`: with ALLIUM_TEST_AS_MAIN set it
// runs main with its arguments instead of the tests, so the server is a real process to kill.
func TestMain(m *testing.M) {
	if os.Getenv("ALLIUM_TEST_AS_MAIN") == "1" {
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// litestream finds the binary: on PATH, or where `go install` puts it.
func litestream(t testing.TB) string {
	t.Helper()
	if p, err := exec.LookPath("litestream"); err == nil {
		return p
	}
	if out, err := exec.Command("go", "env", "GOBIN", "GOPATH").Output(); err == nil {
		for _, d := range strings.Fields(string(out)) {
			for _, p := range []string{filepath.Join(d, "litestream"), filepath.Join(d, "bin", "litestream")} {
				if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() {
					return p
				}
			}
		}
	}
	msg := "RESTORE DRILL NOT RUN: the litestream binary is not installed " +
		"(go install github.com/benbjohnson/litestream/cmd/litestream@" + litestreamVersion + ")"
	if os.Getenv("CI") != "" { // CI sets CI=true; the drill must run there
		t.Fatal(msg)
	}
	fmt.Fprintln(os.Stderr, "!!!", msg)
	t.Skip(msg)
	return ""
}

// litestreamVersion is the release .ci/run installs and docs/operations.md describes.
const litestreamVersion = "v0.5.18"

// drill is one clinic's files and processes.
type drill struct {
	t                                    testing.TB
	ls, dir, db, replica, config, socket string
	backupDir                            string
}

func newDrill(t testing.TB) *drill {
	d := &drill{t: t, ls: litestream(t), dir: t.TempDir()}
	d.db = filepath.Join(d.dir, "allium.db")
	d.replica = filepath.Join(d.dir, "replica")
	d.config = filepath.Join(d.dir, "litestream.yml")
	d.socket = filepath.Join(d.dir, "litestream.sock")
	d.backupDir = filepath.Join(d.dir, "backups")
	// The production configuration of docs/operations.md, with a folder replica and a fast sync.
	cfg := fmt.Sprintf(`socket:
  enabled: true
  path: %s
dbs:
  - path: %s
    replica:
      type: file
      path: %s
      sync-interval: 100ms
`, d.socket, d.db, d.replica)
	if err := os.WriteFile(d.config, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	return d
}

// start runs a process until the test ends (or it is killed), its output kept for a failure.
func (d *drill) start(name string, cmd *exec.Cmd) *exec.Cmd {
	d.t.Helper()
	log, err := os.CreateTemp(d.dir, name+"-*.log") // each run of a program keeps its own log
	if err != nil {
		d.t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		d.t.Fatal(err)
	}
	d.t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		log.Close()
		if d.t.Failed() {
			b, _ := os.ReadFile(log.Name())
			d.t.Logf("%s output:\n%s", name, b)
		}
	})
	return cmd
}

// serve starts `allium serve` on the database and waits until it answers /healthz.
func (d *drill) serve(db string) *exec.Cmd {
	d.t.Helper()
	addr := freeAddr(d.t)
	cmd := exec.Command(os.Args[0], "serve", "--db", db, "--addr", addr, "--checkpoints", "litestream",
		"--replica", d.replica, "--backup-dir", filepath.Join(d.dir, "server-backups"))
	cmd.Env = append(os.Environ(), "ALLIUM_TEST_AS_MAIN=1")
	d.start("allium-serve", cmd)
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		r, err := (&http.Client{Timeout: 2 * time.Second}).Get("http://" + addr + "/healthz")
		if err == nil {
			body, _ := io.ReadAll(r.Body)
			r.Body.Close()
			if r.StatusCode == 200 && string(body) == "ok" {
				return cmd
			}
		}
		if time.Now().After(deadline) {
			d.t.Fatalf("allium serve on %s did not answer /healthz: %v", db, err)
		}
	}
}

func freeAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// run runs litestream with args and fails the test on an error.
func (d *drill) litestream(args ...string) string {
	d.t.Helper()
	out, err := exec.Command(d.ls, args...).CombinedOutput()
	if err != nil {
		d.t.Fatalf("litestream %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// synced waits until Litestream has shipped every commit so far to the replica: what
// `litestream sync -wait` confirms is what a lost disk can no longer take away.
func (d *drill) synced() {
	d.t.Helper()
	d.litestream("sync", "-wait", "-socket", d.socket, d.db)
}

// kill ends the processes with SIGKILL, as a machine that dies gives no warning.
func kill(t *testing.T, cmds ...*exec.Cmd) {
	t.Helper()
	for _, c := range cmds {
		if err := c.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		c.Wait()
	}
}

// lose deletes the database as a dead disk would: the file, its WAL and shared memory, the
// view log, and Litestream's local state beside it. (The drill replicates the database only; a
// server restored without the view log starts a new one.)
func (d *drill) lose() {
	d.t.Helper()
	for _, p := range []string{d.db, d.db + "-wal", d.db + "-shm", d.db + "-views", d.db + "-views-wal", d.db + "-views-shm",
		filepath.Join(d.dir, ".allium.db-litestream")} {
		if err := os.RemoveAll(p); err != nil {
			d.t.Fatal(err)
		}
	}
}

// acknowledged is what the clinic was told is safe: bookings, signed notes, queued mail.
type acknowledged struct {
	bookings []int64
	notes    []int64
	mail     []string // dedupe keys
	course   []int64  // the course the mistake cancels
}

// work is a morning at the clinic, written through the store as the server's pages write it:
// each call returns once its transaction is committed, which is when a page says "Booked".
func work(t *testing.T, db string) acknowledged {
	t.Helper()
	ctx := context.Background()
	st, err := store.OpenWith(ctx, db, allium.Schema, store.Options{LitestreamCheckpoints: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	loc, _ := time.LoadLocation("Australia/Sydney")
	now := time.Date(2026, 11, 2, 9, 0, 0, 0, loc)
	st.Now = func() time.Time { return now }
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	th, err := st.CreateUser(ctx, store.System, store.NewUser{Role: clinic.RoleTherapist, Email: "sam@x.test", Name: "Sam"})
	must(err)
	svc, err := st.UpsertService(ctx, store.System, store.Service{Service: clinic.Service{Key: "r60", Name: "Remedial",
		Duration: time.Hour, BufferAfter: 15 * time.Minute, NeedsRoom: true}}, 0)
	must(err)
	_, err = st.EnsureRoom(ctx, store.System, "Room 1")
	must(err)
	var h clinic.WeeklyHours
	for d := range h {
		h[d] = []clinic.Shift{{Start: clinic.Clock(9, 0), End: clinic.Clock(17, 0)}}
	}
	_, err = st.SetHours(ctx, store.System, th.ID, h, loc)
	must(err)
	must(st.SetTherapistServices(ctx, store.System, th.ID, []int64{svc}))
	var ack acknowledged
	sam := store.Actor{UserID: th.ID, Role: clinic.RoleTherapist}
	for i := range 6 {
		cu, err := st.CreateUser(ctx, store.System, store.NewUser{Role: clinic.RoleClient, Email: fmt.Sprintf("c%d@x.test", i), Name: fmt.Sprintf("Client %d", i)})
		must(err)
		cid, err := st.ClientIDForUser(ctx, cu.ID)
		must(err)
		starts := []time.Time{time.Date(2026, 11, 3+i, 10, 0, 0, 0, loc)}
		if i == 5 { // a course of three weekly sessions: the one the mistake cancels
			starts = []time.Time{time.Date(2026, 11, 10, 14, 0, 0, 0, loc), time.Date(2026, 11, 17, 14, 0, 0, 0, loc),
				time.Date(2026, 11, 24, 14, 0, 0, 0, loc)}
		}
		b, err := st.BookCourse(ctx, store.System, store.BookingRequest{ClientID: cid, ServiceID: svc, TherapistID: th.ID,
			Starts: starts, Reminders: true, Consent: true})
		must(err)
		for _, a := range b.Appointments {
			ack.bookings = append(ack.bookings, a.ID)
			if i == 5 {
				ack.course = append(ack.course, a.ID)
			}
		}
		if i < 3 {
			// A note is signed once its session has begun: the clock visits the session's end.
			booked := now
			now = b.Appointments[0].End
			id, err := st.SignNote(ctx, sam, b.Appointments[0].ID, clinic.SessionNote{Subjective: fmt.Sprintf("Session %d: neck easier", i)})
			now = booked
			must(err)
			ack.notes = append(ack.notes, id)
		}
	}
	rows, err := st.Outbox(ctx, store.System, store.OutboxFilter{Limit: 500})
	must(err)
	for _, r := range rows {
		ack.mail = append(ack.mail, r.DedupeKey)
	}
	if len(ack.mail) < 10 {
		t.Fatalf("only %d messages queued; the drill wants confirmations and reminders", len(ack.mail))
	}
	return ack
}

// cancelCourse is the mistake: reception cancels a client's whole course.
func cancelCourse(t *testing.T, db string, course []int64) {
	t.Helper()
	ctx := context.Background()
	st, err := store.OpenWith(ctx, db, allium.Schema, store.Options{LitestreamCheckpoints: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for _, id := range course {
		if _, err := st.Cancel(ctx, store.System, id, "cancelled by mistake"); err != nil {
			t.Fatal(err)
		}
	}
}

// check opens a restored database and finds everything acknowledged; it returns the course's
// statuses.
func check(t *testing.T, label, db string, ack acknowledged) []string {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, db, allium.Schema)
	if err != nil {
		t.Fatalf("%s: %v", label, err)
	}
	defer st.Close()
	for _, id := range ack.bookings {
		if _, err := st.AppointmentByID(ctx, store.System, id); err != nil {
			t.Errorf("%s: booking %d: %v", label, id, err)
		}
	}
	owner := store.Actor{Role: clinic.RoleOwner}
	for _, id := range ack.notes {
		n, err := st.NoteByID(ctx, owner, id)
		if err != nil || n.Status != "signed" {
			t.Errorf("%s: signed note %d: %q, %v", label, id, n.Status, err)
		}
	}
	rows, err := st.Outbox(ctx, store.System, store.OutboxFilter{Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	have := map[string]bool{}
	for _, r := range rows {
		have[r.DedupeKey] = true
	}
	for _, k := range ack.mail {
		if !have[k] {
			t.Errorf("%s: queued message %s is missing", label, k)
		}
	}
	var course []string
	for _, id := range ack.course {
		a, err := st.AppointmentByID(ctx, store.System, id)
		if err != nil {
			t.Fatalf("%s: course session %d: %v", label, id, err)
		}
		course = append(course, string(a.Status))
	}
	return course
}

func TestRestoreDrill(t *testing.T) {
	d := newDrill(t)
	if _, err := runCmd(t, env{}, "", "migrate", "--db", d.db); err != nil { // the clinic's database exists
		t.Fatal(err)
	}
	server := d.serve(d.db)
	repl := d.start("litestream", exec.Command(d.ls, "replicate", "-config", d.config))
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if _, err := os.Stat(d.socket); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("litestream did not open its control socket within 30 s")
		}
	}
	ack := work(t, d.db)
	d.synced()

	// A nightly backup, taken by the same code as the server's nightly job.
	nightly := takeNightly(t, d)

	beforeMistake := time.Now().UTC()
	cancelCourse(t, d.db, ack.course)
	d.synced()
	kill(t, server, repl)
	d.lose()

	// 1. From the replica, to the latest state: everything is there, and so is the mistake.
	replicaURL := "file://" + d.replica
	d.litestream("restore", "-o", d.db, replicaURL)
	d.serve(d.db) // Allium starts on the restored file...
	if got := check(t, "latest from the replica", d.db, ack); !allAre(got, "cancelled") {
		t.Errorf("latest from the replica: course is %v; want the cancellation, which happened", got)
	}

	// 2. From the replica, to a point in time before the mistake: the course is back.
	before := filepath.Join(d.dir, "before-mistake.db")
	d.litestream("restore", "-timestamp", beforeMistake.Format(time.RFC3339Nano), "-o", before, replicaURL)
	if got := check(t, "replica before the mistake", before, ack); !allAre(got, "booked") {
		t.Errorf("restored to %v, before the mistake: course is %v; want booked again", beforeMistake, got)
	}

	// 3. From the nightly backup: copy it into place and start the server on it.
	fromBackup := filepath.Join(d.dir, "from-backup", "allium.db")
	if err := os.MkdirAll(filepath.Dir(fromBackup), 0o700); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(nightly.Path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(fromBackup, b, 0o600); err != nil {
		t.Fatal(err)
	}
	d.serve(fromBackup)
	if got := check(t, "nightly backup", fromBackup, ack); !allAre(got, "booked") {
		t.Errorf("from the backup taken before the mistake: course is %v; want booked", got)
	}
}

func takeNightly(t *testing.T, d *drill) backups.Info {
	t.Helper()
	ctx := context.Background()
	st, err := store.OpenWith(ctx, d.db, allium.Schema, store.Options{LitestreamCheckpoints: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	n := &backups.Nightly{Store: st, Dir: d.backupDir, Keep: 3, Now: time.Now}
	b, err := n.Take(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func allAre(list []string, want string) bool {
	return len(list) > 0 && !slices.ContainsFunc(list, func(s string) bool { return s != want })
}

// BenchmarkCommitsBesideLitestream measures small commits (one queued email each) while
// Litestream replicates, with the store's own checkpointer and with checkpoints left to
// Litestream. Besides the time a commit takes it reports the WAL's size at the end, how often
// Litestream had to start again from a full snapshot because a checkpoint restarted the WAL
// under it, and the bytes it wrote to the replica per commit. docs/operations.md quotes it:
//
//	go test -run '^$' -bench CommitsBesideLitestream -benchtime 3000x ./cmd/allium/
func BenchmarkCommitsBesideLitestream(b *testing.B) {
	for _, mode := range []string{"allium", "litestream"} {
		b.Run("checkpoints="+mode, func(b *testing.B) {
			d := newDrill(b)
			ctx := context.Background()
			st, err := store.OpenWith(ctx, d.db, allium.Schema, store.Options{LitestreamCheckpoints: mode == "litestream"})
			if err != nil {
				b.Fatal(err)
			}
			defer st.Close()
			d.start("litestream", exec.Command(d.ls, "replicate", "-config", d.config, "-log-level", "debug"))
			for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
				if _, err := os.Stat(d.socket); err == nil {
					break
				}
				if time.Now().After(deadline) {
					b.Fatal("litestream did not open its control socket")
				}
			}
			d.synced()
			var walMax int64
			b.ResetTimer()
			for i := range b.N {
				if err := st.Enqueue(ctx, store.Email{Kind: "reminder", To: "c@x.test", DedupeKey: fmt.Sprint("bench:", i),
					Payload: map[string]string{"Note": strings.Repeat("x", 400)}}); err != nil {
					b.Fatal(err)
				}
				if i%100 == 0 {
					if fi, err := os.Stat(d.db + "-wal"); err == nil {
						walMax = max(walMax, fi.Size())
					}
				}
			}
			b.StopTimer()
			d.synced()
			logs, _ := filepath.Glob(filepath.Join(d.dir, "litestream-*.log"))
			log, _ := os.ReadFile(logs[0])
			b.ReportMetric(float64(strings.Count(string(log), "snap=true")), "full-snapshots")
			b.ReportMetric(float64(walMax)/(1<<20), "wal-max-MB")
			var replicated int64
			filepath.WalkDir(d.replica, func(_ string, e os.DirEntry, err error) error {
				if err == nil && e.Type().IsRegular() {
					if fi, err := e.Info(); err == nil {
						replicated += fi.Size()
					}
				}
				return nil
			})
			b.ReportMetric(float64(replicated)/float64(b.N), "replica-B/op")
		})
	}
}
