package store

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"allium/clinic"
)

// ownerOnly: the clinic's set-up (services, rooms, profiles, closures) is the owner's.
func ownerOnly(by Actor) error {
	if by.Role != clinic.RoleOwner && by.Role != System.Role {
		return ErrForbidden
	}
	return nil
}

// Readiness gathers the facts clinic.BookingBlockers judges, in one snapshot.
func (s *Store) Readiness(ctx context.Context) (clinic.ReadinessFacts, error) {
	var f clinic.ReadinessFacts
	err := s.read(ctx, func(tx *sql.Tx) error {
		set, err := s.settingsIn(ctx, tx)
		if err != nil {
			return err
		}
		f.Phone = set.Phone
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM rooms WHERE active = 1`).Scan(&f.Rooms); err != nil {
			return err
		}
		err = scanInto(ctx, tx, func(r *sql.Rows) error {
			var sf clinic.ServiceFact
			err := r.Scan(&sf.ID, &sf.Name, &sf.NeedsRoom)
			f.Services = append(f.Services, sf)
			return err
		}, `SELECT id, name, needs_room FROM services WHERE active = 1 ORDER BY sort, name`)
		if err != nil {
			return err
		}
		return scanInto(ctx, tx, func(r *sql.Rows) error {
			var tf clinic.TherapistFact
			var offers string
			err := r.Scan(&tf.ID, &tf.Name, &tf.HasHours, &offers)
			for _, v := range strings.Split(offers, ",") {
				if id, err := strconv.ParseInt(v, 10, 64); err == nil {
					tf.Offers = append(tf.Offers, id)
				}
			}
			f.Therapists = append(f.Therapists, tf)
			return err
		}, `SELECT u.id, coalesce(nullif(p.display_name, ''), u.name),
			EXISTS (SELECT 1 FROM therapist_hours h WHERE h.therapist_id = u.id),
			coalesce((SELECT group_concat(ts.service_id) FROM therapist_services ts JOIN services sv ON sv.id = ts.service_id
				WHERE ts.therapist_id = u.id AND sv.active = 1), '')
			FROM users u LEFT JOIN therapist_profiles p ON p.therapist_id = u.id
			WHERE u.role = 'therapist' AND u.active = 1 ORDER BY u.name`)
	})
	return f, err
}

// AllServices lists every service, retired ones last, for the owner's services page.
func (s *Store) AllServices(ctx context.Context, by Actor) ([]Service, error) {
	if err := ownerOnly(by); err != nil {
		return nil, err
	}
	return s.queryServices(ctx, `ORDER BY s.active DESC, s.sort, s.name`)
}

// ServiceForOwner returns any service, retired or not.
func (s *Store) ServiceForOwner(ctx context.Context, by Actor, id int64) (Service, error) {
	if err := ownerOnly(by); err != nil {
		return Service{}, err
	}
	sv, err := scanService(s.r.QueryRowContext(ctx, `SELECT `+serviceColumns+` FROM services s WHERE s.id = ?`, id))
	if err != nil {
		return sv, fmt.Errorf("service %d: %w", id, translate(err))
	}
	return sv, nil
}

var notKeyChars = regexp.MustCompile(`[^a-z0-9]+`)

// serviceKey makes a stable key from a new service's name, unique among the keys there are.
func serviceKey(ctx context.Context, tx *sql.Tx, name string) (string, error) {
	base := strings.Trim(notKeyChars.ReplaceAllString(strings.ToLower(name), "_"), "_")
	if base == "" {
		base = "service"
	}
	key := base
	for n := 2; ; n++ {
		var taken bool
		if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM services WHERE key = ?)`, key).Scan(&taken); err != nil {
			return "", err
		}
		if !taken {
			return key, nil
		}
		key = base + "_" + strconv.Itoa(n)
	}
}

// BookingRef is an upcoming booking a change of the set-up affects, listed for the owner or
// reception to deal with: such changes never move or drop a booking.
type BookingRef = HoursConflict

// SaveService creates (id 0) or updates a service the owner edited. Its bookings keep their
// own length: a new duration applies to new bookings only. It returns the service's id and
// the upcoming bookings that would overlap the next booking of their therapist or room if
// they took the new length, for the owner to know about.
func (s *Store) SaveService(ctx context.Context, by Actor, id int64, sp clinic.ServiceSpec) (int64, []BookingRef, error) {
	if err := ownerOnly(by); err != nil {
		return 0, nil, err
	}
	if errs := sp.Validate(); len(errs) > 0 {
		return 0, nil, fmt.Errorf("service does not validate: %v: %w", errs, ErrConflict)
	}
	dur, buf := int(sp.Duration/time.Minute), int(sp.Buffer/time.Minute)
	var overlaps []BookingRef
	err := s.write(ctx, func(tx *sql.Tx) error {
		now := unix(s.now())
		if id == 0 {
			key, err := serviceKey(ctx, tx, sp.Name)
			if err != nil {
				return err
			}
			err = tx.QueryRowContext(ctx, `INSERT INTO services (key, name, description, duration_min, buffer_min, needs_room,
				price_cents, course_sessions, course_spacing_days, kind, sort, active, package_discount_percent)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
				RETURNING id`, key, sp.Name, sp.Description, dur, buf, sp.NeedsRoom, sp.PriceCents, sp.CourseSessions,
				sp.SpacingDays, sp.Kind, sp.Sort, sp.Active, sp.PackageDiscount).Scan(&id)
			if err != nil {
				return err
			}
			return audit(ctx, tx, by, now, "create", "service", id, 0, sp.Name)
		}
		res, err := tx.ExecContext(ctx, `UPDATE services SET name = ?, description = ?, duration_min = ?, buffer_min = ?,
			needs_room = ?, price_cents = ?, course_sessions = ?, course_spacing_days = ?, kind = ?, sort = ?, active = ?,
			package_discount_percent = ? WHERE id = ?`, sp.Name, sp.Description, dur, buf, sp.NeedsRoom, sp.PriceCents,
			sp.CourseSessions, sp.SpacingDays, sp.Kind, sp.Sort, sp.Active, sp.PackageDiscount, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrNotFound
		}
		if overlaps, err = lengthOverlaps(ctx, tx, id, now, int64(dur+buf)*60); err != nil {
			return err
		}
		return audit(ctx, tx, by, now, "update", "service", id, 0, fmt.Sprintf("%d would overlap", len(overlaps)))
	})
	return id, overlaps, translate(err)
}

// lengthOverlaps lists the service's upcoming bookings that, taking block seconds (the session
// and its time after), would run into another booking of their therapist or their room.
func lengthOverlaps(ctx context.Context, tx *sql.Tx, serviceID, now, block int64) ([]BookingRef, error) {
	return bookingRefs(ctx, tx, `SELECT a.id, c.name, a.starts_at FROM appointments a JOIN clients c ON c.id = a.client_id
		WHERE a.service_id = ? AND a.status = `+sqlBooked+` AND a.starts_at >= ?
		AND EXISTS (SELECT 1 FROM appointments b WHERE b.id <> a.id AND b.status <> `+sqlCancelled+`
			AND (b.therapist_id = a.therapist_id OR (a.room_id IS NOT NULL AND b.room_id = a.room_id))
			AND b.starts_at > a.starts_at - 43200 AND b.starts_at < a.starts_at + ? AND b.busy_until > a.starts_at)
		ORDER BY a.starts_at`, serviceID, now, block)
}

// upcomingOf lists the upcoming active bookings matching cond (on appointments a).
func upcomingOf(ctx context.Context, db querier, now int64, cond string, args ...any) ([]BookingRef, error) {
	return bookingRefs(ctx, db, `SELECT a.id, c.name, a.starts_at FROM appointments a JOIN clients c ON c.id = a.client_id
		WHERE `+cond+` AND a.status IN (`+sqlBooked+`, `+sqlCheckedIn+`) AND a.busy_until > ? ORDER BY a.starts_at`,
		append(args, now)...)
}

// DeleteService removes a service nobody ever booked. One with bookings, past or to come, is
// kept for its history: the owner retires it instead (ErrConflict).
func (s *Store) DeleteService(ctx context.Context, by Actor, id int64) error {
	if err := ownerOnly(by); err != nil {
		return err
	}
	return s.write(ctx, func(tx *sql.Tx) error {
		var used bool
		if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM appointments WHERE service_id = ?)
			OR EXISTS (SELECT 1 FROM courses WHERE service_id = ?) OR EXISTS (SELECT 1 FROM waitlist WHERE service_id = ?)`,
			id, id, id).Scan(&used); err != nil {
			return err
		}
		if used {
			return fmt.Errorf("service %d has bookings: %w", id, ErrConflict)
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM services WHERE id = ?`, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrNotFound
		}
		return audit(ctx, tx, by, unix(s.now()), "delete", "service", id, 0, "")
	})
}

// SetServiceActive retires a service (no new bookings; those made keep it) or brings it back.
func (s *Store) SetServiceActive(ctx context.Context, by Actor, id int64, active bool) error {
	if err := ownerOnly(by); err != nil {
		return err
	}
	return s.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE services SET active = ? WHERE id = ?`, active, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrNotFound
		}
		return audit(ctx, tx, by, unix(s.now()), map[bool]string{true: "restore", false: "retire"}[active], "service", id, 0, "")
	})
}

// RoomRow is a room as the owner's rooms page lists it.
type RoomRow struct {
	Room
	Active bool
}

// AllRooms lists every room, retired ones last.
func (s *Store) AllRooms(ctx context.Context, by Actor) ([]RoomRow, error) {
	if err := ownerOnly(by); err != nil {
		return nil, err
	}
	var out []RoomRow
	err := scanInto(ctx, s.r, func(r *sql.Rows) error {
		var rr RoomRow
		err := r.Scan(&rr.ID, &rr.Name, &rr.Active)
		out = append(out, rr)
		return err
	}, `SELECT id, name, active FROM rooms ORDER BY active DESC, name`)
	return out, err
}

// SaveRoom adds a room (id 0) or renames one. A name another room has is ErrConflict.
func (s *Store) SaveRoom(ctx context.Context, by Actor, id int64, name string) (int64, error) {
	if err := ownerOnly(by); err != nil {
		return 0, err
	}
	err := s.write(ctx, func(tx *sql.Tx) error {
		if id == 0 {
			if err := tx.QueryRowContext(ctx, `INSERT INTO rooms (name) VALUES (?) RETURNING id`, name).Scan(&id); err != nil {
				return err
			}
			return audit(ctx, tx, by, unix(s.now()), "create", "room", id, 0, name)
		}
		res, err := tx.ExecContext(ctx, `UPDATE rooms SET name = ? WHERE id = ?`, name, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrNotFound
		}
		return audit(ctx, tx, by, unix(s.now()), "rename", "room", id, 0, name)
	})
	return id, translate(err)
}

// RetireRoom takes a room out of use, or brings it back. A room with bookings to come cannot
// be retired: they are returned with ErrConflict, for reception to move first.
func (s *Store) RetireRoom(ctx context.Context, by Actor, id int64, active bool) ([]BookingRef, error) {
	if err := ownerOnly(by); err != nil {
		return nil, err
	}
	var blocking []BookingRef
	err := s.write(ctx, func(tx *sql.Tx) error {
		now := unix(s.now())
		if !active {
			var err error
			if blocking, err = upcomingOf(ctx, tx, now, `a.room_id = ?`, id); err != nil {
				return err
			}
			if len(blocking) > 0 {
				return fmt.Errorf("room %d has %d bookings to come: %w", id, len(blocking), ErrConflict)
			}
		}
		res, err := tx.ExecContext(ctx, `UPDATE rooms SET active = ? WHERE id = ?`, active, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrNotFound
		}
		return audit(ctx, tx, by, now, map[bool]string{true: "restore", false: "retire"}[active], "room", id, 0, "")
	})
	return blocking, err
}

// TherapistProfile is what clients read about a therapist, and the numbers receipts need.
type TherapistProfile struct {
	Therapist       User
	DisplayName     string // the name clients see; the account's name when empty
	Bio             string
	ProviderNumbers string // one "fund: number" a line
	Offers          []int64
}

// Shown is the name clients see.
func (p TherapistProfile) Shown() string {
	if p.DisplayName != "" {
		return p.DisplayName
	}
	return p.Therapist.Name
}

// TherapistProfileOf returns a therapist's profile. The owner may read anyone's, a therapist
// their own; anything else is ErrNotFound.
func (s *Store) TherapistProfileOf(ctx context.Context, by Actor, id int64) (TherapistProfile, error) {
	if by.Role != clinic.RoleOwner && by.Role != System.Role && !(by.Role == clinic.RoleTherapist && by.UserID == id) {
		return TherapistProfile{}, ErrNotFound
	}
	var p TherapistProfile
	err := s.read(ctx, func(tx *sql.Tx) error {
		var err error
		p.Therapist, err = scanUser(tx.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE id = ? AND role = 'therapist'`, id))
		if err != nil {
			return fmt.Errorf("therapist %d: %w", id, translate(err))
		}
		err = tx.QueryRowContext(ctx, `SELECT display_name, bio, provider_numbers FROM therapist_profiles WHERE therapist_id = ?`, id).
			Scan(&p.DisplayName, &p.Bio, &p.ProviderNumbers)
		if err != nil && err != sql.ErrNoRows {
			return err
		}
		return scanInto(ctx, tx, func(r *sql.Rows) error {
			var sid int64
			err := r.Scan(&sid)
			p.Offers = append(p.Offers, sid)
			return err
		}, `SELECT service_id FROM therapist_services WHERE therapist_id = ? ORDER BY service_id`, id)
	})
	return p, err
}

// SaveTherapistProfile saves a therapist's profile and the services they offer, together.
// Owner only: which services a therapist offers is the clinic's decision.
func (s *Store) SaveTherapistProfile(ctx context.Context, by Actor, p TherapistProfile) error {
	if err := ownerOnly(by); err != nil {
		return err
	}
	id := p.Therapist.ID
	return s.write(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM users WHERE id = ? AND role = 'therapist'`, id).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return ErrNotFound
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO therapist_profiles (therapist_id, display_name, bio, provider_numbers)
			VALUES (?, ?, ?, ?) ON CONFLICT (therapist_id) DO UPDATE SET display_name = excluded.display_name,
			bio = excluded.bio, provider_numbers = excluded.provider_numbers`, id, p.DisplayName, p.Bio, p.ProviderNumbers); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM therapist_services WHERE therapist_id = ?`, id); err != nil {
			return err
		}
		for _, sid := range p.Offers {
			if _, err := tx.ExecContext(ctx, `INSERT INTO therapist_services (therapist_id, service_id) VALUES (?, ?)`, id, sid); err != nil {
				return translate(err)
			}
		}
		return audit(ctx, tx, by, unix(s.now()), "update_profile", "therapist", id, 0, "")
	})
}

// PublicTherapist is a therapist as the public pages show them.
type PublicTherapist struct {
	ID   int64
	Name string
	Bio  string
}

// PublicTherapists lists the active therapists with their shown names and bios.
func (s *Store) PublicTherapists(ctx context.Context) ([]PublicTherapist, error) {
	var out []PublicTherapist
	err := scanInto(ctx, s.r, func(r *sql.Rows) error {
		var t PublicTherapist
		err := r.Scan(&t.ID, &t.Name, &t.Bio)
		out = append(out, t)
		return err
	}, `SELECT u.id, coalesce(nullif(p.display_name, ''), u.name), coalesce(p.bio, '')
		FROM users u LEFT JOIN therapist_profiles p ON p.therapist_id = u.id
		WHERE u.role = 'therapist' AND u.active = 1 ORDER BY u.name`)
	return out, err
}
