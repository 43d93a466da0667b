package store

import (
	"context"
	"database/sql"
	"strings"
	"time"
)

// Throttle slows password guessing without letting a guesser lock the owner out. Failures are
// counted per account and address together, and per address: a guesser's failures make only
// their own address wait, so the owner signing in from theirs is not held up, and an emailed
// sign-in link always works. Past the free failures each further one doubles the wait, from
// one minute up to Window.
type Throttle struct {
	Window     time.Duration // how long a failure counts
	PerAccount int           // free failures for one account from one address
	PerAddress int           // free failures from one address, whatever the accounts
}

// DefaultThrottle allows 5 failures per account and address and 20 per address in 15 minutes
// before the waits begin.
var DefaultThrottle = Throttle{Window: 15 * time.Minute, PerAccount: 5, PerAddress: 20}

// wait is how long after the last of n failures the next attempt must wait.
func (th Throttle) wait(n, free int) time.Duration {
	if n < free {
		return 0
	}
	d := time.Minute
	for i := free; i < n && d < th.Window; i++ {
		d *= 2
	}
	return min(d, th.Window)
}

func accountKey(email, addr string) string { return strings.ToLower(email) + " " + addr }

// SignInWait is how long attempts for this email from this address must wait; 0 lets them
// through. It is checked before the password, so a waiting guesser learns nothing.
func (s *Store) SignInWait(ctx context.Context, th Throttle, email, addr string) (time.Duration, error) {
	now := s.now()
	since := unix(now.Add(-th.Window))
	var acct, ip int
	var acctLast, ipLast int64
	err := s.r.QueryRowContext(ctx, `SELECT
		(SELECT count(*) FROM auth_failures WHERE scope = 'account' AND key = ? AND at > ?),
		(SELECT coalesce(max(at), 0) FROM auth_failures WHERE scope = 'account' AND key = ? AND at > ?),
		(SELECT count(*) FROM auth_failures WHERE scope = 'address' AND key = ? AND at > ?),
		(SELECT coalesce(max(at), 0) FROM auth_failures WHERE scope = 'address' AND key = ? AND at > ?)`,
		accountKey(email, addr), since, accountKey(email, addr), since, addr, since, addr, since).Scan(&acct, &acctLast, &ip, &ipLast)
	if err != nil {
		return 0, err
	}
	left := max(unixTime(acctLast).Add(th.wait(acct, th.PerAccount)).Sub(now),
		unixTime(ipLast).Add(th.wait(ip, th.PerAddress)).Sub(now))
	if (acct < th.PerAccount && ip < th.PerAddress) || left <= 0 {
		return 0, nil
	}
	return left, nil
}

// RecordSignInFailure counts a failed attempt against the email from this address, and
// against the address.
func (s *Store) RecordSignInFailure(ctx context.Context, email, addr string) error {
	now := unix(s.now())
	return s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO auth_failures (scope, key, at) VALUES ('account', ?, ?), ('address', ?, ?)`,
			accountKey(email, addr), now, addr, now)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM auth_failures WHERE at < ?`, now-86400)
		return err
	})
}

// ClearSignInFailures forgets an account's failures from addr after its owner signed in from
// there, and from every address when addr is "" (after a password reset). A right password
// does not clear other addresses' failures: a guesser elsewhere keeps waiting.
func (s *Store) ClearSignInFailures(ctx context.Context, email, addr string) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		var err error
		if addr != "" {
			_, err = tx.ExecContext(ctx, `DELETE FROM auth_failures WHERE scope = 'account' AND key = ?`, accountKey(email, addr))
		} else {
			_, err = tx.ExecContext(ctx, `DELETE FROM auth_failures WHERE scope = 'account' AND key >= ? AND key < ?`,
				strings.ToLower(email)+" ", strings.ToLower(email)+"!")
		}
		return err
	})
}
