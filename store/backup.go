package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"os"
)

// Backup writes a consistent copy of the live database to path with VACUUM INTO (readers and
// writers carry on meanwhile), adds the view log's rows to the copy's audit_log, then opens the
// copy and runs PRAGMA integrity_check on it.
// It refuses to overwrite an existing file.
func (s *Store) Backup(ctx context.Context, path string) error {
	if _, err := os.Stat(path); err == nil {
		return fmt.Errorf("backup: %s already exists", path)
	}
	conn, err := s.r.Conn(ctx)
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	// The reader pool is query_only, and SQLite counts writing the copy as a write. This one
	// connection is allowed to, then thrown away rather than handed back to the pool.
	defer conn.Raw(func(any) error { return driver.ErrBadConn }) //nolint:errcheck // discards the connection
	if _, err := conn.ExecContext(ctx, `PRAGMA query_only = 0`); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	if _, err := conn.ExecContext(ctx, `VACUUM INTO ?`, path); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	// The view log (views.go) joins the copy's audit_log, so the backup is one file holding the
	// whole audit log, checked below with the rest. Restored, those rows are read from there.
	if _, err := conn.ExecContext(ctx, `ATTACH DATABASE ? AS copy`, fileURI(path)); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	_, err = conn.ExecContext(ctx, `INSERT INTO copy.audit_log (`+auditColumns+`) SELECT `+auditColumns+` FROM views.view_log ORDER BY id`)
	if _, derr := conn.ExecContext(ctx, `DETACH DATABASE copy`); err == nil {
		err = derr
	}
	if err != nil {
		return fmt.Errorf("backup: the view log: %w", err)
	}
	db, err := sql.Open("sqlite3", fileURI(path)+"?mode=ro")
	if err != nil {
		return err
	}
	defer db.Close()
	var result string
	if err := db.QueryRowContext(ctx, `PRAGMA integrity_check`).Scan(&result); err != nil {
		return fmt.Errorf("check backup: %w", err)
	}
	if result != "ok" {
		return fmt.Errorf("backup failed its integrity check: %s", result)
	}
	return nil
}
