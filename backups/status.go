package backups

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"time"
)

// BackupWarnAge is the age past which the owner's page warns that the last good backup is old.
const BackupWarnAge = 48 * time.Hour

// LastReplicaWrite is when Litestream last wrote into its replica folder: the newest file
// under it. Litestream writes a file there for every change it ships (and compacts them), so
// this is when the replica last received anything.
//
// Reading the replica's own files, rather than Litestream's metrics endpoint, answers the
// question that matters (did the copy elsewhere change?) and works however Litestream was
// started; its metrics report the local position only. It needs the replica to be a folder
// this machine can read (a local disk or a mounted network share); for an S3 replica, add a
// folder replica beside it or watch Litestream's own log.
func LastReplicaWrite(dir string) (time.Time, error) {
	var last time.Time
	err := filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.Type().IsRegular() {
			return nil
		}
		fi, err := d.Info()
		if err != nil {
			return nil // compacted away while we looked
		}
		if fi.ModTime().After(last) {
			last = fi.ModTime()
		}
		return nil
	})
	if err == nil && last.IsZero() {
		err = fs.ErrNotExist
	}
	return last, err
}

// Status is what the owner's page says about the copies of the clinic's records.
type Status struct {
	BackupDir     string // empty: nightly backups are not set up
	LastBackup    Info   // zero: none found
	BackupOld     bool   // none, or the newest is older than BackupWarnAge
	ReplicaDir    string // empty: no replica is watched
	ReplicaAt     time.Time
	ReplicaError  string // the replica folder could not be read, or holds nothing yet
	ReplicaBehind bool   // the server committed changes the replica has not had for MaxAge
	MaxAge        time.Duration
}

// Watch reads the backups folder and the replica folder for the owner's page.
type Watch struct {
	BackupDir  string
	ReplicaDir string
	// MaxAge is how long a change may wait for the replica before the page warns.
	MaxAge time.Duration
	// LastCommit is when the server last committed a change (store.Store.LastCommit).
	LastCommit func() time.Time
}

// Status reads both folders now.
func (w Watch) Status(now time.Time) Status {
	s := Status{BackupDir: w.BackupDir, ReplicaDir: w.ReplicaDir, MaxAge: w.MaxAge}
	if w.BackupDir != "" {
		s.LastBackup, _ = Latest(w.BackupDir)
		s.BackupOld = s.LastBackup.At.IsZero() || now.Sub(s.LastBackup.At) > BackupWarnAge
	}
	if w.ReplicaDir != "" {
		at, err := LastReplicaWrite(w.ReplicaDir)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			s.ReplicaError = "Litestream has written nothing there yet."
		case err != nil:
			s.ReplicaError = "The folder cannot be read (" + err.Error() + ")."
		}
		s.ReplicaAt = at
		// A quiet clinic writes nothing and neither does Litestream: only a change the
		// replica has not had for MaxAge is a problem.
		s.ReplicaBehind = err != nil || (w.LastCommit().After(at) && now.Sub(at) > w.MaxAge)
	}
	return s
}

// MaxAgeText is MaxAge in words, for the page: "5 minutes", "2 hours".
func (s Status) MaxAgeText() string {
	switch d := s.MaxAge; {
	case d >= time.Hour && d%time.Hour == 0:
		return plural(int(d/time.Hour), "hour")
	case d >= time.Minute:
		return plural(int(d/time.Minute), "minute")
	default:
		return plural(int(d/time.Second), "second")
	}
}

func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return fmt.Sprintf("%d %ss", n, unit)
}
