package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// SessionRecord is a server-side session. The id itself is never stored: only its SHA-256,
// so a copy of the database does not hand out live sessions.
type SessionRecord struct {
	UserID    int64
	Data      []byte
	CreatedAt time.Time
	SeenAt    time.Time
	ExpiresAt time.Time
}

func hashID(id string) []byte {
	h := sha256.Sum256([]byte(id))
	return h[:]
}

// LoadSession returns the live session with this id. Returns ErrNotFound if it does not exist
// or has expired.
func (s *Store) LoadSession(ctx context.Context, id string) (SessionRecord, error) {
	var r SessionRecord
	var uid sql.NullInt64
	var created, seen, expires int64
	err := s.r.QueryRowContext(ctx, `SELECT user_id, data, created_at, seen_at, expires_at FROM sessions
		WHERE id_hash = ? AND expires_at > ?`, hashID(id), unix(s.now())).Scan(&uid, &r.Data, &created, &seen, &expires)
	if err != nil {
		return r, fmt.Errorf("load session: %w", translate(err))
	}
	r.UserID, r.CreatedAt, r.SeenAt, r.ExpiresAt = uid.Int64, unixTime(created), unixTime(seen), unixTime(expires)
	return r, nil
}

// SaveSession writes a session, keeping its creation time if it already exists.
func (s *Store) SaveSession(ctx context.Context, id string, r SessionRecord) error {
	var uid any
	if r.UserID != 0 {
		uid = r.UserID
	}
	return s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO sessions (id_hash, user_id, data, created_at, seen_at, expires_at)
			VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT (id_hash) DO UPDATE SET user_id = excluded.user_id, data = excluded.data,
				seen_at = excluded.seen_at, expires_at = excluded.expires_at`,
			hashID(id), uid, r.Data, unix(r.CreatedAt), unix(r.SeenAt), unix(r.ExpiresAt))
		return err
	})
}

// DeleteSession ends one session on the server.
func (s *Store) DeleteSession(ctx context.Context, id string) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE id_hash = ?`, hashID(id))
		return err
	})
}

// DeleteUserSessions ends every session of a user ("sign out everywhere").
func (s *Store) DeleteUserSessions(ctx context.Context, by Actor, userID int64) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = ?`, userID); err != nil {
			return err
		}
		return audit(ctx, tx, by, unix(s.now()), "sign_out_everywhere", "user", userID, 0, "")
	})
}

// PruneExpired deletes expired sessions, old sign-in failures and request counts, booking holds
// a day after they were used or expired (they hold a visitor's details), and expired anonymous
// assessments; the server calls it hourly.
func (s *Store) PruneExpired(ctx context.Context) error {
	now := unix(s.now())
	return s.write(ctx, func(tx *sql.Tx) error {
		_, err1 := tx.ExecContext(ctx, `DELETE FROM sessions WHERE expires_at <= ?`, now)
		_, err2 := tx.ExecContext(ctx, `DELETE FROM auth_failures WHERE at < ?`, now-24*3600)
		// An assessment nobody signed in to keep is health information with no owner: once its
		// link has expired (AssessmentDraftTTL) nothing can open it, so it goes. One attached to a
		// client has no expiry and stays with their record.
		_, err3 := tx.ExecContext(ctx, `DELETE FROM assessments WHERE client_id IS NULL AND expires_at <= ?`, now)
		_, err4 := tx.ExecContext(ctx, `DELETE FROM booking_holds WHERE expires_at < ?`, now-24*3600)
		_, err5 := tx.ExecContext(ctx, `DELETE FROM rate_events WHERE at < ?`, now-24*3600)
		return errors.Join(err1, err2, err3, err4, err5)
	})
}
