package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"time"

	"allium/clinic"
)

// The window a therapist's calendar feed covers: recent history for "who did I see on
// Tuesday", and the booking horizon ahead.
const (
	FeedPast   = 30 * 24 * time.Hour
	FeedFuture = 90 * 24 * time.Hour
)

func feedHash(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

func mayHaveFeed(by Actor) bool {
	return by.UserID != 0 && (by.Role == clinic.RoleTherapist || by.Role == clinic.RoleOwner)
}

// CreateCalendarFeed makes a new secret feed token for a clinician's own schedule and returns
// it; only its hash is kept, so this is the one time it can be shown. A feed made before stops
// working: making a new one is also how a leaked link is replaced.
func (s *Store) CreateCalendarFeed(ctx context.Context, by Actor) (string, error) {
	if !mayHaveFeed(by) {
		return "", ErrForbidden
	}
	token := base64.RawURLEncoding.EncodeToString(randomBytes(24))
	err := s.write(ctx, func(tx *sql.Tx) error {
		now := unix(s.now())
		if _, err := tx.ExecContext(ctx, `INSERT INTO ical_feeds (user_id, token_hash, created_at) VALUES (?, ?, ?)
			ON CONFLICT (user_id) DO UPDATE SET token_hash = excluded.token_hash, created_at = excluded.created_at`,
			by.UserID, feedHash(token), now); err != nil {
			return err
		}
		return audit(ctx, tx, by, now, "create", "ical_feed", by.UserID, 0, "")
	})
	return token, err
}

// RevokeCalendarFeed stops a clinician's feed; calendar apps that subscribed get 404 from now on.
func (s *Store) RevokeCalendarFeed(ctx context.Context, by Actor) error {
	if !mayHaveFeed(by) {
		return ErrForbidden
	}
	return s.write(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM ical_feeds WHERE user_id = ?`, by.UserID); err != nil {
			return err
		}
		return audit(ctx, tx, by, unix(s.now()), "revoke", "ical_feed", by.UserID, 0, "")
	})
}

// CalendarFeedSince reports when a clinician's current feed was made; zero if there is none.
func (s *Store) CalendarFeedSince(ctx context.Context, by Actor) (time.Time, error) {
	var at int64
	err := s.r.QueryRowContext(ctx, `SELECT created_at FROM ical_feeds WHERE user_id = ?`, by.UserID).Scan(&at)
	if err == sql.ErrNoRows {
		return time.Time{}, nil
	}
	return unixTime(at), err
}

// CalendarFeed returns the clinician a feed token belongs to and their appointments from
// FeedPast before now to FeedFuture after, cancelled ones left out. ErrNotFound for an unknown
// or revoked token, and for an account no longer active.
func (s *Store) CalendarFeed(ctx context.Context, token string, now time.Time) (User, []Appointment, error) {
	var u User
	err := s.r.QueryRowContext(ctx, `SELECT u.id, u.name, u.email FROM ical_feeds f JOIN users u ON u.id = f.user_id
		WHERE f.token_hash = ? AND u.active = 1`, feedHash(token)).Scan(&u.ID, &u.Name, &u.Email)
	if err != nil {
		return User{}, nil, translate(err)
	}
	appts, err := queryAppts(ctx, s.r, `a.therapist_id = ? AND a.starts_at >= ? AND a.starts_at < ? AND a.status <> `+sqlCancelled+`
		ORDER BY a.starts_at`, u.ID, unix(now.Add(-FeedPast)), unix(now.Add(FeedFuture)))
	return u, appts, err
}

// AppointmentsForMail returns appointments by id as they are now, for the calendar files the
// mail worker attaches. The worker acts for the clinic; nothing here reaches a browser.
func (s *Store) AppointmentsForMail(ctx context.Context, ids ...int64) ([]Appointment, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	return queryAppts(ctx, s.r, `a.id IN (`+placeholders(len(ids))+`) ORDER BY a.starts_at`, int64sToAny(ids)...)
}
