package store

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"
)

// ErrLimited is returned when a request is over one of its limits; nothing was done.
var ErrLimited = errors.New("too many requests")

// Limit is at most Max requests of a kind from one address or for one email within Window.
// Forms that send mail or start work spend them; a request over any of its limits does
// nothing and is not counted, so waiting always helps.
type Limit struct {
	Kind   string // "forgot", "signin_link", "book", "assessment"
	Scope  string // "address" or "email"
	Key    string
	Max    int
	Window time.Duration
}

// spend checks every limit inside the caller's write transaction and, if all allow it, counts
// the request against each. Both answers cost one write, so a request for a known email and
// one for an unknown email take the same path through the database.
func spend(ctx context.Context, tx *sql.Tx, now time.Time, limits []Limit) error {
	for _, l := range limits {
		var n int
		err := tx.QueryRowContext(ctx, `SELECT count(*) FROM rate_events WHERE kind = ? AND scope = ? AND key = ? AND at > ?`,
			l.Kind, l.Scope, strings.ToLower(l.Key), unix(now.Add(-l.Window))).Scan(&n)
		if err != nil {
			return err
		}
		if n >= l.Max {
			return ErrLimited
		}
	}
	for _, l := range limits {
		if _, err := tx.ExecContext(ctx, `INSERT INTO rate_events (kind, scope, key, at) VALUES (?, ?, ?, ?)`,
			l.Kind, l.Scope, strings.ToLower(l.Key), unix(now)); err != nil {
			return err
		}
	}
	// Old counts are kept only as long as the longest window that reads them.
	_, err := tx.ExecContext(ctx, `DELETE FROM rate_events WHERE at < ?`, unix(now.Add(-24*time.Hour)))
	return err
}

// Spend counts one request against its limits on its own, for work that writes nothing else
// (starting an assessment is its own transaction). Returns ErrLimited when over a limit.
func (s *Store) Spend(ctx context.Context, limits ...Limit) error {
	return s.write(ctx, func(tx *sql.Tx) error { return spend(ctx, tx, s.now(), limits) })
}
