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

// auditView records that by viewed a record, in a transaction of its own. The views read in a
// snapshot on the reader pool and call this before returning what they read, so nothing is
// shown before its view is on record.
func (s *Store) auditView(ctx context.Context, by Actor, recordType string, recordID, clientID int64) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		return audit(ctx, tx, by, unix(s.now()), "view", recordType, recordID, clientID, "")
	})
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
	rows, err := s.r.QueryContext(ctx, `SELECT a.id, a.at, coalesce(a.actor_id, 0), coalesce(u.name, ''), a.actor_role,
		a.action, a.record_type, a.record_id, a.client_id, a.address, a.detail
		FROM audit_log a LEFT JOIN users u ON u.id = a.actor_id
		WHERE (? = 0 OR a.client_id = ?) AND (? = '' OR a.record_type = ?) AND (? = 0 OR a.record_id = ?)
		ORDER BY a.id DESC LIMIT ?`,
		f.ClientID, f.ClientID, f.RecordType, f.RecordType, f.RecordID, f.RecordID, f.Limit)
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
