package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// demoBuiltKey is the settings row that marks a database as the demo clinic and names the
// clinic day its story was told from. The clinic's own settings never read it.
const demoBuiltKey = "demo_built_on"

// DemoBuiltOn returns the day (YYYY-MM-DD, in the clinic's zone) the demo in this database
// was built for, or "" when the database is not a marked demo.
func (s *Store) DemoBuiltOn(ctx context.Context) (string, error) {
	var day string
	err := s.r.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = ?`, demoBuiltKey).Scan(&day)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return day, err
}

// MarkDemoBuilt records the day the demo was built for. Only the system may.
func (s *Store) MarkDemoBuilt(ctx context.Context, by Actor, day string) error {
	if by.Role != System.Role {
		return ErrForbidden
	}
	return s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES (?, ?)
			ON CONFLICT (key) DO UPDATE SET value = excluded.value`, demoBuiltKey, day)
		return err
	})
}

// SkipSync stops the writer waiting for the disk at each commit, for building the demo only:
// its few thousand small transactions then take a second instead of many, and a crash while
// building loses nothing the next build does not make again. The server, which opens the file
// afresh, commits with Synchronous as always.
func (s *Store) SkipSync(ctx context.Context) error {
	if _, err := s.w.ExecContext(ctx, `PRAGMA synchronous = OFF`); err != nil {
		return fmt.Errorf("demo build: %w", err)
	}
	return nil
}
