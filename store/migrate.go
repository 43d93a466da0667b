package store

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"sort"
)

// Migrations are numbered SQL files, applied in order and tracked by PRAGMA user_version.
// Every one is also folded into schema.sql, which builds a fresh database in one step;
// TestFreshAndMigratedSchemasMatch proves the two paths end in the same schema.
//
//go:embed migrations/*.sql
var migrationFS embed.FS

func migrations() ([]string, error) {
	names, err := fs.Glob(migrationFS, "migrations/*.sql")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	out := make([]string, len(names))
	for i, n := range names {
		b, err := migrationFS.ReadFile(n)
		if err != nil {
			return nil, err
		}
		out[i] = string(b)
	}
	return out, nil
}

// SchemaVersion is the user_version of a database with every migration applied.
func SchemaVersion() int {
	m, _ := migrations()
	return len(m)
}

func (s *Store) migrate(ctx context.Context, schema string) error {
	steps, err := migrations()
	if err != nil {
		return fmt.Errorf("read migrations: %w", err)
	}
	var version, tables int
	if err := s.w.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version); err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	if err := s.w.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_schema").Scan(&tables); err != nil {
		return fmt.Errorf("inspect schema: %w", err)
	}
	if version > len(steps) {
		return fmt.Errorf("database schema version %d is newer than this program (%d)", version, len(steps))
	}
	if version == 0 && tables == 0 && schema != "" {
		return s.write(ctx, func(tx *sql.Tx) error {
			if _, err := tx.ExecContext(ctx, schema); err != nil {
				return fmt.Errorf("apply schema: %w", err)
			}
			_, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", len(steps)))
			return err
		})
	}
	for i := version; i < len(steps); i++ {
		err := s.write(ctx, func(tx *sql.Tx) error {
			if _, err := tx.ExecContext(ctx, steps[i]); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", i+1))
			return err
		})
		if err != nil {
			return fmt.Errorf("migration %d: %w", i+1, err)
		}
	}
	return nil
}
