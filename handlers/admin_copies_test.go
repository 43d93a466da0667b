package handlers_test

import (
	"strings"
	"testing"
	"time"

	"allium/backups"
	"allium/handlers"
)

// TestOwnersPageShowsTheCopiesAndWarnsWhenOneIsStale: the owner sees when the replica was last
// written and the last good backup, and a warning when a change is waiting for the replica or
// the last backup is over two days old.
func TestOwnersPageShowsTheCopiesAndWarnsWhenOneIsStale(t *testing.T) {
	var status backups.Status
	ta := newTestApp(t, func(c *handlers.Config) { c.Copies = func(time.Time) backups.Status { return status } })
	p := ta.seedPeople(t)
	tc := ta.client(t)
	tc.signIn(p.Owner.Email, testPassword)
	now := ta.Clock.Now()

	if page := tc.get("/admin").text(); !strings.Contains(page, "Continuous copy (Litestream): not watched") ||
		!strings.Contains(page, "Nightly backup: not set up") {
		t.Errorf("with neither set up the page says:\n%s", page)
	}

	status = backups.Status{ReplicaDir: "/mnt/offsite/replica", ReplicaAt: now.Add(-10 * time.Second), MaxAge: 5 * time.Minute,
		BackupDir: "/backups", LastBackup: backups.Info{Path: "/backups/allium-x.db", At: now.Add(-7 * time.Hour)}}
	page := tc.get("/admin").text()
	if strings.Contains(page, "not being copied safely") || !strings.Contains(page, "Nightly backup: last good one Tue 10 Mar 2026") {
		t.Errorf("with fresh copies the page says:\n%s", page)
	}

	status.ReplicaBehind = true
	status.ReplicaAt = now.Add(-2 * time.Hour)
	status.BackupOld = true
	status.LastBackup.At = now.Add(-72 * time.Hour)
	page = tc.get("/admin").text()
	for _, want := range []string{"The records are not being copied safely",
		"Changes made here have not reached the continuous copy in /mnt/offsite/replica for over 5 minutes",
		"Check that Litestream is running", "The last good backup was taken Sat 7 Mar 2026", "more than two days ago"} {
		if !strings.Contains(page, want) {
			t.Errorf("with stale copies the page does not say %q:\n%s", want, page)
		}
	}
}
