package store

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"

	"allium/clinic"
)

// Service is a bookable service with what the booking pages show beside it.
type Service struct {
	clinic.Service
	Description    string
	PriceCents     int
	CourseSessions int // suggested number of sessions when booked as a course; 1 for single visits
	SpacingDays    int // the days between a course's sessions it starts with
	// PackageDiscount is the owner's discount, in percent, on a course of this service sold
	// as a prepaid package (0: none).
	PackageDiscount int
	Kind            clinic.ServiceKind
	Sort            int
	Active          bool
	Therapists      []int64
}

// serviceColumns are what scanService reads, from services s.
const serviceColumns = `s.id, s.key, s.name, s.description, s.duration_min, s.buffer_min,
	s.needs_room, s.price_cents, s.course_sessions, s.course_spacing_days, s.kind, s.sort, s.active, s.package_discount_percent,
	coalesce((SELECT group_concat(therapist_id) FROM therapist_services ts WHERE ts.service_id = s.id), '')`

func scanService(r interface{ Scan(...any) error }) (Service, error) {
	var sv Service
	var dur, buf int
	var ts string
	if err := r.Scan(&sv.ID, &sv.Key, &sv.Name, &sv.Description, &dur, &buf, &sv.NeedsRoom, &sv.PriceCents,
		&sv.CourseSessions, &sv.SpacingDays, &sv.Kind, &sv.Sort, &sv.Active, &sv.PackageDiscount, &ts); err != nil {
		return sv, err
	}
	sv.Duration, sv.BufferAfter = time.Duration(dur)*time.Minute, time.Duration(buf)*time.Minute
	for _, f := range strings.Split(ts, ",") {
		// strconv, not fmt.Sscan: at twenty therapists a service, Sscan was most of the cost
		// of listing services, which every booking page does.
		if id, err := strconv.ParseInt(f, 10, 64); err == nil {
			sv.Therapists = append(sv.Therapists, id)
		}
	}
	return sv, nil
}

// Room is a treatment room.
type Room struct {
	ID   int64
	Name string
}

// Services lists active services in display order, each with the therapists who offer it.
func (s *Store) Services(ctx context.Context) ([]Service, error) {
	return s.queryServices(ctx, `WHERE s.active = 1 ORDER BY s.sort, s.name`)
}

func (s *Store) queryServices(ctx context.Context, where string, args ...any) ([]Service, error) {
	var out []Service
	err := scanInto(ctx, s.r, func(r *sql.Rows) error {
		sv, err := scanService(r)
		out = append(out, sv)
		return err
	}, `SELECT `+serviceColumns+` FROM services s `+where, args...)
	if err != nil {
		return nil, fmt.Errorf("services: %w", err)
	}
	return out, nil
}

// ServiceByID returns an active service. Returns ErrNotFound for an unknown or retired one.
func (s *Store) ServiceByID(ctx context.Context, id int64) (Service, error) {
	all, err := s.Services(ctx)
	if err != nil {
		return Service{}, err
	}
	for _, sv := range all {
		if sv.ID == id {
			return sv, nil
		}
	}
	return Service{}, ErrNotFound
}

// UpsertService creates or updates the service with sv.Key. Owner (or the system) only.
func (s *Store) UpsertService(ctx context.Context, by Actor, sv Service, sort int) (int64, error) {
	if by.Role != clinic.RoleOwner && by.Role != System.Role {
		return 0, ErrForbidden
	}
	if sv.Kind == "" {
		sv.Kind = clinic.KindFollowUp
		if sv.CourseSessions > 1 {
			sv.Kind = clinic.KindCourse
		}
	}
	var id int64
	err := s.write(ctx, func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, `INSERT INTO services (key, name, description, duration_min, buffer_min, needs_room,
			price_cents, course_sessions, sort, kind, course_spacing_days, package_discount_percent) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (key) DO UPDATE SET name = excluded.name, description = excluded.description,
			duration_min = excluded.duration_min, buffer_min = excluded.buffer_min, needs_room = excluded.needs_room,
			price_cents = excluded.price_cents, course_sessions = excluded.course_sessions, sort = excluded.sort,
			kind = excluded.kind, course_spacing_days = excluded.course_spacing_days,
			package_discount_percent = excluded.package_discount_percent
			RETURNING id`, sv.Key, sv.Name, sv.Description, int(sv.Duration/time.Minute), int(sv.BufferAfter/time.Minute),
			sv.NeedsRoom, sv.PriceCents, max(sv.CourseSessions, 1), sort, sv.Kind, cmp.Or(sv.SpacingDays, clinic.DefaultSpacing().Target),
			sv.PackageDiscount).Scan(&id)
	})
	return id, err
}

// SetTherapistServices replaces the services a therapist offers.
func (s *Store) SetTherapistServices(ctx context.Context, by Actor, therapistID int64, serviceIDs []int64) error {
	if !canEditTherapist(by, therapistID) {
		return ErrNotFound
	}
	return s.write(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM therapist_services WHERE therapist_id = ?`, therapistID); err != nil {
			return err
		}
		for _, id := range serviceIDs {
			if _, err := tx.ExecContext(ctx, `INSERT INTO therapist_services (therapist_id, service_id) VALUES (?, ?)`, therapistID, id); err != nil {
				return err
			}
		}
		return audit(ctx, tx, by, unix(s.now()), "update_services", "therapist", therapistID, 0, "")
	})
}

// canEditTherapist: the owner and reception edit anyone's calendar; a therapist only their own.
func canEditTherapist(by Actor, therapistID int64) bool {
	return by.Role == clinic.RoleOwner || by.Role == clinic.RoleReception || by.Role == System.Role ||
		(by.Role == clinic.RoleTherapist && by.UserID == therapistID)
}

// EnsureRoom creates a room by name if it does not exist and returns its id.
func (s *Store) EnsureRoom(ctx context.Context, by Actor, name string) (int64, error) {
	if by.Role != clinic.RoleOwner && by.Role != System.Role {
		return 0, ErrForbidden
	}
	var id int64
	err := s.write(ctx, func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, `INSERT INTO rooms (name) VALUES (?) ON CONFLICT (name) DO UPDATE SET active = 1 RETURNING id`, name).Scan(&id)
	})
	return id, err
}

// Rooms lists active rooms.
func (s *Store) Rooms(ctx context.Context) ([]Room, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT id, name FROM rooms WHERE active = 1 ORDER BY name`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Room
	for rows.Next() {
		var r Room
		if err := rows.Scan(&r.ID, &r.Name); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// Therapists lists active therapists by name.
func (s *Store) Therapists(ctx context.Context) ([]User, error) {
	return s.queryUsers(ctx, `WHERE role = 'therapist' AND active = 1 ORDER BY name`)
}

// Hours returns a therapist's weekly hours.
func (s *Store) Hours(ctx context.Context, therapistID int64) (clinic.WeeklyHours, error) {
	var h clinic.WeeklyHours
	rows, err := s.r.QueryContext(ctx, `SELECT weekday, start_min, end_min FROM therapist_hours WHERE therapist_id = ? ORDER BY weekday, start_min`, therapistID)
	if err != nil {
		return h, err
	}
	defer rows.Close()
	for rows.Next() {
		var wd, st, en int
		if err := rows.Scan(&wd, &st, &en); err != nil {
			return h, err
		}
		h[wd] = append(h[wd], clinic.Shift{Start: clinic.ClockTime(st), End: clinic.ClockTime(en)})
	}
	return h, rows.Err()
}

// HoursConflict is a booking that falls outside a therapist's new hours. Changing hours never
// moves or drops a booking: it lists these for reception to move or cancel.
type HoursConflict struct {
	AppointmentID int64
	ClientName    string
	Start         time.Time
}

// SetHours replaces a therapist's weekly hours and returns the upcoming bookings that no
// longer fit them. The owner and reception may change anyone's; a therapist only their own.
func (s *Store) SetHours(ctx context.Context, by Actor, therapistID int64, h clinic.WeeklyHours, loc *time.Location) ([]HoursConflict, error) {
	if !canEditTherapist(by, therapistID) {
		return nil, ErrNotFound
	}
	if err := h.Validate(); err != nil {
		return nil, err
	}
	var conflicts []HoursConflict
	err := s.write(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM therapist_hours WHERE therapist_id = ?`, therapistID); err != nil {
			return err
		}
		for wd, shifts := range h {
			for _, sh := range shifts {
				if _, err := tx.ExecContext(ctx, `INSERT INTO therapist_hours (therapist_id, weekday, start_min, end_min) VALUES (?, ?, ?, ?)`,
					therapistID, wd, int(sh.Start), int(sh.End)); err != nil {
					return err
				}
			}
		}
		var err error
		if conflicts, err = s.hoursConflicts(ctx, tx, therapistID, h, loc); err != nil {
			return err
		}
		return audit(ctx, tx, by, unix(s.now()), "update_hours", "therapist", therapistID, 0, fmt.Sprintf("%d conflicts", len(conflicts)))
	})
	return conflicts, err
}

func (s *Store) hoursConflicts(ctx context.Context, tx *sql.Tx, therapistID int64, h clinic.WeeklyHours, loc *time.Location) ([]HoursConflict, error) {
	rows, err := tx.QueryContext(ctx, `SELECT a.id, c.name, a.starts_at, a.busy_until FROM appointments a JOIN clients c ON c.id = a.client_id
		WHERE a.therapist_id = ? AND a.status = `+sqlBooked+` AND a.starts_at >= ? ORDER BY a.starts_at`, therapistID, unix(s.now()))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []HoursConflict
	for rows.Next() {
		var hc HoursConflict
		var st, en int64
		if err := rows.Scan(&hc.AppointmentID, &hc.ClientName, &st, &en); err != nil {
			return nil, err
		}
		hc.Start = unixTime(st)
		if !h.Covers(loc, hc.Start, unixTime(en)) {
			out = append(out, hc)
		}
	}
	return out, rows.Err()
}
