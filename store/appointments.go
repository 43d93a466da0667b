package store

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"allium/clinic"
)

// Appointment is a booked session with the names the pages show.
type Appointment struct {
	ID, ClientID, TherapistID, ServiceID, RoomID, CourseID int64
	CourseIndex, CourseSize                                int
	ClientName, ClientEmail, ClientPhone, Cautions         string
	TherapistName, ServiceName, RoomName                   string
	Start, End, BusyUntil                                  time.Time
	Status                                                 clinic.ApptStatus
	Version                                                int
	BookedVia, CancelReason                                string
	LateCancel                                             bool
	Price                                                  clinic.Money // copied from the service at booking
	StatusAt                                               time.Time    // when the desk last recorded the status; zero if never
	CheckedIn                                              bool         // the client was checked in (and not undone since)
}

// Active reports whether the appointment still holds its time.
func (a Appointment) Active() bool { return a.Status.HoldsTime() }

// Change is what clinic's appointment rules need to decide whether role may make ev happen
// to the appointment at now, under the clinic's settings. Every caller asks through it, so
// the store and the pages ask with the same facts.
func (a Appointment) Change(ev clinic.ApptEvent, role clinic.Role, now time.Time, set clinic.Settings, loc *time.Location) clinic.ApptChange {
	return clinic.ApptChange{Event: ev, By: role, Status: a.Status, Start: a.Start, Now: now,
		CancelWindow: set.CancelWindow, CheckInLead: set.CheckInLead, Zone: loc, StatusAt: a.StatusAt, CheckedIn: a.CheckedIn}
}

const apptColumns = `a.id, a.client_id, a.therapist_id, a.service_id, coalesce(a.room_id, 0), coalesce(a.course_id, 0),
	a.course_index, coalesce(co.sessions, 1), c.name, c.email, c.phone, c.cautions, t.name, s.name, coalesce(r.name, ''),
	a.starts_at, a.ends_at, a.busy_until, a.status, a.version, a.booked_via, a.cancel_reason, a.late_cancel, a.price_cents, a.status_at, a.checked_in_at IS NOT NULL`

const apptFrom = ` FROM appointments a JOIN clients c ON c.id = a.client_id JOIN users t ON t.id = a.therapist_id
	JOIN services s ON s.id = a.service_id LEFT JOIN rooms r ON r.id = a.room_id LEFT JOIN courses co ON co.id = a.course_id`

// apptScan is one row of apptColumns being read: the appointment and the columns that need
// converting. A query reads all its rows through one, so the Scan's 26 destinations are made
// once per query rather than once per row.
type apptScan struct {
	a           Appointment
	st, en, bu  int64
	statusAt    sql.NullInt64
	destination []any
}

func (s *apptScan) dest() []any {
	if s.destination == nil {
		a := &s.a
		s.destination = []any{&a.ID, &a.ClientID, &a.TherapistID, &a.ServiceID, &a.RoomID, &a.CourseID, &a.CourseIndex, &a.CourseSize,
			&a.ClientName, &a.ClientEmail, &a.ClientPhone, &a.Cautions, &a.TherapistName, &a.ServiceName, &a.RoomName,
			&s.st, &s.en, &s.bu, &a.Status, &a.Version, &a.BookedVia, &a.CancelReason, &a.LateCancel, &a.Price, &s.statusAt, &a.CheckedIn}
	}
	return s.destination
}

func (s *apptScan) appointment() Appointment {
	a := s.a
	a.Start, a.End, a.BusyUntil, a.StatusAt = unixTime(s.st), unixTime(s.en), unixTime(s.bu), nullUnix(s.statusAt)
	return a
}

func queryAppts(ctx context.Context, q interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}, where string, args ...any) ([]Appointment, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+apptColumns+apptFrom+` WHERE `+where, args...)
	if err != nil {
		return nil, fmt.Errorf("appointments: %w", err)
	}
	defer rows.Close()
	var out []Appointment
	var row apptScan
	for rows.Next() {
		if err := rows.Scan(row.dest()...); err != nil {
			return nil, err
		}
		out = append(out, row.appointment())
	}
	return out, rows.Err()
}

// scopeClient is the filter that keeps a client to their own appointments; staff see all.
func scopeClient(by Actor) (string, []any) {
	if by.Staff() {
		return "1 = 1", nil
	}
	if by.ClientID == 0 {
		return "0 = 1", nil
	}
	return "a.client_id = ?", []any{by.ClientID}
}

// AppointmentByID returns one appointment if the actor may see it: staff see any, a client
// only their own. Returns ErrNotFound otherwise, the same as for a missing one.
func (s *Store) AppointmentByID(ctx context.Context, by Actor, id int64) (Appointment, error) {
	scope, args := scopeClient(by)
	list, err := queryAppts(ctx, s.r, `a.id = ? AND `+scope, append([]any{id}, args...)...)
	if err != nil {
		return Appointment{}, err
	}
	if len(list) == 0 {
		return Appointment{}, fmt.Errorf("appointment %d: %w", id, ErrNotFound)
	}
	return list[0], nil
}

// ClientAppointments lists a client's appointments from `from` on (zero: all), soonest first.
// A client may list only their own.
func (s *Store) ClientAppointments(ctx context.Context, by Actor, clientID int64, from time.Time) ([]Appointment, error) {
	if !by.Staff() && by.ClientID != clientID {
		return nil, ErrNotFound
	}
	return queryAppts(ctx, s.r, `a.client_id = ? AND a.starts_at >= ? ORDER BY a.starts_at`, clientID, unix(from))
}

// CourseAppointments lists the sessions of one of a client's courses, soonest first. A client
// may list only their own.
func (s *Store) CourseAppointments(ctx context.Context, by Actor, clientID, courseID int64) ([]Appointment, error) {
	if !by.Staff() && by.ClientID != clientID {
		return nil, ErrNotFound
	}
	return queryAppts(ctx, s.r, `a.client_id = ? AND a.course_id = ? ORDER BY a.starts_at`, clientID, courseID)
}

// dayWhere selects the bookings starting in [from, to), of the given therapists or of all.
func dayWhere(from, to time.Time, therapistIDs []int64) (string, []any) {
	where := `a.starts_at >= ? AND a.starts_at < ?`
	args := []any{unix(from), unix(to)}
	if len(therapistIDs) > 0 {
		where += ` AND a.therapist_id IN (` + placeholders(len(therapistIDs)) + `)`
		for _, id := range therapistIDs {
			args = append(args, id)
		}
	}
	return where, args
}

// DaySchedule lists the appointments starting in [from, to) for the given therapists (all when
// none are given), by therapist and time. Staff only: clients never see others' bookings.
func (s *Store) DaySchedule(ctx context.Context, by Actor, from, to time.Time, therapistIDs ...int64) ([]Appointment, error) {
	if !by.Staff() {
		return nil, ErrNotFound
	}
	where, args := dayWhere(from, to, therapistIDs)
	return queryAppts(ctx, s.r, where+` ORDER BY a.therapist_id, a.starts_at`, args...)
}

func placeholders(n int) string { return strings.TrimSuffix(strings.Repeat("?,", n), ",") }

// ManagePath is the link in every email that lets a client change an appointment without signing
// in. It names the appointment's version, so it stops working once the appointment is moved;
// cancelled appointments refuse it too.
func (s *Store) ManagePath(ctx context.Context, id int64, version int) (string, error) {
	return "/m/" + manageToken(s.manageKey, id, version), nil
}

func manageToken(key []byte, id int64, version int) string {
	msg := strconv.FormatInt(id, 10) + "-" + strconv.Itoa(version)
	m := hmac.New(sha256.New, key)
	m.Write([]byte(msg))
	return msg + "-" + base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:18])
}

// ErrLinkStale says a manage link belongs to an appointment that has since moved or been cancelled.
var ErrLinkStale = errors.New("this link is for an earlier version of the appointment")

// AppointmentByManageToken returns the appointment a manage link names and an actor acting for
// its client. Returns ErrNotFound for a forged token; ErrLinkStale (with the appointment) when it
// was moved or cancelled since the link was made.
func (s *Store) AppointmentByManageToken(ctx context.Context, tok, ip string) (Appointment, Actor, error) {
	parts := strings.SplitN(tok, "-", 3) // the signature is base64url and may itself hold a "-"
	if len(parts) != 3 {
		return Appointment{}, Actor{}, ErrNotFound
	}
	id, err1 := strconv.ParseInt(parts[0], 10, 64)
	ver, err2 := strconv.Atoi(parts[1])
	if err1 != nil || err2 != nil || !hmac.Equal([]byte(manageToken(s.manageKey, id, ver)), []byte(tok)) {
		return Appointment{}, Actor{}, ErrNotFound
	}
	a, err := s.AppointmentByID(ctx, System, id) // the signature proved the right to this one
	if err != nil {
		return Appointment{}, Actor{}, err
	}
	by := Actor{Role: clinic.RoleClient, ClientID: a.ClientID, IP: ip}
	if a.Version != ver || a.Status != clinic.ApptBooked {
		return a, by, ErrLinkStale
	}
	return a, by, nil
}
