package backups_test

import (
	"context"
	"database/sql"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	_ "github.com/mattn/go-sqlite3"

	"allium"
	"allium/backups"
	"allium/store"
)

var sydney = func() *time.Location { l, _ := time.LoadLocation("Australia/Sydney"); return l }()

func TestABackupIsDueOnceEachNightAfterItsHour(t *testing.T) {
	at := 2*time.Hour + 15*time.Minute
	night := func(d, h, m int) time.Time { return time.Date(2026, 12, d, h, m, 0, 0, sydney) }
	for _, c := range []struct {
		name      string
		last, now time.Time
		due       bool
	}{
		{"never taken", time.Time{}, night(5, 1, 0), true},
		{"taken last night, before tonight's hour", night(4, 2, 16), night(5, 2, 0), false},
		{"taken last night, tonight's hour has come", night(4, 2, 16), night(5, 2, 15), true},
		{"taken tonight", night(5, 2, 20), night(5, 23, 0), false},
		{"server was down for two nights", night(2, 2, 16), night(5, 9, 0), true},
	} {
		if got := backups.Due(c.last, c.now, at, sydney); got != c.due {
			t.Errorf("%s: Due = %v; want %v", c.name, got, c.due)
		}
	}
}

func TestNightlyKeepsTheNewestCheckedBackups(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	st, err := store.Open(ctx, filepath.Join(dir, "allium.db"), allium.Schema)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	now := time.Date(2026, 12, 1, 16, 0, 0, 0, time.UTC)
	out := filepath.Join(dir, "backups")
	n := &backups.Nightly{Store: st, Dir: out, Keep: 3, At: 2 * time.Hour, Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Now: func() time.Time { return now }, Zone: func(context.Context) (*time.Location, error) { return sydney, nil }}
	for range 5 {
		if err := n.RunDue(ctx); err != nil {
			t.Fatal(err)
		}
		if err := n.RunDue(ctx); err != nil { // the same night again: nothing more
			t.Fatal(err)
		}
		now = now.Add(24 * time.Hour)
	}
	list, err := backups.List(out)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 3 || !list[2].At.Equal(now.Add(-24*time.Hour)) {
		t.Fatalf("backups kept = %+v; want the newest 3 of 5 nights", list)
	}
	for _, b := range list {
		fi, err := os.Stat(b.Path)
		if err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: %v, mode %v; want readable by the server's user only", b.Path, err, fi.Mode())
		}
		db, err := sql.Open("sqlite3", b.Path+"?mode=ro")
		if err != nil {
			t.Fatal(err)
		}
		var ok string
		if err := db.QueryRow(`PRAGMA integrity_check`).Scan(&ok); err != nil || ok != "ok" {
			t.Errorf("%s: integrity_check = %q, %v", b.Path, ok, err)
		}
		db.Close()
	}
	if ents, _ := os.ReadDir(out); len(ents) != 3 {
		t.Errorf("the folder holds %d files; want only the 3 backups", len(ents))
	}
}

func TestStatusWarnsOfAnOldBackupAndOfAReplicaBehindTheServer(t *testing.T) {
	dir := t.TempDir()
	now := time.Now()
	replica := filepath.Join(dir, "replica")
	if err := os.MkdirAll(filepath.Join(replica, "ltx", "0"), 0o700); err != nil {
		t.Fatal(err)
	}
	ltx := filepath.Join(replica, "ltx", "0", "0000000000000001-0000000000000001.ltx")
	if err := os.WriteFile(ltx, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	wrote := now.Add(-time.Hour)
	if err := os.Chtimes(ltx, wrote, wrote); err != nil {
		t.Fatal(err)
	}
	backupDir := filepath.Join(dir, "backups")
	os.Mkdir(backupDir, 0o700)
	old := now.Add(-49 * time.Hour).UTC()
	os.WriteFile(filepath.Join(backupDir, "allium-"+old.Format("20060102T150405Z")+".db"), nil, 0o600)

	var lastCommit time.Time
	w := backups.Watch{BackupDir: backupDir, ReplicaDir: replica, MaxAge: 5 * time.Minute, LastCommit: func() time.Time { return lastCommit }}
	s := w.Status(now)
	if s.ReplicaBehind || !s.ReplicaAt.Equal(wrote) {
		t.Errorf("quiet clinic: behind %v, replica written %v; want not behind, %v", s.ReplicaBehind, s.ReplicaAt, wrote)
	}
	if !s.BackupOld || !s.LastBackup.At.Equal(old.Truncate(time.Second)) {
		t.Errorf("backup of 49 hours ago: old %v, last %v; want a warning", s.BackupOld, s.LastBackup.At)
	}
	lastCommit = now.Add(-2 * time.Minute) // a change the replica has not had...
	if s := w.Status(now); !s.ReplicaBehind {
		t.Error("a change made after the replica's last write, which is an hour old: not behind; want behind")
	}
	if err := os.Chtimes(ltx, now, now); err != nil { // ...until Litestream ships it
		t.Fatal(err)
	}
	if s := w.Status(now); s.ReplicaBehind {
		t.Error("the replica has the change: behind; want not")
	}
	os.WriteFile(filepath.Join(backupDir, "allium-"+now.UTC().Format("20060102T150405Z")+".db"), nil, 0o600)
	if s := w.Status(now); s.BackupOld {
		t.Error("a backup from now: old; want not")
	}
	if s := (backups.Watch{ReplicaDir: filepath.Join(dir, "none"), MaxAge: time.Minute, LastCommit: func() time.Time { return lastCommit }}).Status(now); !s.ReplicaBehind || s.ReplicaError == "" {
		t.Errorf("a missing replica folder: %+v; want a warning", s)
	}
}
