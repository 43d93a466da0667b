package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"fmt"
	"time"
)

// Token purposes.
const (
	TokenReset  = "reset"
	TokenSignIn = "signin"
	TokenInvite = "invite"
)

// NewSecret returns a random URL-safe string of 32 bytes.
func NewSecret() string {
	return base64.RawURLEncoding.EncodeToString(randomBytes(32))
}

// issueToken stores the hash of a new single-use token for a user and returns the token itself,
// which only ever leaves in an email. Earlier unused tokens of the same purpose stop working.
func (s *Store) issueToken(ctx context.Context, tx *sql.Tx, userID int64, purpose string, ttl time.Duration) (string, error) {
	tok := NewSecret()
	now := s.now()
	if _, err := tx.ExecContext(ctx, `DELETE FROM tokens WHERE user_id = ? AND purpose = ? AND used_at IS NULL`, userID, purpose); err != nil {
		return "", err
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO tokens (hash, purpose, user_id, expires_at) VALUES (?, ?, ?, ?)`,
		hashID(tok), purpose, userID, unix(now.Add(ttl)))
	if err != nil {
		return "", fmt.Errorf("issue %s token: %w", purpose, err)
	}
	return tok, nil
}

// consumeToken marks a token used and returns its user. Returns ErrNotFound if the token is
// unknown, used or expired: the caller says the same thing in all three cases.
func (s *Store) consumeToken(ctx context.Context, tx *sql.Tx, tok, purpose string) (int64, error) {
	now := unix(s.now())
	var uid int64
	err := tx.QueryRowContext(ctx, `UPDATE tokens SET used_at = ?
		WHERE hash = ? AND purpose = ? AND used_at IS NULL AND expires_at > ? RETURNING user_id`,
		now, hashID(tok), purpose, now).Scan(&uid)
	if err != nil {
		return 0, fmt.Errorf("use %s token: %w", purpose, translate(err))
	}
	return uid, nil
}

// CheckToken reports whether a token is valid without using it (to show the reset form).
func (s *Store) CheckToken(ctx context.Context, tok, purpose string) error {
	var n int
	err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM tokens WHERE hash = ? AND purpose = ? AND used_at IS NULL AND expires_at > ?`,
		hashID(tok), purpose, unix(s.now())).Scan(&n)
	if err != nil {
		return err
	}
	if n == 0 {
		return ErrNotFound
	}
	return nil
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic("crypto/rand failed: " + err.Error()) // the OS has no entropy: nothing is safe
	}
	return b
}
