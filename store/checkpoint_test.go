package store

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"allium"
)

// TestCommitsReachTheDatabaseFileInTheBackground: a commit leaves its pages in the WAL, and the
// checkpointer copies them into the database file soon after, long before the writer's own
// backstop of 10,000 pages would. So no request has to pay for a checkpoint, and the WAL
// does not grow while the clinic is busy.
func TestCommitsReachTheDatabaseFileInTheBackground(t *testing.T) {
	path := filepath.Join(t.TempDir(), "allium.db")
	s := openTestStore(t, path, allium.Schema)
	ctx := context.Background()
	var backstop int
	if err := s.w.QueryRowContext(ctx, `PRAGMA wal_autocheckpoint`).Scan(&backstop); err != nil {
		t.Fatal(err)
	}
	if backstop != backstopCheckpoint {
		t.Fatalf("writer's automatic checkpoint at %d pages, want the backstop %d", backstop, backstopCheckpoint)
	}
	size := func() int64 {
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		return fi.Size()
	}
	before := size()
	// About 500 pages: a tenth of the backstop, so only the checkpointer can move them now.
	err := s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO app_keys (name, value) VALUES ('test-bulk', ?)`,
			[]byte(strings.Repeat("x", 2<<20)))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for size() < before+2<<20 {
		if time.Now().After(deadline) {
			t.Fatalf("database file %d bytes 10 s after a 2 MB commit, was %d: the WAL was not checkpointed", size(), before)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestTheWALStaysBoundedUnderSteadyWrites: 64 MB of commits one after another, each landing
// while the last checkpoint copies, so a passive checkpoint never finishes. The writer's
// backstop must still let the WAL start again: its file never holds much more than the
// backstop's 40 MB.
func TestTheWALStaysBoundedUnderSteadyWrites(t *testing.T) {
	path := filepath.Join(t.TempDir(), "allium.db")
	s := openTestStore(t, path, allium.Schema)
	ctx := context.Background()
	blob := []byte(strings.Repeat("x", 8<<10)) // three pages a commit
	for i := 0; i < 8000; i++ {
		err := s.write(ctx, func(tx *sql.Tx) error {
			_, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO app_keys (name, value) VALUES (?, ?)`,
				fmt.Sprintf("test-%d", i%20), blob)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	fi, err := os.Stat(path + "-wal")
	if err != nil {
		t.Fatal(err)
	}
	// The file keeps its longest length, so this is the most the WAL ever held.
	if limit := int64(backstopCheckpoint) * 4096 * 5 / 4; fi.Size() > limit {
		t.Errorf("WAL file %d MB after 64 MB of steady commits; want at most %d MB", fi.Size()>>20, limit>>20)
	}
}

// TestWithCheckpointsLeftToLitestreamTheBackstopStillBoundsTheWAL: beside Litestream the store
// runs no checkpointer, and while Litestream is stopped nobody else checkpoints: the writer's
// backstop alone must keep the WAL from growing without end.
func TestWithCheckpointsLeftToLitestreamTheBackstopStillBoundsTheWAL(t *testing.T) {
	path := filepath.Join(t.TempDir(), "allium.db")
	ctx := context.Background()
	s, err := OpenWith(ctx, path, allium.Schema, Options{LitestreamCheckpoints: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if s.ckpt != nil {
		t.Fatal("a checkpointer runs with checkpoints left to Litestream")
	}
	blob := []byte(strings.Repeat("x", 8<<10))
	for i := 0; i < 6000; i++ { // about 70 MB of pages, well past the backstop's 40
		err := s.write(ctx, func(tx *sql.Tx) error {
			_, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO app_keys (name, value) VALUES (?, ?)`,
				fmt.Sprintf("test-%d", i%20), blob)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	fi, err := os.Stat(path + "-wal")
	if err != nil {
		t.Fatal(err)
	}
	if limit := int64(backstopCheckpoint) * 4096 * 5 / 4; fi.Size() > limit {
		t.Errorf("WAL file %d MB after steady commits with no Litestream; want at most %d MB", fi.Size()>>20, limit>>20)
	}
}
