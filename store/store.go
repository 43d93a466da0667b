// Package store keeps Allium's data in one SQLite file, and the audit rows of reads in a second
// (views.go). It is the only package that writes SQL.
//
// Writes go through one connection in BEGIN IMMEDIATE transactions, so two writers never race
// to upgrade a read lock (the classic "database is locked"); reads use a separate pool and see
// committed data thanks to WAL. Every query for a person's data takes the acting user, so a
// caller cannot forget to scope it.
package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"net/url"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mattn/go-sqlite3" // also registers the "sqlite3" driver the readers use
)

// Synchronous is the store's SQLite synchronous setting; the benchmarks' floors use it too.
const Synchronous = "FULL"

// Store is the database. Now is the clock; tests replace it.
type Store struct {
	w *sql.DB
	r *sql.DB
	// v writes the view log, the audit rows of reads, in a file of its own (views.go).
	v *sql.DB
	// viewQ groups the view log's commits (views.go).
	viewQ viewQueue
	Now   func() time.Time
	// manageKey signs the manage links in emails; loaded at Open because it is needed inside
	// booking transactions, where the one writer connection is already taken.
	manageKey []byte
	// busy is the free-time search's copy of the bookings, kept exact by the writer (availability.go).
	busy *busyCache
	// dayRows lends DayView a slice to gather a day's bookings in (gather.go).
	dayRows gatherer[DayBooking]
	// zones holds each time zone loaded (name -> *time.Location); see settingsZone.
	zones sync.Map
	// holdsUntil is the latest expiry of a booking hold (unix seconds): past it, no hold can keep
	// a time and the free-time search need not look for any (holds.go).
	holdsUntil atomic.Int64
	// ckpt copies the WAL into the database file after commits, off the writer (checkpoint.go).
	ckpt *checkpointer
	// lastCommit is when this process last committed a write (unix nanoseconds), so the owner's
	// page can tell a replica that is behind from a clinic that is quiet.
	lastCommit atomic.Int64
}

// Options are the store's settings beyond the file; the zero value is the default.
type Options struct {
	// LitestreamCheckpoints leaves copying the WAL into the database file to Litestream, which
	// replicates the database: the store's background checkpointer does not run, and the
	// writer keeps only its distant backstop (checkpoint.go says why).
	LitestreamCheckpoints bool
}

// Open opens (creating if needed) the database at path, applies schema to a fresh file or the
// pending migrations to an older one, and returns a ready store.
func Open(ctx context.Context, path, schema string) (*Store, error) {
	return OpenWith(ctx, path, schema, Options{})
}

// OpenWith is Open with options.
func OpenWith(ctx context.Context, path, schema string, opt Options) (*Store, error) {
	q := url.Values{}
	q.Set("_foreign_keys", "on")
	q.Set("_journal_mode", "WAL")
	q.Set("_busy_timeout", "5000")
	// FULL: a commit waits for the WAL to reach the disk. With NORMAL a power cut can undo the
	// last commits, and a confirmation already emailed (or a note signed) would name a booking
	// or a record that no longer exists. A clinic writes a few thousand rows a day; the cost is
	// about 0.1 ms of waiting per commit (docs/performance.md, "Booking").
	q.Set("_synchronous", Synchronous)
	q.Set("_txlock", "immediate")
	// Statements prepared once per connection: a course booking runs about thirty, and preparing
	// them each time was a third of its cost (docs/performance.md).
	q.Set("_stmt_cache_size", "128")
	busy := newBusyCache()
	hook := func(c *sqlite3.SQLiteConn) error {
		// Checkpoints are the checkpointer's (checkpoint.go); the writer keeps a distant backstop.
		if _, err := c.Exec(fmt.Sprintf(`PRAGMA wal_autocheckpoint = %d`, backstopCheckpoint), nil); err != nil {
			return err
		}
		return busy.connect(c)
	}
	w := sql.OpenDB(connector{&sqlite3.SQLiteDriver{ConnectHook: hook}, fileURI(path) + "?" + q.Encode()})
	// One writer: SQLite serialises writers anyway, and a single connection turns lock
	// contention into a short queue in database/sql instead of SQLITE_BUSY errors.
	w.SetMaxOpenConns(1)
	w.SetConnMaxLifetime(0)
	q.Set("_txlock", "deferred")
	s := &Store{w: w, Now: time.Now, busy: busy}
	if !opt.LitestreamCheckpoints {
		ck, err := sql.Open("sqlite3", fileURI(path)+"?"+q.Encode())
		if err != nil {
			w.Close()
			return nil, fmt.Errorf("open %s for checkpoints: %w", path, err)
		}
		s.ckpt = startCheckpointer(ck)
	}
	q.Set("_query_only", "true")
	// A reader connection is used by one goroutine at a time (database/sql hands it out so), so
	// SQLite need not take its mutex on every call: with a dozen columns read per row, locking
	// and unlocking was a tenth of the day view's CPU.
	q.Set("_mutex", "no")
	if err := s.migrate(ctx, schema); err != nil {
		return nil, errors.Join(err, s.ckpt.close(), w.Close())
	}
	if err := busy.install(ctx, w); err != nil {
		return nil, errors.Join(err, s.ckpt.close(), w.Close())
	}
	if err := s.syncReportZoneNow(ctx); err != nil {
		return nil, errors.Join(err, s.ckpt.close(), w.Close())
	}
	v, err := openViewLog(ctx, ViewLogPath(path), opt)
	if err != nil {
		return nil, errors.Join(err, s.ckpt.close(), w.Close())
	}
	s.v = v
	// Each reader has the view log attached as "views", for the audit log's readers.
	attach := func(c *sqlite3.SQLiteConn) error {
		_, err := c.Exec(`ATTACH DATABASE ? AS views`, []driver.Value{fileURI(ViewLogPath(path))})
		return err
	}
	r := sql.OpenDB(connector{&sqlite3.SQLiteDriver{ConnectHook: attach}, fileURI(path) + "?" + q.Encode()})
	r.SetMaxOpenConns(8)
	r.SetMaxIdleConns(8)
	s.r = r
	if s.manageKey, err = s.AppKey(ctx, "manage", 32); err != nil {
		s.Close()
		return nil, err
	}
	var holds int64
	if err := r.QueryRowContext(ctx, `SELECT coalesce(max(expires_at), 0) FROM booking_holds WHERE used_at IS NULL`).Scan(&holds); err != nil {
		s.Close()
		return nil, fmt.Errorf("read booking holds: %w", err)
	}
	s.holdsUntil.Store(holds)
	return s, nil
}

// connector opens connections through a driver with a hook: the busy cache's on the writer,
// attaching the view log on the readers.
type connector struct {
	d   *sqlite3.SQLiteDriver
	dsn string
}

func (c connector) Connect(context.Context) (driver.Conn, error) { return c.d.Open(c.dsn) }
func (c connector) Driver() driver.Driver                        { return c.d }

// fileURI makes a SQLite URI filename of a path, escaping the characters a URI would read as
// the start of a query or fragment ("?" and "#", as in a test named "#00").
func fileURI(path string) string {
	return "file:" + (&url.URL{Path: path}).EscapedPath()
}

// Close closes the pools, the writer last: closing the last connection checkpoints the WAL.
func (s *Store) Close() error {
	return errors.Join(s.r.Close(), s.v.Close(), s.ckpt.close(), s.w.Close())
}

// now returns the store clock in whole seconds, the precision the database keeps.
func (s *Store) now() time.Time { return s.Now().UTC().Truncate(time.Second) }

// write runs fn in one immediate transaction on the writer connection and commits if fn
// returns nil. Constraint failures come back as ErrConflict.
func (s *Store) write(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	if err := fn(tx); err != nil {
		return translate(err)
	}
	defer s.busy.settle(s.busy.nextCommit()) // the cache may read what this commit changed once it is visible
	if err := tx.Commit(); err != nil {
		return translate(fmt.Errorf("commit: %w", err))
	}
	s.ckpt.committed()
	s.lastCommit.Store(time.Now().UnixNano())
	return nil
}

// LastCommit is when this process last committed a write, zero before the first. It is the
// wall clock, not the store's (which tests move): it is compared with the times of the replica's
// files.
func (s *Store) LastCommit() time.Time {
	if n := s.lastCommit.Load(); n != 0 {
		return time.Unix(0, n)
	}
	return time.Time{}
}

// read runs fn in a read-only transaction on the reader pool, so several queries see one snapshot.
func (s *Store) read(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := s.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return fmt.Errorf("begin read: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // read-only
	return translate(fn(tx))
}

// unix converts an instant to the stored form; unixTime converts back.
func unix(t time.Time) int64       { return t.Unix() }
func unixTime(sec int64) time.Time { return time.Unix(sec, 0).UTC() }

// nullUnix reads a nullable instant column.
func nullUnix(n sql.NullInt64) time.Time {
	if !n.Valid {
		return time.Time{}
	}
	return unixTime(n.Int64)
}
