package store

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
)

// ErrServed says a running `allium serve` holds the database.
var ErrServed = errors.New("the database is held by a running server")

// Lock is a hold on a database file that keeps the other programs of ours out: the server holds
// it while it runs, and every other command that writes holds it while it works.
//
// The server keeps the bookings in memory for the free-time search (availability.go) and learns
// only of the changes it makes itself, so a booking written by another program while it runs
// would be missing from the booking pages until a restart. The hold is an flock(2) on a file
// beside the database (PATH-lock): the system lets it go when the process ends however it ends,
// kill -9 included, so a crash never leaves a stale lock behind. A program outside Allium (the
// sqlite3 shell, Litestream) does not look at it.
type Lock struct{ f *os.File }

// LockPath is the file the hold is taken on.
func LockPath(db string) string { return db + "-lock" }

// LockDB takes the hold on db's lock file without waiting. who names the holder ("serve",
// "demo") and is written into the file, so a refused program can say who has it.
func LockDB(db, who string) (*Lock, error) {
	f, err := os.OpenFile(LockPath(db), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", db, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		holder, _ := os.ReadFile(LockPath(db))
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("%s is in use by %s: %w", db, describeHolder(string(holder)), ErrServed)
		}
		return nil, fmt.Errorf("lock %s: %w", db, err)
	}
	// The lock is what counts; the words are only for the message of the one refused.
	if err := f.Truncate(0); err == nil {
		_, _ = f.WriteAt([]byte(fmt.Sprintf("%s %d\n", who, os.Getpid())), 0)
	}
	return &Lock{f: f}, nil
}

func describeHolder(s string) string {
	s = strings.TrimSpace(s)
	i := strings.LastIndexByte(s, ' ')
	who, pid := s[:max(i, 0)], s[i+1:]
	if _, err := strconv.Atoi(pid); i <= 0 || err != nil {
		return "another allium program"
	}
	return fmt.Sprintf("a running `allium %s` (process %s)", who, pid)
}

// Release lets the hold go. The file stays: removing it could let two programs each hold a
// lock on a different file of the same name.
func (l *Lock) Release() error {
	if l == nil || l.f == nil {
		return nil
	}
	return l.f.Close()
}
