package store

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"sync"

	"github.com/mattn/go-sqlite3"
)

// The view log: the audit rows of reads (a chart, a plan, a note opened; a record exported) are
// kept in a SQLite file of their own beside the database, ViewLogPath. SQLite empties every
// reader connection's page cache when the database's WAL has changed since its last
// transaction, so a view's audit row committed to the clinic's own file made the next read of
// every page start from a cold cache: about 0.4 ms of a chart or plan page's 1.5 to 2 ms
// (docs/performance.md, "The day view, the chart and the plan page"). A commit to another file
// leaves those caches warm, and a view no longer queues behind bookings on the one writer.
//
// The audit rows of writes stay in audit_log, in the transaction of the change they record.
// AuditLog reads both; Backup folds the view log into the copy's audit_log, so a backup is
// still one checked file.

// ViewLogPath is the file of the view log of the database at path.
func ViewLogPath(path string) string { return path + "-views" }

const viewLogSchema = `CREATE TABLE IF NOT EXISTS view_log (
  id          INTEGER PRIMARY KEY,
  at          INTEGER NOT NULL,
  actor_id    INTEGER,
  actor_role  TEXT NOT NULL,
  action      TEXT NOT NULL,
  record_type TEXT NOT NULL,
  record_id   INTEGER NOT NULL DEFAULT 0,
  client_id   INTEGER NOT NULL DEFAULT 0,
  address     TEXT NOT NULL DEFAULT '',
  detail      TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX IF NOT EXISTS view_log_record ON view_log(record_type, record_id);
CREATE INDEX IF NOT EXISTS view_log_client ON view_log(client_id, at);`

// auditColumns are the columns audit_log and view_log share.
const auditColumns = `at, actor_id, actor_role, action, record_type, record_id, client_id, address, detail`

// openViewLog opens the view log's one writer connection, creating the file and its table.
func openViewLog(ctx context.Context, path string, opt Options) (*sql.DB, error) {
	q := url.Values{}
	q.Set("_journal_mode", "WAL")
	q.Set("_busy_timeout", "5000")
	// FULL for the same reason as the database: a view shown must stay on record.
	q.Set("_synchronous", Synchronous)
	q.Set("_mutex", "no")
	hook := func(c *sqlite3.SQLiteConn) error {
		if !opt.LitestreamCheckpoints {
			return nil
		}
		// Litestream replicates this file too and copies its WAL in; the writer keeps a backstop.
		_, err := c.Exec(fmt.Sprintf(`PRAGMA wal_autocheckpoint = %d`, backstopCheckpoint), nil)
		return err
	}
	v := sql.OpenDB(connector{&sqlite3.SQLiteDriver{ConnectHook: hook}, fileURI(path) + "?" + q.Encode()})
	// One writer, as for the database; a single-row insert is a short queue.
	v.SetMaxOpenConns(1)
	v.SetConnMaxLifetime(0)
	if _, err := v.ExecContext(ctx, viewLogSchema); err != nil {
		v.Close()
		return nil, fmt.Errorf("open the view log %s: %w", path, err)
	}
	return v, nil
}

// auditView records that by viewed a record, in the view log. The views read in a snapshot on
// the reader pool and call this before returning what they read, so nothing is shown before
// its view is on record.
func (s *Store) auditView(ctx context.Context, by Actor, recordType string, recordID, clientID int64) error {
	return s.auditRead(ctx, by, "view", recordType, recordID, clientID, "")
}

// auditRead writes one row of the view log: a read of a record, which changes nothing else. It
// returns once the row is committed.
func (s *Store) auditRead(ctx context.Context, by Actor, action, recordType string, recordID, clientID int64, detail string) error {
	var actor any
	if by.UserID != 0 {
		actor = by.UserID
	}
	err := s.viewQ.record(ctx, s.v, []any{unix(s.now()), actor, string(by.Role), action, recordType, recordID, clientID, by.IP, detail})
	if err != nil {
		return fmt.Errorf("audit %s %s: %w", action, recordType, err)
	}
	return nil
}

const insertView = `INSERT INTO view_log (` + auditColumns + `) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`

// viewQueue commits the view log's rows in groups. Each commit waits for the disk (synchronous
// FULL), and with a commit per view, pages read at the same time queued one by one for the view
// log's connection and its flush: at 64 connections a plan page cost the server 1.8 ms of CPU a
// request, 0.98 ms with the view log not flushed at all (docs/performance.md, "The view log's
// group commit"). So a view whose row arrives while another commit is under way waits for it
// and then goes, with every row that arrived meanwhile, in the next commit: one flush for the
// group. A view alone is committed at once, as before. Each caller still returns only after its
// own row is on disk, so nothing is shown before its view is on record.
type viewQueue struct {
	mu      sync.Mutex
	pending []queuedView
	busy    bool // a caller is committing a group; the next group waits for it
}

type queuedView struct {
	args []any
	done chan viewResult
}

// viewResult is a queued view's answer: its group's commit, or lead: commit the next group.
type viewResult struct {
	err  error
	lead bool
}

func (q *viewQueue) record(ctx context.Context, db *sql.DB, args []any) error {
	me := queuedView{args: args, done: make(chan viewResult, 1)}
	q.mu.Lock()
	q.pending = append(q.pending, me)
	if q.busy {
		q.mu.Unlock()
		r := <-me.done // a caller ahead commits this row, or hands this caller the next group
		if !r.lead {
			return r.err
		}
		q.mu.Lock()
	}
	q.busy = true
	group := q.pending
	q.pending = nil
	q.mu.Unlock()

	// The group is committed whether or not this caller's request is still waiting: the other
	// rows belong to other requests.
	err := insertViews(context.WithoutCancel(ctx), db, group)
	for _, v := range group[1:] {
		v.done <- viewResult{err: err}
	}
	q.mu.Lock()
	if len(q.pending) > 0 {
		q.pending[0].done <- viewResult{lead: true} // the first to arrive commits the next group
	} else {
		q.busy = false
	}
	q.mu.Unlock()
	return err
}

// insertViews commits a group of the view log's rows in one transaction, the leader's first.
func insertViews(ctx context.Context, db *sql.DB, group []queuedView) error {
	if len(group) == 1 {
		_, err := db.ExecContext(ctx, insertView, group[0].args...)
		return err
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	stmt, err := tx.PrepareContext(ctx, insertView)
	if err != nil {
		return err
	}
	defer stmt.Close()
	for _, v := range group {
		if _, err := stmt.ExecContext(ctx, v.args...); err != nil {
			return err
		}
	}
	return tx.Commit()
}
