package store

import (
	"context"
	"database/sql"
	"fmt"

	"allium/clinic"
)

// audit writes one row of the audit log inside the caller's transaction, so a change and its
// record stand or fall together. Every read and write of a clinical record goes through here.
func audit(ctx context.Context, tx *sql.Tx, by Actor, at int64, action, recordType string, recordID, clientID int64, detail string) error {
	var actor any
	if by.UserID != 0 {
		actor = by.UserID
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO audit_log (at, actor_id, actor_role, action, record_type, record_id, client_id, address, detail)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, at, actor, string(by.Role), action, recordType, recordID, clientID, by.IP, detail)
	if err != nil {
		return fmt.Errorf("audit %s %s: %w", action, recordType, err)
	}
	return nil
}

// AuditFilter narrows the log. Zero fields do not filter.
type AuditFilter struct {
	ClientID   int64
	RecordType string
	RecordID   int64
	Limit      int
}

// AuditLog returns the newest entries first. Only the owner may read it.
func (s *Store) AuditLog(ctx context.Context, by Actor, f AuditFilter) ([]clinic.AuditEntry, error) {
	if by.Role != "owner" {
		return nil, ErrForbidden
	}
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 200
	}
	// The newest of each log by id (its order of writing), then the two merged by time. Each
	// side's limit keeps the walk down its rowid short; a log's ids rise with its times.
	const side = `SELECT id, ` + auditColumns + `, %[2]d AS log FROM %[1]s
		WHERE (?1 = 0 OR client_id = ?1) AND (?2 = '' OR record_type = ?2) AND (?3 = 0 OR record_id = ?3)
		ORDER BY id DESC LIMIT ?4`
	rows, err := s.r.QueryContext(ctx, `SELECT a.id, a.at, coalesce(a.actor_id, 0), coalesce(u.name, ''), a.actor_role,
		a.action, a.record_type, a.record_id, a.client_id, a.address, a.detail
		FROM (SELECT * FROM (`+fmt.Sprintf(side, "main.audit_log", 0)+`) UNION ALL SELECT * FROM (`+fmt.Sprintf(side, "views.view_log", 1)+`)) a
		LEFT JOIN users u ON u.id = a.actor_id
		ORDER BY a.at DESC, a.log, a.id DESC LIMIT ?4`,
		f.ClientID, f.RecordType, f.RecordID, f.Limit)
	if err != nil {
		return nil, fmt.Errorf("audit log: %w", err)
	}
	defer rows.Close()
	var out []clinic.AuditEntry
	for rows.Next() {
		var e clinic.AuditEntry
		var at int64
		if err := rows.Scan(&e.ID, &at, &e.ActorID, &e.ActorName, &e.ActorRole, &e.Action, &e.RecordType,
			&e.RecordID, &e.ClientID, &e.Address, &e.Detail); err != nil {
			return nil, err
		}
		e.At = unixTime(at)
		out = append(out, e)
	}
	return out, rows.Err()
}
