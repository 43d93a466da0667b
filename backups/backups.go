// Package backups keeps the clinic's records safe beyond the one database file: it writes the
// nightly backups into a folder and keeps the last few, and it reads how fresh those backups
// and Litestream's replica are, for the owner's page.
package backups

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"allium/store"
)

// A backup's file name holds the instant it was taken, in UTC, so names sort by age and a
// person can tell them apart: allium-20261205T021500Z.db.
const (
	prefix    = "allium-"
	suffix    = ".db"
	stampForm = "20060102T150405Z"
)

// Info is one backup in the folder.
type Info struct {
	Path string
	At   time.Time // when it was taken
	Size int64
}

// Nightly writes a checked backup into Dir once a day, the first time it looks after At
// o'clock in the clinic's zone, and keeps the newest Keep.
type Nightly struct {
	Store *store.Store
	Dir   string
	Keep  int
	At    time.Duration // after local midnight, e.g. 2h15m
	Zone  func(context.Context) (*time.Location, error)
	Log   *slog.Logger
	Now   func() time.Time
}

// Run looks every few minutes whether a backup is due, until ctx ends.
func (n *Nightly) Run(ctx context.Context) {
	t := time.NewTicker(10 * time.Minute)
	defer t.Stop()
	for {
		if err := n.RunDue(ctx); err != nil && ctx.Err() == nil {
			n.Log.Error("nightly backup failed", "dir", n.Dir, "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// RunDue takes a backup if none was taken since the last time the clock passed At.
func (n *Nightly) RunDue(ctx context.Context) error {
	loc, err := n.Zone(ctx)
	if err != nil {
		return err
	}
	last, err := Latest(n.Dir)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	if !Due(last.At, n.Now(), n.At, loc) {
		return nil
	}
	b, err := n.Take(ctx)
	if err != nil {
		return err
	}
	n.Log.Info("nightly backup written and checked", "path", b.Path, "bytes", b.Size)
	return nil
}

// Due reports whether a backup taken at last (zero: none) is older than the latest time the
// local clock showed at (after midnight) before now.
func Due(last, now time.Time, at time.Duration, loc *time.Location) bool {
	l := now.In(loc)
	mark := time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, loc).Add(at)
	if mark.After(now) {
		mark = time.Date(l.Year(), l.Month(), l.Day()-1, 0, 0, 0, 0, loc).Add(at)
	}
	return last.Before(mark)
}

// Take writes a backup now, checks it with integrity_check (store.Backup), and then drops
// all but the newest Keep. The copy is written under a hidden name and renamed once checked,
// so a file with a backup's name is always a whole, checked one.
func (n *Nightly) Take(ctx context.Context) (Info, error) {
	if err := os.MkdirAll(n.Dir, 0o700); err != nil {
		return Info{}, err
	}
	at := n.Now().UTC().Truncate(time.Second)
	final := filepath.Join(n.Dir, prefix+at.Format(stampForm)+suffix)
	tmp := filepath.Join(n.Dir, ".partial-"+filepath.Base(final))
	os.Remove(tmp) // left by a run that died half-way
	if err := n.Store.Backup(ctx, tmp); err != nil {
		os.Remove(tmp)
		return Info{}, err
	}
	// Health records: readable by the server's user only, whatever the umask.
	if err := os.Chmod(tmp, 0o600); err != nil {
		os.Remove(tmp)
		return Info{}, err
	}
	if err := os.Rename(tmp, final); err != nil {
		os.Remove(tmp)
		return Info{}, err
	}
	fi, err := os.Stat(final)
	if err != nil {
		return Info{}, err
	}
	return Info{Path: final, At: at, Size: fi.Size()}, n.prune()
}

// prune removes the oldest backups beyond Keep.
func (n *Nightly) prune() error {
	list, err := List(n.Dir)
	if err != nil || n.Keep <= 0 || len(list) <= n.Keep {
		return err
	}
	var errs []error
	for _, b := range list[:len(list)-n.Keep] {
		errs = append(errs, os.Remove(b.Path))
	}
	return errors.Join(errs...)
}

// List is the backups in dir, oldest first. Other files are left alone.
func List(dir string) ([]Info, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var out []Info
	for _, e := range ents {
		name := e.Name()
		if !e.Type().IsRegular() || !strings.HasPrefix(name, prefix) || !strings.HasSuffix(name, suffix) {
			continue
		}
		at, err := time.Parse(stampForm, strings.TrimSuffix(strings.TrimPrefix(name, prefix), suffix))
		if err != nil {
			continue
		}
		fi, err := e.Info()
		if err != nil {
			continue
		}
		out = append(out, Info{Path: filepath.Join(dir, name), At: at, Size: fi.Size()})
	}
	slices.SortFunc(out, func(a, b Info) int { return a.At.Compare(b.At) })
	return out, nil
}

// Latest is the newest backup in dir; fs.ErrNotExist when there is none.
func Latest(dir string) (Info, error) {
	list, err := List(dir)
	if err != nil {
		return Info{}, err
	}
	if len(list) == 0 {
		return Info{}, fmt.Errorf("no backup in %s: %w", dir, fs.ErrNotExist)
	}
	return list[len(list)-1], nil
}
