// Package testkit is what every package's tests share and what needs no store: a clock the test
// moves by hand, the clinic's zone and working weeks, and a database file built once per test
// binary and copied for each test. The store's own tests use it; a test that wants a whole
// clinic on a store uses allium/internal/testclinic, which builds on it.
package testkit

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
	_ "time/tzdata" // the clinic's zone must load wherever the tests run

	"allium/clinic"
)

// Epoch is where every test clock starts: a Tuesday morning in Sydney, away from any DST change.
var Epoch = time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)

// Clock is a clock the test moves by hand. The server and the mail worker read it from other
// goroutines, so it is safe for concurrent use.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock returns a clock showing t.
func NewClock(t time.Time) *Clock { return &Clock{t: t} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// Set puts the clock at t, which may be earlier than now.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

// Sydney is the test clinic's zone.
func Sydney() *time.Location {
	loc, err := time.LoadLocation("Australia/Sydney")
	if err != nil {
		panic(err) // time/tzdata is linked in, so this cannot happen
	}
	return loc
}

// EveryDay is a working week of from:00 to to:00 on all seven days.
func EveryDay(from, to int) clinic.WeeklyHours {
	var h clinic.WeeklyHours
	for d := range h {
		h[d] = []clinic.Shift{{Start: clinic.Clock(from, 0), End: clinic.Clock(to, 0)}}
	}
	return h
}

// Weekdays is from:00 to to:00 Monday to Friday.
func Weekdays(from, to int) clinic.WeeklyHours {
	var h clinic.WeeklyHours
	for d := time.Monday; d <= time.Friday; d++ {
		h[d] = []clinic.Shift{{Start: clinic.Clock(from, 0), End: clinic.Clock(to, 0)}}
	}
	return h
}

// Template is a database file built once per test binary and copied into each test's own
// folder. Building one from schema.sql costs more than the test that uses it; copying the
// finished file gives the same bytes the build would. The copy is still opened through
// store.Open, so every test exercises the path production opens a database by.
type Template struct {
	once sync.Once
	data []byte
	err  error
}

// Copy writes the template into a new folder of tb's and returns the file's path. The first
// call builds the template with build, which must leave a complete, closed database at path
// (no -wal file beside it).
func (tp *Template) Copy(tb testing.TB, build func(path string) error) string {
	tb.Helper()
	tp.once.Do(func() {
		dir, err := os.MkdirTemp("", "allium-template-")
		if err != nil {
			tp.err = err
			return
		}
		defer os.RemoveAll(dir)
		path := filepath.Join(dir, "template.db")
		if tp.err = build(path); tp.err != nil {
			return
		}
		if _, err := os.Stat(path + "-wal"); err == nil {
			tp.err = fmt.Errorf("%s-wal is left: the database was not closed", path)
			return
		}
		tp.data, tp.err = os.ReadFile(path)
	})
	if tp.err != nil {
		tb.Fatalf("build the template database: %v", tp.err)
	}
	path := filepath.Join(tb.TempDir(), "allium.db")
	if err := os.WriteFile(path, tp.data, 0o600); err != nil {
		tb.Fatal(err)
	}
	return path
}
