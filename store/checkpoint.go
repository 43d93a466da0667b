package store

import (
	"context"
	"database/sql"
	"sync"
	"time"
)

// checkpointPause is the least time between two checkpoints: under load it lets a page
// changed by many commits be copied once.
const checkpointPause = 100 * time.Millisecond

// backstopCheckpoint is the writer's own automatic checkpoint, in pages of WAL (4 KB each).
// It runs only if the checkpointer below falls far behind or keeps failing; SQLite's default is
// 1,000.
const backstopCheckpoint = 10000

// checkpointer copies committed pages from the WAL back into the database file, in the
// background.
//
// SQLite's automatic checkpoint runs inside the commit that takes the WAL past 1,000 pages,
// so every few dozen bookings one booking also copied the pages of all the others: on the
// large demo that request took about 60 ms where its neighbours took 2 (docs/performance.md,
// "Booking"). Here the writer leaves checkpoints to this goroutine, which runs a PASSIVE
// checkpoint on a connection of its own after commits. A passive checkpoint waits for no one:
// the writer and readers go on while it copies. Commits made while one runs, or in the pause
// after it, ask for one more between them: under load one runs about every 100 ms.
//
// SQLite starts the WAL again from the top only when a write begins after a checkpoint has
// copied every page, so under steady writes (a commit always landing while a passive
// checkpoint copies) the WAL grows until the writer's backstop. That checkpoint runs inside a
// commit, where nothing else can commit, finds most pages copied already, and lets the WAL
// start again: the WAL stays under about 40 MB, and a clinic's pauses between bookings reset it
// long before. Finishing on the writer at a lower mark kept it to 15-20 MB but cost the
// 2-connection course POST a few tenths of a millisecond at p99, so it was left out.
//
// Beside Litestream (Options.LitestreamCheckpoints) there is no checkpointer. Litestream copies
// each commit out of the WAL and then checkpoints itself: a PASSIVE checkpoint once the WAL
// passes 1,000 pages and every minute, a TRUNCATE one past about 500 MB. Its guidance is that
// the application leave checkpoints to it, or keep its own automatic checkpoint far off
// (10,000 pages), and wait on a busy database (busy_timeout; ours is 5 s) during the short
// write lock Litestream takes to checkpoint. Litestream holds a read transaction between its
// syncs, so a checkpoint of ours every 100 ms copies little and cannot let the WAL start
// again; measured beside Litestream, 10,000 small commits left a 104 MB WAL with our
// checkpointer and 56 MB without it, and took 1.15 against 1.10 ms each. Neither made
// Litestream start again from a full snapshot. The writer's backstop stays, so the WAL still
// cannot grow without end while Litestream is stopped. The figures are in
// docs/operations.md, "Litestream".
type checkpointer struct {
	db    *sql.DB
	nudge chan struct{}
	stop  context.CancelFunc
	wg    sync.WaitGroup
}

func startCheckpointer(db *sql.DB) *checkpointer {
	db.SetMaxOpenConns(1)
	ctx, stop := context.WithCancel(context.Background())
	c := &checkpointer{db: db, nudge: make(chan struct{}, 1), stop: stop}
	c.wg.Go(func() {
		for {
			select {
			case <-ctx.Done():
				return
			case <-c.nudge:
				// A failure (another process checkpointing, say) leaves the pages for the
				// next commit's checkpoint, or for the writer's backstop.
				_, _ = db.ExecContext(ctx, `PRAGMA wal_checkpoint(PASSIVE)`)
			}
			select { // commits meanwhile wait in the nudge, so they are copied together
			case <-ctx.Done():
				return
			case <-time.After(checkpointPause):
			}
		}
	})
	return c
}

// committed asks for a checkpoint; it never waits. A nil checkpointer (Litestream's mode)
// does nothing.
func (c *checkpointer) committed() {
	if c == nil {
		return
	}
	select {
	case c.nudge <- struct{}{}:
	default: // one is already asked for, and it will copy this commit's pages too
	}
}

// close stops the goroutine and closes its connection. The writer's close, last, checkpoints
// what is left.
func (c *checkpointer) close() error {
	if c == nil {
		return nil
	}
	c.stop()
	c.wg.Wait()
	return c.db.Close()
}
