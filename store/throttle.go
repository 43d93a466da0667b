package store

import (
	"context"
	"database/sql"
	"time"
)

// Throttle limits sign-in attempts. Failures are counted per account and per address over a
// window; the limits are the caller's choice.
type Throttle struct {
	Window     time.Duration
	PerAccount int
	PerAddress int
}

// DefaultThrottle allows 5 failures per account and 20 per address in 15 minutes.
var DefaultThrottle = Throttle{Window: 15 * time.Minute, PerAccount: 5, PerAddress: 20}

// SignInBlocked reports whether further attempts for this email or from this address must
// wait. It is checked before the password, so a blocked attacker learns nothing.
func (s *Store) SignInBlocked(ctx context.Context, th Throttle, email, addr string) (bool, error) {
	since := unix(s.now().Add(-th.Window))
	var acct, ip int
	err := s.r.QueryRowContext(ctx, `SELECT
		(SELECT count(*) FROM auth_failures WHERE scope = 'account' AND key = lower(?) AND at > ?),
		(SELECT count(*) FROM auth_failures WHERE scope = 'address' AND key = ? AND at > ?)`,
		email, since, addr, since).Scan(&acct, &ip)
	if err != nil {
		return false, err
	}
	return acct >= th.PerAccount || ip >= th.PerAddress, nil
}

// RecordSignInFailure counts a failed attempt against the email and the address.
func (s *Store) RecordSignInFailure(ctx context.Context, email, addr string) error {
	now := unix(s.now())
	return s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO auth_failures (scope, key, at) VALUES ('account', lower(?), ?), ('address', ?, ?)`,
			email, now, addr, now)
		return err
	})
}

// ClearSignInFailures forgets an account's failures after a successful sign-in.
func (s *Store) ClearSignInFailures(ctx context.Context, email string) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM auth_failures WHERE scope = 'account' AND key = lower(?)`, email)
		return err
	})
}
