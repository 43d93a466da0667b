package store

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"allium/clinic"
)

// BulkLoad adds a generated clinic in one transaction with prepared statements, without the
// per-booking work of BookCourse (free-time checks, email, an audit row per change). It is for
// the large demo and for benchmarks only. The schema still checks every row: the overlap
// triggers and foreign keys stay on, so the generator must hand it a schedule that is possible.
type BulkLoad struct {
	ctx                     context.Context
	tx                      *sql.Tx
	user, client, course    *sql.Stmt
	appt                    *sql.Stmt
	now                     int64
	Clients, Courses, Appts int // rows added so far
}

// BulkAppointment is one generated appointment. RoomID and CourseID are 0 for none.
type BulkAppointment struct {
	ClientID, TherapistID, ServiceID, RoomID, CourseID int64
	CourseIndex                                        int
	Start, End, BusyUntil                              time.Time
	Status                                             clinic.ApptStatus // booked, completed, cancelled or no_show
	CreatedAt                                          time.Time
	LateCancel                                         bool
}

// bulkPragmas set the writer connection up for one long transaction: a page cache big enough
// for the indexes being filled, so pages are not spilled to the WAL and written again, and
// statement journals in memory (every insert that fires a trigger keeps one, and on disk that
// is several writes a row). Bulk puts the old values back.
var bulkPragmas = [][2]string{{"cache_size", "-262144"}, {"temp_store", "MEMORY"}}

// Bulk runs fn with a loader inside one immediate transaction, committed if fn returns nil.
// The system actor only.
func (s *Store) Bulk(ctx context.Context, by Actor, fn func(*BulkLoad) error) error {
	if by.Role != System.Role {
		return ErrForbidden
	}
	for _, p := range bulkPragmas {
		var was string
		if err := s.w.QueryRowContext(ctx, `PRAGMA `+p[0]).Scan(&was); err != nil {
			return err
		}
		if _, err := s.w.ExecContext(ctx, `PRAGMA `+p[0]+` = `+p[1]); err != nil {
			return err
		}
		defer s.w.ExecContext(context.WithoutCancel(ctx), `PRAGMA `+p[0]+` = `+was) //nolint:errcheck // best effort
	}
	return s.write(ctx, func(tx *sql.Tx) error {
		b, err := prepareBulk(ctx, tx, unix(s.now()))
		if err != nil {
			return err
		}
		defer b.close()
		if err := fn(b); err != nil {
			return err
		}
		return audit(ctx, tx, by, b.now, "bulk_load", "clinic", 0, 0, fmt.Sprintf("%d clients, %d appointments", b.Clients, b.Appts))
	})
}

func prepareBulk(ctx context.Context, tx *sql.Tx, now int64) (*BulkLoad, error) {
	b := &BulkLoad{ctx: ctx, tx: tx, now: now}
	var err error
	prep := func(q string) *sql.Stmt {
		if err != nil {
			return nil
		}
		var st *sql.Stmt
		st, err = tx.PrepareContext(ctx, q)
		return st
	}
	b.user = prep(`INSERT INTO users (role, email, name, phone, created_at, updated_at) VALUES ('client', ?, ?, ?, ?, ?)`)
	b.client = prep(`INSERT INTO clients (user_id, name, email, phone, consent_treatment_at, consent_reminders, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`)
	b.course = prep(`INSERT INTO courses (client_id, therapist_id, service_id, sessions, created_at) VALUES (?, ?, ?, ?, ?)`)
	b.appt = prep(`INSERT INTO appointments (client_id, therapist_id, service_id, room_id, course_id, course_index, starts_at, ends_at,
		busy_until, status, booked_via, created_at, updated_at, cancelled_at, cancel_reason, late_cancel, checked_in_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'demo', ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		b.close()
		return nil, fmt.Errorf("bulk: prepare: %w", err)
	}
	return b, nil
}

func (b *BulkLoad) close() {
	for _, st := range []*sql.Stmt{b.user, b.client, b.course, b.appt} {
		if st != nil {
			st.Close()
		}
	}
}

// AddClient adds a client who can sign in with emailed links (no password: hashing one per
// client would cost more than the rest of the load) and returns the client record's id.
func (b *BulkLoad) AddClient(name, email, phone string, since time.Time) (int64, error) {
	at := unix(since)
	res, err := b.user.ExecContext(b.ctx, email, name, phone, at, at)
	if err != nil {
		return 0, fmt.Errorf("bulk client %s: %w", email, translate(err))
	}
	uid, _ := res.LastInsertId()
	if res, err = b.client.ExecContext(b.ctx, uid, name, email, phone, at, true, at, at); err != nil {
		return 0, fmt.Errorf("bulk client %s: %w", email, translate(err))
	}
	b.Clients++
	return res.LastInsertId()
}

// AddCourse adds a course of sessions and returns its id.
func (b *BulkLoad) AddCourse(clientID, therapistID, serviceID int64, sessions int, created time.Time) (int64, error) {
	res, err := b.course.ExecContext(b.ctx, clientID, therapistID, serviceID, sessions, unix(created))
	if err != nil {
		return 0, fmt.Errorf("bulk course: %w", translate(err))
	}
	b.Courses++
	return res.LastInsertId()
}

// ErrBulkOverlap says a generated appointment collides with another for its therapist or room.
var ErrBulkOverlap = errors.New("generated appointment overlaps another")

// AddAppointment adds one appointment. Cancelled ones are stamped cancelled at creation plus
// a day (or at their start, if sooner); completed ones checked in at their start.
func (b *BulkLoad) AddAppointment(a BulkAppointment) error {
	var room, course, cancelledAt, checkedIn any
	if a.RoomID != 0 {
		room = a.RoomID
	}
	if a.CourseID != 0 {
		course = a.CourseID
	}
	reason := ""
	switch a.Status {
	case clinic.ApptCancelled:
		cancelledAt, reason = unix(minTime(a.CreatedAt.Add(24*time.Hour), a.Start)), "Cancelled by the client"
	case clinic.ApptCompleted:
		checkedIn = unix(a.Start)
	}
	created := unix(a.CreatedAt)
	_, err := b.appt.ExecContext(b.ctx, a.ClientID, a.TherapistID, a.ServiceID, room, course, max(a.CourseIndex, 1),
		unix(a.Start), unix(a.End), unix(a.BusyUntil), a.Status, created, created, cancelledAt, reason, a.LateCancel, checkedIn)
	if err != nil {
		err = translate(err)
		if errors.Is(err, ErrConflict) {
			err = errors.Join(ErrBulkOverlap, err)
		}
		return fmt.Errorf("bulk appointment for therapist %d at %s: %w", a.TherapistID, a.Start.Format(time.RFC3339), err)
	}
	b.Appts++
	return nil
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// History describes a clinic's past and near future for AddHistory to generate: who works
// when, what is booked and how often, over which dates. The same History and Seed give the
// same appointments.
type History struct {
	Loc        *time.Location
	Now        time.Time
	From, To   clinic.Date // inclusive
	Therapists []HistoryTherapist
	Rooms      []int64
	Services   []HistoryService
	Clients    []int64
	Seed       uint64
}

// HistoryTherapist is a therapist and the weekly hours the schedule fills.
type HistoryTherapist struct {
	ID    int64
	Hours clinic.WeeklyHours
}

// HistoryService is a service and how often it is booked (Weight, relative to the others).
// Course is how many weekly sessions one client books at once; 1 for single visits. A service
// that needs a room names Home, a service of the same length that needs none: a session that
// finds every room taken becomes one of those (a home visit).
type HistoryService struct {
	ID               int64
	Duration, Buffer time.Duration
	NeedsRoom        bool
	Course           int
	Weight           int
	Home             int64
}

// historyBlockDays is how long one roster lasts: a therapist's day is laid out once and
// repeats weekly for four weeks, which is how a course keeps its time of day.
const historyBlockDays = 28

// AddHistory fills the therapists' hours from h.From to h.To with back-to-back sessions:
// all of the past, and in the future most of next week, thinning out towards h.To. Sessions
// that need a room take the first free one or become home visits. The past is mostly
// completed, with cancellations (some rebooked by another client) and no-shows; the future is
// booked. Bookings already in the database keep their times: the schedule goes around them.
func (b *BulkLoad) AddHistory(h History) error {
	g, err := newHistoryGen(h)
	if err != nil {
		return err
	}
	if err := g.loadExisting(b); err != nil {
		return err
	}
	for block := h.From; !block.After(h.To); block = block.AddDays(historyBlockDays) {
		for w := range 7 {
			day := block.AddDays(w)
			roster := g.roster(day.Weekday())
			g.assignRooms(roster)
			for _, s := range roster {
				if err := g.place(b, s, day); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// histService is a service in whole minutes, as the generator uses it.
type histService struct {
	id             int64
	dur, buf       int
	room           bool
	course, weight int
	home           *histService
}

// histSlot is one place in a day's roster: a therapist, a start in minutes after local midnight,
// a service and the room it got (0: none).
type histSlot struct {
	therapist int64
	start     int
	svc       *histService
	room      int64
}

// histSpan is a busy stretch of an existing booking, in Unix seconds.
type histSpan struct{ from, to int64 }

type historyGen struct {
	History
	rng                     *rand.Rand
	today                   clinic.Date
	mix                     []*histService // shortest first
	total                   int
	therapistBusy, roomBusy map[int64][]histSpan
}

func newHistoryGen(h History) (*historyGen, error) {
	if len(h.Clients) == 0 || len(h.Therapists) == 0 {
		return nil, errors.New("history: no clients or no therapists")
	}
	g := &historyGen{History: h, rng: rand.New(rand.NewPCG(h.Seed, 2026)), today: clinic.DateOf(h.Now, h.Loc)}
	byID := map[int64]*histService{}
	for _, sv := range h.Services {
		byID[sv.ID] = &histService{id: sv.ID, dur: int(sv.Duration / time.Minute), buf: int(sv.Buffer / time.Minute),
			room: sv.NeedsRoom, course: max(sv.Course, 1), weight: sv.Weight}
	}
	for _, sv := range h.Services {
		hs := byID[sv.ID]
		if hs.room && hs.weight > 0 {
			if hs.home = byID[sv.Home]; hs.home == nil || hs.home.room || hs.home.dur+hs.home.buf != hs.dur+hs.buf {
				return nil, fmt.Errorf("history: service %d needs a home visit of the same length", sv.ID)
			}
		}
		if hs.weight > 0 {
			g.mix = append(g.mix, hs)
			g.total += hs.weight
		}
	}
	if g.total == 0 {
		return nil, errors.New("history: no service has a weight")
	}
	slices.SortFunc(g.mix, func(a, b *histService) int {
		return cmp.Or(cmp.Compare(a.dur+a.buf, b.dur+b.buf), cmp.Compare(a.id, b.id))
	})
	return g, nil
}

// loadExisting reads the active bookings already in the span (a demo's few hundred), so the
// schedule leaves their therapists and rooms free at those times.
func (g *historyGen) loadExisting(b *BulkLoad) error {
	g.therapistBusy, g.roomBusy = map[int64][]histSpan{}, map[int64][]histSpan{}
	from := time.Date(g.From.Y, g.From.M, g.From.D, 0, 0, 0, 0, g.Loc)
	to := time.Date(g.To.Y, g.To.M, g.To.D+1, 0, 0, 0, 0, g.Loc)
	return scanInto(b.ctx, b.tx, func(r *sql.Rows) error {
		var t, room, st, en int64
		if err := r.Scan(&t, &room, &st, &en); err != nil {
			return err
		}
		g.therapistBusy[t] = append(g.therapistBusy[t], histSpan{st, en})
		if room != 0 {
			g.roomBusy[room] = append(g.roomBusy[room], histSpan{st, en})
		}
		return nil
	}, `SELECT therapist_id, coalesce(room_id, 0), starts_at, busy_until FROM appointments
		WHERE starts_at >= ? AND starts_at < ? AND status <> `+sqlCancelled, unix(from), unix(to))
}

// roster fills each therapist's shifts on a weekday with back-to-back sessions.
func (g *historyGen) roster(wd time.Weekday) []histSlot {
	var out []histSlot
	for _, t := range g.Therapists {
		for _, sh := range t.Hours[wd] {
			for at := int(sh.Start); ; {
				svc := g.pick()
				if at+svc.dur+svc.buf > int(sh.End) {
					svc = g.mix[0] // the shortest fills the end of the shift if it fits
				}
				if at+svc.dur+svc.buf > int(sh.End) {
					break
				}
				out = append(out, histSlot{therapist: t.ID, start: at, svc: svc})
				at += svc.dur + svc.buf
			}
		}
	}
	return out
}

func (g *historyGen) pick() *histService {
	n := g.rng.IntN(g.total)
	for _, s := range g.mix {
		if n -= s.weight; n < 0 {
			return s
		}
	}
	return g.mix[len(g.mix)-1]
}

// assignRooms gives each session that needs a room the first room free at its start, in
// start order; one that finds none becomes a home visit of the same length.
func (g *historyGen) assignRooms(roster []histSlot) {
	slices.SortStableFunc(roster, func(a, b histSlot) int { return cmp.Compare(a.start, b.start) })
	freeAt := make([]int, len(g.Rooms))
	for i := range roster {
		s := &roster[i]
		if !s.svc.room {
			continue
		}
		r := slices.IndexFunc(freeAt, func(at int) bool { return at <= s.start })
		if r < 0 {
			s.svc = s.svc.home
			continue
		}
		s.room, freeAt[r] = g.Rooms[r], s.start+s.svc.dur+s.svc.buf
	}
}

// place books one roster slot on its day and at the same time in the weeks after, to the end
// of the block. A course's sessions go to one client; single visits to a new client each week.
func (g *historyGen) place(b *BulkLoad, s histSlot, first clinic.Date) error {
	dur, busy := time.Duration(s.svc.dur)*time.Minute, time.Duration(s.svc.dur+s.svc.buf)*time.Minute
	var client, course int64
	var booked time.Time
	taking := false
	for k := range historyBlockDays / 7 {
		d := first.AddDays(7 * k)
		if d.After(g.To) {
			return nil
		}
		start := time.Date(d.Y, d.M, d.D, 0, s.start, 0, 0, g.Loc)
		inCourse := s.svc.course > 1 && k < s.svc.course
		if !inCourse || k == 0 {
			client, course, booked = g.client(), 0, g.bookedAt(start)
			taking = g.rng.Float64() < g.occupancy(d)
		}
		if !taking || g.collides(s.therapist, s.room, unix(start), unix(start.Add(busy))) {
			continue
		}
		a := BulkAppointment{ClientID: client, TherapistID: s.therapist, ServiceID: s.svc.id, RoomID: s.room,
			Start: start, End: start.Add(dur), BusyUntil: start.Add(busy), CreatedAt: booked}
		if inCourse {
			if course == 0 {
				var err error
				if course, err = b.AddCourse(client, s.therapist, s.svc.id, s.svc.course, booked); err != nil {
					return err
				}
			}
			a.CourseID, a.CourseIndex = course, k+1
		}
		if err := g.add(b, a); err != nil {
			return err
		}
	}
	return nil
}

// add books one appointment with a status that fits its date. Some times were first booked by
// someone who cancelled: that booking is kept too, cancelled, as a clinic's history has it.
func (g *historyGen) add(b *BulkLoad, a BulkAppointment) error {
	if g.rng.Float64() < 0.12 {
		c := a
		c.ClientID, c.CourseID, c.CourseIndex, c.Status = g.client(), 0, 1, clinic.ApptCancelled
		c.CreatedAt, c.LateCancel = a.CreatedAt.Add(-48*time.Hour), g.rng.IntN(5) == 0
		if err := b.AddAppointment(c); err != nil {
			return err
		}
	}
	r := g.rng.Float64()
	switch {
	case r < 0.03:
		a.Status, a.LateCancel = clinic.ApptCancelled, g.rng.IntN(5) == 0
	case !a.Start.Before(g.Now):
		a.Status = clinic.ApptBooked
	case r < 0.06:
		a.Status = clinic.ApptNoShow
	default:
		a.Status = clinic.ApptCompleted
	}
	return b.AddAppointment(a)
}

// client picks a client; a fifth of them are regulars who book half of the sessions.
func (g *historyGen) client() int64 {
	if g.rng.IntN(2) == 0 {
		return g.Clients[g.rng.IntN(max(len(g.Clients)/5, 1))]
	}
	return g.Clients[g.rng.IntN(len(g.Clients))]
}

// bookedAt is when a session was booked: one to thirty days before it, and at least two days
// before now, so a cancellation a day later is still in the past.
func (g *historyGen) bookedAt(start time.Time) time.Time {
	at := start.Add(-time.Duration(1+g.rng.IntN(30)) * 24 * time.Hour)
	if limit := g.Now.Add(-48 * time.Hour); at.After(limit) {
		return limit
	}
	return at
}

// occupancy is the share of the roster that is booked on a day: all of the past, and in the
// future most of next week, thinning to a quarter at the end.
func (g *historyGen) occupancy(d clinic.Date) float64 {
	ahead := g.today.DaysUntil(d)
	if ahead <= 0 {
		return 1
	}
	return 0.9 - 0.65*float64(ahead)/float64(max(g.today.DaysUntil(g.To), 1))
}

// collides reports whether [from, to) meets a booking made before the load.
func (g *historyGen) collides(therapist, room int64, from, to int64) bool {
	meets := func(list []histSpan) bool {
		for _, s := range list {
			if s.from < to && from < s.to {
				return true
			}
		}
		return false
	}
	return meets(g.therapistBusy[therapist]) || (room != 0 && meets(g.roomBusy[room]))
}
