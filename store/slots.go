package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	"allium/clinic"
)

// querier is what both a transaction and the reader pool offer.
type querier interface {
	rowsQuerier
	QueryRowContext(context.Context, string, ...any) *sql.Row
}

// rowsQuerier is all the search needs: a transaction, the reader pool or a lazyRead.
type rowsQuerier interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}

// lazyRead begins its read-only transaction at its first query, so a search the cache answers
// whole touches no database.
type lazyRead struct {
	db *sql.DB
	tx *sql.Tx
}

func (l *lazyRead) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if l.tx == nil {
		tx, err := l.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
		if err != nil {
			return nil, fmt.Errorf("begin read: %w", err)
		}
		l.tx = tx
	}
	return l.tx.QueryContext(ctx, query, args...)
}

func (l *lazyRead) close() {
	if l.tx != nil {
		l.tx.Rollback() //nolint:errcheck // read only
	}
}

// SlotQuery builds the input of the free-time search for a service over [from, to) instants:
// the therapists' hours, time off and bookings, and the rooms' bookings. Every range query is
// bounded on both sides (bookings never block more than 12 hours), so it costs the same on a
// clinic with ten years of history as on a new one. Bookings between yesterday and the horizon
// come from the store's cache of them (busyCache), read from the database once and kept exact
// by the writer; this is for showing free times, and a booking checks against the rows. Such
// bookings that touch or overlap come as one busy stretch: the search needs no more.
func (s *Store) SlotQuery(ctx context.Context, sv clinic.Service, therapistIDs []int64, from, to time.Time) (clinic.SlotQuery, error) {
	return s.searchQuery(ctx, sv, therapistIDs, from, to, moving{})
}

// SlotQueryFor is SlotQuery for a booking by a known client (0: a visitor): their own
// appointments are busy too, so no time is offered that they could not book.
func (s *Store) SlotQueryFor(ctx context.Context, clientID int64, sv clinic.Service, therapistIDs []int64, from, to time.Time) (clinic.SlotQuery, error) {
	q, err := s.SlotQuery(ctx, sv, therapistIDs, from, to)
	if err == nil && clientID != 0 {
		q.ClientBusy, err = clientBusy(ctx, s.r, clientID, 0, from, to)
	}
	return q, translate(err)
}

// clientAttends is the condition, on appointments a, that the client is to be or is at the
// session: booked or checked in. A session the client missed does not keep them from another.
const clientAttends = `a.status IN (` + sqlBooked + `, ` + sqlCheckedIn + `)`

// clientInSession is the condition, on appointments a, that a.client_id's session overlaps
// [from, to); its arguments are sessionOverlapArgs(from, to). Bounded on both sides of the
// start, like the therapists' and rooms' overlap queries (no session blocks over 12 hours).
const clientInSession = `a.starts_at > ? AND a.starts_at < ? AND a.ends_at > ? AND ` + clientAttends

func sessionOverlapArgs(from, to time.Time) []any {
	return []any{unix(from) - 43200, unix(to), unix(from)}
}

// clientBusy reads a client's sessions, start to end, that overlap [from, to), leaving out the
// appointment except (0 for none).
func clientBusy(ctx context.Context, db rowsQuerier, clientID, except int64, from, to time.Time) ([]clinic.Interval, error) {
	var out []clinic.Interval
	var st, en int64
	err := scanInto(ctx, db, func(r *sql.Rows) error {
		if err := r.Scan(&st, &en); err != nil {
			return err
		}
		out = append(out, clinic.Interval{Start: unixTime(st), End: unixTime(en)})
		return nil
	}, `SELECT a.starts_at, a.ends_at FROM appointments a WHERE a.client_id = ? AND `+clientInSession+`
		AND a.id <> ? ORDER BY a.starts_at`, append(append([]any{clientID}, sessionOverlapArgs(from, to)...), except)...)
	return out, err
}

// MoveQuery is SlotQuery for moving ap to another time: its therapist's calendar over
// [from, to), with ap's own time free for the therapist and for its room, which it leaves,
// and the client's other appointments busy. Pages still leave ap's current start out of the
// times they offer.
func (s *Store) MoveQuery(ctx context.Context, ap Appointment, sv clinic.Service, from, to time.Time) (clinic.SlotQuery, error) {
	mv := movingOf(ap)
	q, err := s.searchQuery(ctx, sv, []int64{ap.TherapistID}, from, to, mv)
	if err == nil {
		// Days outside the cache come straight from the rows, with ap still in them.
		mv.leave(&q)
		q.ClientBusy, err = clientBusy(ctx, s.r, ap.ClientID, ap.ID, from, to)
	}
	return q, translate(err)
}

func (s *Store) searchQuery(ctx context.Context, sv clinic.Service, therapistIDs []int64, from, to time.Time, mv moving) (clinic.SlotQuery, error) {
	// The generation is read before the transaction's first read takes its snapshot.
	c := &busyRead{b: s.busy, gen: s.busy.generation(), moving: mv}
	db := &lazyRead{db: s.r}
	defer db.close()
	q, err := s.slotQueryFrom(ctx, db, sv, therapistIDs, []window{{from, to}}, c)
	if err == nil {
		err = s.searchHolds(ctx, db, &q, from, to)
	}
	return q, translate(err)
}

// moving is an appointment being moved, whose own time must not count as taken: its therapist,
// its room (0 for none) and its start. The zero value moves nothing.
type moving struct{ therapist, room, start int64 }

func movingOf(ap Appointment) moving {
	return moving{therapist: ap.TherapistID, room: ap.RoomID, start: unix(ap.Start)}
}

// startOf is the start to leave out of a therapist's (room false) or a room's bookings, 0 for none.
func (mv moving) startOf(room bool, id int64) int64 {
	if (!room && id == mv.therapist) || (room && id == mv.room && id != 0) {
		return mv.start
	}
	return 0
}

// leave takes the moving appointment out of the bookings of q. Another active booking of the
// same therapist or room cannot start at the same instant (they would overlap), so a busy
// stretch starting there is the appointment's own.
func (mv moving) leave(q *clinic.SlotQuery) {
	at := unixTime(mv.start)
	editBusy(q, mv.therapist, mv.room, func(busy []clinic.Interval) []clinic.Interval { return without(busy, at) })
}

// window is a stretch [from, to) whose bookings a search or a check needs.
type window struct{ from, to time.Time }

// sessionWindows are the stretches a booking check of these starts needs: each session's own
// time and buffer. A course's four sessions read four short stretches, not the weeks between.
func sessionWindows(sv clinic.Service, starts []time.Time) []window {
	out := make([]window, len(starts))
	for i, st := range starts {
		out[i] = window{st, sv.Blocks(st).End}
	}
	return out
}

// busyRanges turns windows into the bounds of the busy queries, merged where they meet:
// every booking that starts before a window ends and up to 12 hours before it starts.
func busyRanges(ws []window) [][2]int64 {
	ws = slices.SortedFunc(slices.Values(ws), func(a, b window) int { return a.from.Compare(b.from) })
	var out [][2]int64
	for _, w := range ws {
		lo, hi := unix(w.from)-43200, unix(w.to)
		if n := len(out); n > 0 && lo <= out[n-1][1] && hi >= out[n-1][0] {
			out[n-1] = [2]int64{min(lo, out[n-1][0]), max(hi, out[n-1][1])}
			continue
		}
		out = append(out, [2]int64{lo, hi})
	}
	return out
}

// slotQueryAt is slotQuery reading bookings only in the windows.
func (s *Store) slotQueryAt(ctx context.Context, db querier, sv clinic.Service, therapistIDs []int64, ws []window) (clinic.SlotQuery, error) {
	return s.slotQueryFrom(ctx, db, sv, therapistIDs, ws, nil)
}

// slotQueryFrom is slotQueryAt taking the bookings from the cache when c is not nil and the
// windows lie in the days it keeps.
func (s *Store) slotQueryFrom(ctx context.Context, db rowsQuerier, sv clinic.Service, therapistIDs []int64, ws []window, c *busyRead) (clinic.SlotQuery, error) {
	from, to := ws[0].from, ws[0].to
	for _, w := range ws {
		from, to = minTime(from, w.from), maxTime(to, w.to)
	}
	var cal *calendarMeta
	var set clinic.Settings
	var loc *time.Location
	var err error
	if c != nil {
		if cal, err = c.calendar(ctx, s, db); err != nil {
			return clinic.SlotQuery{}, err
		}
		set, loc = cal.set, cal.loc
	} else if set, loc, err = s.settingsZone(ctx, db); err != nil {
		return clinic.SlotQuery{}, err
	}
	q := clinic.SlotQuery{Location: loc, Now: s.now(), Service: sv, MinNotice: set.MinNotice,
		HorizonDays: int(set.Horizon / (24 * time.Hour)), From: clinic.DateOf(from, loc), To: clinic.DateOf(to.Add(-time.Second), loc)}
	if q.MinNotice == 0 {
		q.MinNotice = clinic.NoNotice
	}
	ranges := busyRanges(ws)
	if c != nil && (!c.covers(q, ranges) || unix(from) < cal.since) {
		c, cal = nil, nil
	}
	if cal != nil {
		q.Therapists = cal.therapists(sv.ID, therapistIDs, unix(from), unix(to))
		q.Closed = cal.closed
	} else {
		if q.Therapists, err = therapistCalendars(ctx, db, sv.ID, therapistIDs, unix(from), unix(to), ranges, c == nil); err != nil {
			return q, err
		}
		// A day either side: a booking check's windows may start the evening before.
		closed, dh, err := closedAndDateHours(ctx, db, therapistIDs, clinic.DateOf(from, loc).AddDays(-1), clinic.DateOf(to, loc).AddDays(1))
		if err != nil {
			return q, err
		}
		q.Closed = closed
		for i := range q.Therapists {
			q.Therapists[i].DateHours = dh[q.Therapists[i].TherapistID]
		}
	}
	if c != nil {
		busy, err := c.spans(ctx, db, false, therapistIDs, ranges[0][0], ranges[0][1])
		if err != nil {
			return q, err
		}
		for i := range q.Therapists {
			q.Therapists[i].Busy = busy[i]
		}
	}
	if !sv.NeedsRoom {
		return q, nil
	}
	if cal != nil {
		return q, c.roomsBusy(ctx, db, &q, cal.rooms, ranges[0])
	}
	rooms := map[int64]int{}
	err = scanInto(ctx, db, func(r *sql.Rows) error {
		var id int64
		err := r.Scan(&id)
		rooms[id] = len(q.Rooms)
		q.Rooms = append(q.Rooms, clinic.RoomCalendar{RoomID: id})
		return err
	}, `SELECT id FROM rooms WHERE active = 1 ORDER BY id`)
	if err != nil {
		return q, err
	}
	if len(q.Rooms) == 0 {
		return q, nil
	}
	// One range of the room index per room: only the rooms' bookings are read, not every
	// booking in the window.
	ids := make([]int64, len(q.Rooms))
	for i, r := range q.Rooms {
		ids[i] = r.RoomID
	}
	query, args := inRanges(`SELECT room_id, starts_at, busy_until FROM appointments INDEXED BY appointments_room
		WHERE room_id IN (`+placeholders(len(ids))+`) AND starts_at > ? AND starts_at < ? AND status <> `+sqlCancelled, ids, ranges)
	var id, st, en int64
	err = scanInto(ctx, db, func(r *sql.Rows) error {
		if err := r.Scan(&id, &st, &en); err != nil {
			return err
		}
		i := rooms[id]
		q.Rooms[i].Busy = append(q.Rooms[i].Busy, clinic.Interval{Start: unixTime(st), End: unixTime(en)})
		return nil
	}, query, args...)
	return q, err
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// inRanges repeats a query over ids and one range of starts for each range, joined with
// UNION ALL, and returns it with its arguments: each part is one bounded index search.
func inRanges(query string, ids []int64, ranges [][2]int64) (string, []any) {
	parts := make([]string, len(ranges))
	args := make([]any, 0, len(ranges)*(len(ids)+2))
	for i, r := range ranges {
		parts[i] = query
		for _, id := range ids {
			args = append(args, id)
		}
		args = append(args, r[0], r[1])
	}
	return strings.Join(parts, " UNION ALL "), args
}

// therapistCalendars reads the hours, time off, bookings and services of the therapists, in
// the order given: one query for each kind, whatever the number of therapists, so "any of 20"
// costs four queries and not eighty.
func therapistCalendars(ctx context.Context, db rowsQuerier, serviceID int64, ids []int64, from, to int64, ranges [][2]int64, withBusy bool) ([]clinic.TherapistCalendar, error) {
	out := make([]clinic.TherapistCalendar, len(ids))
	at := make(map[int64]*clinic.TherapistCalendar, len(ids))
	args := make([]any, len(ids))
	for i, id := range ids {
		out[i].TherapistID, at[id], args[i] = id, &out[i], id
	}
	if len(ids) == 0 || len(ranges) == 0 {
		return out, nil
	}
	in := placeholders(len(ids))
	busySQL, busyArgs := inRanges(`SELECT therapist_id, starts_at, busy_until FROM appointments WHERE therapist_id IN (`+in+`)
		AND status <> `+sqlCancelled+` AND starts_at > ? AND starts_at < ?`, ids, ranges)
	var id, a, b, c int64
	queries := []struct {
		sql  string
		args []any
		dest []any
		add  func(*clinic.TherapistCalendar)
	}{
		{`SELECT h.therapist_id, h.weekday, h.start_min, h.end_min FROM therapist_hours h JOIN users u ON u.id = h.therapist_id
			WHERE h.therapist_id IN (` + in + `) AND u.active = 1 ORDER BY h.weekday, h.start_min`, args, []any{&id, &a, &b, &c},
			func(t *clinic.TherapistCalendar) {
				t.Hours[a] = append(t.Hours[a], clinic.Shift{Start: clinic.ClockTime(b), End: clinic.ClockTime(c)})
			}},
		{`SELECT therapist_id, starts_at, ends_at FROM time_off WHERE therapist_id IN (` + in + `) AND ends_at > ? AND starts_at < ?
			ORDER BY starts_at`, append(args[:len(args):len(args)], from, to), []any{&id, &a, &b},
			func(t *clinic.TherapistCalendar) {
				t.TimeOff = append(t.TimeOff, clinic.Interval{Start: unixTime(a), End: unixTime(b)})
			}},
		{busySQL, busyArgs, []any{&id, &a, &b},
			func(t *clinic.TherapistCalendar) {
				t.Busy = append(t.Busy, clinic.Interval{Start: unixTime(a), End: unixTime(b)})
			}},
		// Only the service searched for: the search asks nothing else of Offers.
		{`SELECT therapist_id, service_id FROM therapist_services WHERE therapist_id IN (` + in + `) AND service_id = ?`,
			append(args[:len(args):len(args)], serviceID), []any{&id, &a},
			func(t *clinic.TherapistCalendar) { t.Offers = append(t.Offers, a) }},
	}
	if !withBusy {
		queries = slices.Delete(queries, 2, 3)
	}
	for _, qy := range queries {
		err := scanInto(ctx, db, func(r *sql.Rows) error {
			if err := r.Scan(qy.dest...); err != nil {
				return err
			}
			qy.add(at[id])
			return nil
		}, qy.sql, qy.args...)
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// scanInto runs a query and calls each for every row; callers say what the rows were for.
func scanInto(ctx context.Context, db rowsQuerier, each func(*sql.Rows) error, query string, args ...any) error {
	rows, err := db.QueryContext(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("query: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := each(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// settingsZone reads the settings as settingsIn does, with the clinic's time zone. Each zone
// is loaded once per store: loading one reads the zone file, and every booking, chart and plan
// view needs the clinic's.
func (s *Store) settingsZone(ctx context.Context, db rowsQuerier) (clinic.Settings, *time.Location, error) {
	set, err := s.settingsIn(ctx, db)
	if err != nil {
		return set, nil, err
	}
	if loc, ok := s.zones.Load(set.TimeZone); ok {
		return set, loc.(*time.Location), nil
	}
	loc, err := set.Location()
	if err != nil {
		return set, nil, err
	}
	s.zones.Store(set.TimeZone, loc)
	return set, loc, nil
}

// settingsIn reads the settings through the given connection, so a booking transaction sees
// the same settings as the rest of its reads.
func (s *Store) settingsIn(ctx context.Context, db rowsQuerier) (clinic.Settings, error) {
	set := clinic.DefaultSettings()
	err := scanInto(ctx, db, func(r *sql.Rows) error {
		var k, v string
		err := r.Scan(&k, &v)
		applySetting(&set, k, v)
		return err
	}, `SELECT key, value FROM settings`)
	return set, err
}
