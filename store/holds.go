package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"allium/clinic"
)

// A visitor's booking is held, not made, until they follow a link emailed to the address they
// gave. Booking under an email proves nothing about who typed it: joining the booking to the
// account or the client record of that email on the visitor's word would hand a stranger the
// person's appointments and plan. Every visitor takes the same path, known email or not, so
// the answer says nothing about who has an account.

// Visitor is who a held booking is for, as the visitor typed it.
type Visitor struct {
	Name, Email, Phone string
	Password           string // for a new account; never given to one that exists
}

// HoldRequest is a visitor's booking to hold.
type HoldRequest struct {
	BookingRequest
	Visitor    Visitor
	TTL        time.Duration // how long the times are held (a clinic setting)
	Assessment string        // the visitor's assessment token, filed with the booking when it completes
	Limits     []Limit       // spent in the same transaction
}

// HoldMail is the email with the link that completes a held booking.
type HoldMail struct {
	Name     string
	Token    string
	Service  string
	Sessions []string // when, in the clinic's zone
	Minutes  int      // how long the link works
}

// HoldBooking checks a visitor's sessions as a booking would and, if all are free, keeps them
// from everyone else for req.TTL and queues the link that completes the booking. A safety block
// on the email or phone refuses it (ErrBookingBlocked), and so do the limits (ErrLimited).
func (s *Store) HoldBooking(ctx context.Context, ip string, req HoldRequest) error {
	if len(req.Starts) == 0 || len(req.Starts) > clinic.MaxPlannedSessions {
		return fmt.Errorf("hold: %d sessions: %w", len(req.Starts), ErrConflict)
	}
	hash := ""
	if req.Visitor.Password != "" {
		var err error
		if hash, err = HashPassword(req.Visitor.Password); err != nil {
			return err
		}
	} else {
		HashPassword(NewSecret()) //nolint:errcheck // the same work either way, so timing does not tell
	}
	by := Actor{Role: "visitor", IP: ip}
	return s.write(ctx, func(tx *sql.Tx) error {
		now := s.now()
		if err := spend(ctx, tx, now, req.Limits); err != nil {
			return err
		}
		if blocked, err := safetyBlocked(ctx, tx, req.Visitor.Email, req.Visitor.Phone); err != nil || blocked {
			return cmpErr(err, ErrBookingBlocked)
		}
		// Booking again (the email did not come, or the times changed) replaces the email's
		// earlier hold: its times are free for this one and its link stops working.
		if _, err := tx.ExecContext(ctx, `DELETE FROM hold_sessions WHERE hold_id IN
			(SELECT id FROM booking_holds WHERE email = ? AND used_at IS NULL AND expires_at > ?)`, req.Visitor.Email, unix(now)); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE booking_holds SET expires_at = ? WHERE email = ? AND used_at IS NULL AND expires_at > ?`,
			unix(now), req.Visitor.Email, unix(now)); err != nil {
			return err
		}
		p, err := s.place(ctx, tx, by, req.BookingRequest, 0)
		if err != nil {
			return err
		}
		tok := NewSecret()
		expires := unix(now.Add(req.TTL))
		var assess any
		if req.Assessment != "" {
			assess = hashID(req.Assessment)
		}
		var id int64
		sp := req.Spacing
		if sp.Target == 0 {
			sp = clinic.DefaultSpacing()
		}
		var firstService any
		if p.svs[0].ID != p.sv.ID {
			firstService = p.svs[0].ID
		}
		err = tx.QueryRowContext(ctx, `INSERT INTO booking_holds (token_hash, email, name, phone, password_hash, service_id,
			first_service_id, therapist_id, spacing_days, reminders, assessment_hash, created_at, expires_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, hashID(tok), req.Visitor.Email, req.Visitor.Name,
			req.Visitor.Phone, hash, p.sv.ID, firstService, req.TherapistID, sp.Target, req.Reminders, assess, unix(now),
			expires).Scan(&id)
		if err != nil {
			return fmt.Errorf("hold: %w", err)
		}
		mail := HoldMail{Name: req.Visitor.Name, Token: tok, Service: p.sv.Name, Minutes: int(req.TTL / time.Minute)}
		for i, sl := range p.slots {
			var room any
			if sl.RoomID != 0 {
				room = sl.RoomID
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO hold_sessions (hold_id, session, therapist_id, room_id, starts_at,
				busy_until, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)`, id, i+1, sl.TherapistID, room, unix(sl.Start),
				unix(p.svs[i].Blocks(sl.Start).End), expires); err != nil {
				return fmt.Errorf("hold session %d: %w", i+1, translate(err))
			}
			mail.Sessions = append(mail.Sessions, sl.Start.In(p.loc).Format("Mon 2 Jan, 15:04"))
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM booking_holds WHERE expires_at < ?`, unix(now.Add(-24*time.Hour))); err != nil {
			return err
		}
		s.holdsUntil.Store(max(s.holdsUntil.Load(), expires))
		err = enqueue(ctx, tx, now, Email{Kind: "booking_hold", To: req.Visitor.Email, RefType: "hold", RefID: id,
			DedupeKey: fmt.Sprintf("booking_hold:%x", hashID(tok)), Payload: mail, ExpiresAt: now.Add(req.TTL)})
		if err != nil {
			return err
		}
		return audit(ctx, tx, by, unix(now), "hold", "booking_hold", id, 0, fmt.Sprintf("%d sessions", len(p.slots)))
	})
}

func cmpErr(err, otherwise error) error {
	if err != nil {
		return err
	}
	return otherwise
}

// CheckHold reports whether a hold's link still works, without using it.
func (s *Store) CheckHold(ctx context.Context, tok string) error {
	var n int
	err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM booking_holds WHERE token_hash = ? AND used_at IS NULL AND expires_at > ?`,
		hashID(tok), unix(s.now())).Scan(&n)
	if err == nil && n == 0 {
		err = ErrNotFound
	}
	return err
}

// ErrStaffEmail is returned when a held booking's email belongs to a staff account: staff book
// for themselves at the desk, and a client account cannot share their email.
var ErrStaffEmail = errors.New("the email belongs to a staff account")

// CompleteHold uses a hold's link, once: the email is now proven, so the booking is made for
// the account with that email, or for a new account joined to the client record reception
// made for it, or for a new account and record. Its own times are released and checked again
// inside the same transaction. Returns ErrNotFound for a used, expired or unknown link.
func (s *Store) CompleteHold(ctx context.Context, ip, tok string) (Booked, error) {
	var out Booked
	err := s.write(ctx, func(tx *sql.Tx) error {
		now := unix(s.now())
		var h struct {
			id, service, therapist int64
			firstService           int64
			spacing                int
			reminders              bool
			email, name, phone, pw string
			assessment             []byte
		}
		err := tx.QueryRowContext(ctx, `UPDATE booking_holds SET used_at = ? WHERE token_hash = ? AND used_at IS NULL
			AND expires_at > ? RETURNING id, service_id, coalesce(first_service_id, 0), therapist_id, spacing_days, reminders,
			email, name, phone, password_hash, assessment_hash`, now, hashID(tok), now).Scan(&h.id, &h.service, &h.firstService,
			&h.therapist, &h.spacing,
			&h.reminders, &h.email, &h.name, &h.phone, &h.pw, &h.assessment)
		if err != nil {
			return fmt.Errorf("use hold: %w", translate(err))
		}
		var starts []time.Time
		err = scanInto(ctx, tx, func(r *sql.Rows) error {
			var st int64
			err := r.Scan(&st)
			starts = append(starts, unixTime(st))
			return err
		}, `DELETE FROM hold_sessions WHERE hold_id = ? RETURNING starts_at`, h.id)
		if err != nil {
			return err
		}
		slices.SortFunc(starts, time.Time.Compare)
		u, err := s.provenClient(ctx, tx, ip, Visitor{Name: h.name, Email: h.email, Phone: h.phone}, h.pw)
		if err != nil {
			return err
		}
		by := Actor{UserID: u.ID, Role: clinic.RoleClient, IP: ip}
		if err := tx.QueryRowContext(ctx, `SELECT id FROM clients WHERE user_id = ?`, u.ID).Scan(&by.ClientID); err != nil {
			return fmt.Errorf("client of user %d: %w", u.ID, translate(err))
		}
		sp, ok := clinic.CourseSpacing(h.spacing)
		if !ok {
			sp = clinic.DefaultSpacing()
		}
		out, err = s.bookIn(ctx, tx, by, BookingRequest{ServiceID: h.service, FirstServiceID: h.firstService,
			TherapistID: h.therapist, Starts: starts, Spacing: sp, Consent: true, Reminders: h.reminders})
		if err != nil {
			return err
		}
		out.User = &u
		if h.assessment != nil {
			if err := linkAssessmentHash(ctx, tx, by, h.assessment, now); err != nil {
				return err
			}
		}
		return audit(ctx, tx, by, now, "use_hold", "booking_hold", h.id, by.ClientID, "")
	})
	return out, err
}

// provenClient is the client account for an email its holder has just proven: the existing
// one, or a new one joined to reception's record for that email (or with a record of its own).
func (s *Store) provenClient(ctx context.Context, tx *sql.Tx, ip string, v Visitor, passwordHash string) (User, error) {
	u, err := scanUser(tx.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE email = ?`, v.Email))
	switch {
	case err == nil && u.Role != clinic.RoleClient:
		return u, ErrStaffEmail
	case err == nil && !u.Active:
		return u, ErrNotFound
	case err == nil:
		return u, nil
	case !errors.Is(err, sql.ErrNoRows):
		return u, err
	}
	return s.createUser(ctx, tx, Actor{Role: "visitor", IP: ip}, NewUser{Role: clinic.RoleClient, Email: v.Email,
		Name: v.Name, Phone: v.Phone, EmailProven: true, passwordHash: passwordHash})
}

// addHolds adds to q the times unexpired holds keep, for their therapist and room, over
// [from, to). Bookings and holds check with it inside their transaction.
func addHolds(ctx context.Context, db rowsQuerier, now int64, q *clinic.SlotQuery, from, to time.Time) error {
	var tid, st, en int64
	var room sql.NullInt64
	return scanInto(ctx, db, func(r *sql.Rows) error {
		if err := r.Scan(&tid, &room, &st, &en); err != nil {
			return err
		}
		iv := clinic.Interval{Start: unixTime(st), End: unixTime(en)}
		editBusy(q, tid, room.Int64, func(busy []clinic.Interval) []clinic.Interval { return insertSorted(busy, iv) })
		return nil
	}, `SELECT therapist_id, room_id, starts_at, busy_until FROM hold_sessions
		WHERE starts_at > ? AND starts_at < ? AND busy_until > ? AND expires_at > ?`, unix(from)-43200, unix(to), unix(from), now)
}

// searchHolds is addHolds for the free-time search, which reads nothing when no hold made by
// this process can still be live: holds are rare and short, searches are many.
func (s *Store) searchHolds(ctx context.Context, db rowsQuerier, q *clinic.SlotQuery, from, to time.Time) error {
	now := unix(s.now())
	if s.holdsUntil.Load() <= now {
		return nil
	}
	return addHolds(ctx, db, now, q, from, to)
}
