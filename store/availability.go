package store

import (
	"cmp"
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/mattn/go-sqlite3"

	"allium/clinic"
)

// The free-time search must know every room's bookings in its window: on a busy clinic that is
// thousands of rows for a few weeks, and reading them through SQLite costs far more than the
// search itself. busyCache keeps, in memory, the non-cancelled bookings of each therapist and
// each room by day of their start, for the days people book (yesterday to just past the
// horizon), so a search reads only what changed since the last one. What it does not hold is
// read from busy_days, the schema's digest of the same bookings by day (migration 0011), one
// row per therapist or room however many days.
//
// The rest of what a search reads (settings, rooms, hours, services, time off) is small and
// rarely changes; it is kept whole as a calendarMeta and dropped whole on any change.
//
// It can be kept exact because every write goes through the store's one writer connection.
// Temporary triggers on that connection report each changed booking's therapist, room and
// start, before and after, to busyCache.touched (and any calendar change to calendarChanged)
// while the transaction is open. Being temporary, they do not stop another program writing
// the file, but they do not see it either: while a server runs, its calendar and bookings must
// be changed through it (of the allium commands only demo writes them, and `user add` adds
// people without hours). At COMMIT the commit hook drops those days
// and marks them unsettled; a rolled-back transaction's changes are forgotten. Once the commit
// is visible to new readers, write calls settle, and the days may be cached again.
//
// A search reads the generation before its read transaction takes its snapshot and stores what
// it read only if no commit changed bookings meanwhile and the days are not unsettled: data read
// before a commit can never be kept after it. Booking transactions do not use the cache: they
// check against the rows, and the schema's triggers are the backstop.
type busyCache struct {
	mu   sync.RWMutex
	gen  uint64
	days map[busyKey][]busySpan
	cal  *calendarMeta // nil until a search reads it
	// unsettled: days whose change was committed (or is being committed) but may not yet be
	// visible to a new reader, by the number of that commit. They are neither served nor stored.
	unsettled    map[busyKey]uint64
	unsettledAll uint64 // the commit of a change too large to list (a bulk load); 0 for none
	commits      uint64 // commits on the writer connection so far
	pending      map[busyKey]struct{}
	pendingAll   bool  // the open transaction changed too many bookings to list
	limit        int   // how many changed days one transaction may list: maxPending
	oldest       int64 // days before this were pruned
	// joins holds the lists searches join bookings in (*[]busySpan), one per search running
	// at once.
	joins sync.Pool
}

// busySpan is one booking in the cache, [start, busy until) in Unix seconds: a third of the
// size of a clinic.Interval, and nothing in it for the garbage collector to follow.
type busySpan struct{ start, end int64 }

// busyKey is one therapist's or one room's bookings starting on one day (Unix days, UTC), or
// calendarKey.
type busyKey struct {
	room bool
	id   int64
	day  int64
}

// calendarKey stands for the calendarMeta in the lists of what a commit changed.
var calendarKey = busyKey{id: -1}

// forget drops a day, or the calendar; the caller holds the lock.
func (b *busyCache) forget(k busyKey) {
	if k == calendarKey {
		b.cal = nil
		return
	}
	delete(b.days, k)
}

// maxPending is how many changed days one transaction may list before the whole cache is
// dropped instead: a bulk load changes a million rows, a booking a handful.
const maxPending = 4096

// busyMargin is how many days before today and past the horizon the cache keeps: the search
// reads bookings up to 12 hours before its window, and Unix days are not the clinic's days.
const busyMargin = 2

func newBusyCache() *busyCache {
	return &busyCache{days: map[busyKey][]busySpan{}, unsettled: map[busyKey]uint64{}, pending: map[busyKey]struct{}{}, limit: maxPending}
}

func unixDay(sec int64) int64 {
	if sec < 0 {
		return (sec - 86399) / 86400
	}
	return sec / 86400
}

// busyTriggers report every change of a booking that can change who is busy when (a new or
// deleted booking, a move, a change of therapist or room, a cancellation or its undoing) and
// every change to the calendar tables.
var busyTriggers = append(calendarTriggers(), []string{
	`CREATE TEMP TRIGGER IF NOT EXISTS busy_cache_insert AFTER INSERT ON main.appointments
	BEGIN SELECT allium_busy_changed(NEW.therapist_id, coalesce(NEW.room_id, 0), NEW.starts_at); END`,
	`CREATE TEMP TRIGGER IF NOT EXISTS busy_cache_delete AFTER DELETE ON main.appointments
	BEGIN SELECT allium_busy_changed(OLD.therapist_id, coalesce(OLD.room_id, 0), OLD.starts_at); END`,
	`CREATE TEMP TRIGGER IF NOT EXISTS busy_cache_update
	AFTER UPDATE OF therapist_id, room_id, starts_at, busy_until, status ON main.appointments
	WHEN OLD.therapist_id IS NOT NEW.therapist_id OR OLD.room_id IS NOT NEW.room_id OR OLD.starts_at <> NEW.starts_at
		OR OLD.busy_until <> NEW.busy_until OR (OLD.status = ` + sqlCancelled + `) <> (NEW.status = ` + sqlCancelled + `)
	BEGIN
		SELECT allium_busy_changed(OLD.therapist_id, coalesce(OLD.room_id, 0), OLD.starts_at);
		SELECT allium_busy_changed(NEW.therapist_id, coalesce(NEW.room_id, 0), NEW.starts_at);
	END`,
}...)

// calendarTables hold the rest of what a search reads; any change to them replaces the
// calendarMeta. Of users, only a therapist leaving or coming back matters.
var calendarTables = []string{"settings", "rooms", "therapist_hours", "therapist_services", "time_off", "closures", "date_hours",
	"services"}

func calendarTriggers() []string {
	var out []string
	for _, t := range calendarTables {
		for _, op := range []string{"INSERT", "UPDATE", "DELETE"} {
			out = append(out, fmt.Sprintf(`CREATE TEMP TRIGGER IF NOT EXISTS calendar_cache_%s_%s AFTER %s ON main.%s
				BEGIN SELECT allium_calendar_changed(); END`, t, strings.ToLower(op), op, t))
		}
	}
	return append(out, `CREATE TEMP TRIGGER IF NOT EXISTS calendar_cache_users AFTER UPDATE OF active ON main.users
		WHEN OLD.active IS NOT NEW.active BEGIN SELECT allium_calendar_changed(); END`)
}

// connect sets up a new writer connection: the function the triggers call, the hooks and,
// when the schema is there (it is not before the migrations), the triggers.
func (b *busyCache) connect(c *sqlite3.SQLiteConn) error {
	if err := c.RegisterFunc("allium_busy_changed", b.touched, false); err != nil {
		return err
	}
	if err := c.RegisterFunc("allium_calendar_changed", b.calendarChanged, false); err != nil {
		return err
	}
	c.RegisterCommitHook(b.committing)
	c.RegisterRollbackHook(b.rolledBack)
	// Changing temp_store deletes every temporary trigger. Bulk asks for MEMORY; with it set
	// already, its PRAGMA is a no-op and the triggers stay.
	if _, err := c.Exec(`PRAGMA temp_store = MEMORY`, nil); err != nil {
		return err
	}
	// Every table the triggers watch must be there: a database a migration has yet to bring up
	// to date gets them from install, after the migrations.
	watched := append([]string{"appointments"}, calendarTables...)
	rows, err := c.Query(`SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name IN ('`+
		strings.Join(watched, "', '")+`')`, nil)
	if err != nil {
		return err
	}
	v := make([]driver.Value, 1)
	err = rows.Next(v)
	rows.Close()
	if err != nil || v[0] != int64(len(watched)) {
		return err
	}
	for _, t := range busyTriggers {
		if _, err := c.Exec(t, nil); err != nil {
			return fmt.Errorf("busy cache trigger: %w", err)
		}
	}
	return nil
}

// install creates the triggers through the writer pool, for a connection opened before the
// schema existed.
func (b *busyCache) install(ctx context.Context, w *sql.DB) error {
	for _, t := range busyTriggers {
		if _, err := w.ExecContext(ctx, t); err != nil {
			return fmt.Errorf("busy cache trigger: %w", err)
		}
	}
	return nil
}

// touched is called by the triggers, inside the writer's open transaction.
func (b *busyCache) touched(therapist, room, start int64) int64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.pendingAll {
		return 0
	}
	day := unixDay(start)
	b.pending[busyKey{false, therapist, day}] = struct{}{}
	if room != 0 {
		b.pending[busyKey{true, room, day}] = struct{}{}
	}
	if len(b.pending) > b.limit {
		b.pendingAll = true
		clear(b.pending)
	}
	return 0
}

// calendarChanged is called by the triggers on the calendar tables.
func (b *busyCache) calendarChanged() int64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.pendingAll {
		b.pending[calendarKey] = struct{}{}
	}
	return 0
}

// committing is the commit hook: the transaction's changes are about to become visible.
func (b *busyCache) committing() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.commits++
	if !b.pendingAll && len(b.pending) == 0 {
		return 0
	}
	if b.pendingAll {
		b.unsettledAll = b.commits
		clear(b.days)
		b.cal = nil
	}
	for k := range b.pending {
		b.forget(k)
		b.unsettled[k] = b.commits
	}
	b.gen++
	b.pendingAll = false
	clear(b.pending)
	return 0
}

func (b *busyCache) rolledBack() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.pendingAll = false
	clear(b.pending)
}

// nextCommit is the number the next commit on the writer will have; write asks it while it
// holds the writer connection, so no other commit can come between.
func (b *busyCache) nextCommit() uint64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.commits + 1
}

// settle is called once commit n has returned: it and every commit before it are visible to
// new readers, so their days may be read and cached again.
func (b *busyCache) settle(n uint64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	changed := false
	for k, c := range b.unsettled {
		if c <= n {
			b.forget(k)
			delete(b.unsettled, k)
			changed = true
		}
	}
	if b.unsettledAll != 0 && b.unsettledAll <= n {
		b.unsettledAll = 0
		clear(b.days)
		b.cal = nil
		changed = true
	}
	if changed {
		b.gen++
	}
}

// drop empties the cache; the next searches read everything from the database.
func (b *busyCache) drop() {
	b.mu.Lock()
	defer b.mu.Unlock()
	clear(b.days)
	b.cal = nil
	b.gen++
}

func (b *busyCache) generation() uint64 {
	b.mu.RLock()
	defer b.mu.RUnlock()
	return b.gen
}

// busyRead is one search's use of the cache: the generation it started at and the days the
// cache may hold, [first, last] in Unix days.
type busyRead struct {
	b           *busyCache
	gen         uint64
	first, last int64
	moving      moving // left out of what the search is given
}

// covers reports whether the cache may serve a search of these ranges: one stretch, inside
// the days the cache keeps (from busyMargin days before today to as many after the horizon).
func (r *busyRead) covers(q clinic.SlotQuery, ranges [][2]int64) bool {
	today := unixDay(unix(q.Now))
	horizon := q.HorizonDays
	if horizon <= 0 {
		horizon = clinic.DefaultHorizonDays
	}
	r.first, r.last = today-busyMargin, today+int64(horizon)+busyMargin
	return len(ranges) == 1 && unixDay(ranges[0][0]+1) >= r.first && unixDay(ranges[0][1]-1) <= r.last
}

// busyQuery reads the bookings not cancelled of therapists (room 0) or rooms (1) on the days
// the cache does not hold, from the schema's digest of them (busy_days, migration 0011): a row
// a day, holding the day's starts and busy_until as two JSON arrays in the same order. Each
// therapist's or room's days come back joined into one row ("[..][..]"; both aggregates see
// the rows in the same order), so a cold 60-day search of one therapist and eight rooms steps
// nine rows out of SQLite instead of about 5,300 bookings (docs/performance.md, "Booking").
const busyQuery = `SELECT owner_id, group_concat(starts, ''), group_concat(ends, '') FROM busy_days
	WHERE room = ? AND owner_id IN (%s) AND day >= ? AND day <= ? GROUP BY owner_id`

// spans returns, for each id in order, its bookings that start in (lo, hi) as busy stretches
// sorted by start, the moving appointment left out: from the cache where it holds the day,
// otherwise from db, and caches what it read when that is safe.
func (r *busyRead) spans(ctx context.Context, db rowsQuerier, room bool, ids []int64, lo, hi int64) ([][]clinic.Interval, error) {
	first, last := unixDay(lo+1), unixDay(hi-1)
	nd := int(last - first + 1)
	days := make([][]busySpan, len(ids)*nd) // id i's day d is days[i*nd+d-first]
	var missing []busyKey
	var missingAt []int
	r.b.mu.RLock()
	for i, id := range ids {
		for d := first; d <= last; d++ {
			k := busyKey{room, id, d}
			sp, ok := r.b.days[k]
			if !ok {
				missing, missingAt = append(missing, k), append(missingAt, i*nd+int(d-first))
			}
			days[i*nd+int(d-first)] = sp
		}
	}
	r.b.mu.RUnlock()
	if len(missing) > 0 {
		read, err := r.load(ctx, db, room, missing)
		if err != nil {
			return nil, err
		}
		for j, k := range missing {
			days[missingAt[j]] = read[k]
		}
		r.keep(read)
	}
	// Bookings that touch or overlap are joined into one stretch, which is all the search asks;
	// the moving appointment is left out first. The stretches are joined in Unix seconds in a
	// pooled scratch list, then copied into one backing array of exactly their number: a week
	// of 20 therapists and 8 rooms is about 4,800 bookings and 1,700 stretches, and sizing the
	// array for the bookings made the booking page allocate 230 KB a search.
	scratch, _ := r.b.joins.Get().(*[]busySpan)
	if scratch == nil {
		scratch = new([]busySpan)
	}
	joined, ends := (*scratch)[:0], make([]int, len(ids))
	for i, id := range ids {
		from, skip := len(joined), r.moving.startOf(room, id)
		for j, day := range days[i*nd : (i+1)*nd] {
			edge := j == 0 || j == nd-1 // only the first and last day can hold bookings outside (lo, hi)
			for _, sp := range day {
				switch n := len(joined); {
				case sp.start == skip || (edge && (sp.start <= lo || sp.start >= hi)):
				case n > from && sp.start <= joined[n-1].end:
					joined[n-1].end = max(sp.end, joined[n-1].end)
				default:
					joined = append(joined, sp)
				}
			}
		}
		ends[i] = len(joined)
	}
	all := make([]clinic.Interval, len(joined))
	for k, sp := range joined {
		all[k] = clinic.Interval{Start: unixTime(sp.start), End: unixTime(sp.end)}
	}
	*scratch = joined
	r.b.joins.Put(scratch)
	out := make([][]clinic.Interval, len(ids))
	from := 0
	for i, end := range ends {
		out[i] = all[from:end:end]
		from = end
	}
	return out, nil
}

// load reads the missing days in one bounded query: the ids that miss any day, from the first
// missing day to the last. Days already cached in between are read again and ignored.
func (r *busyRead) load(ctx context.Context, db rowsQuerier, room bool, missing []busyKey) (map[busyKey][]busySpan, error) {
	read := make(map[busyKey][]busySpan, len(missing))
	var ids []int64
	seen := map[int64]bool{}
	first, last := missing[0].day, missing[0].day
	for _, k := range missing {
		read[k] = nil
		first, last = min(first, k.day), max(last, k.day)
		if !seen[k.id] {
			seen[k.id] = true
			ids = append(ids, k.id)
		}
	}
	args := make([]any, 0, len(ids)+3)
	args = append(args, room)
	for _, id := range ids {
		args = append(args, id)
	}
	args = append(args, first, last)
	var id int64
	var startsJSON, endsJSON string
	var starts, ends []int64
	err := scanInto(ctx, db, func(rows *sql.Rows) error {
		if err := rows.Scan(&id, &startsJSON, &endsJSON); err != nil {
			return err
		}
		var err error
		if starts, err = appendJSONInts(starts[:0], startsJSON); err != nil {
			return err
		}
		if ends, err = appendJSONInts(ends[:0], endsJSON); err != nil {
			return err
		}
		if len(starts) != len(ends) {
			return fmt.Errorf("busy read: %d starts and %d ends", len(starts), len(ends))
		}
		addBusyDays(read, busyKey{room: room, id: id}, starts, ends)
		return nil
	}, fmt.Sprintf(busyQuery, placeholders(len(ids))), args...)
	return read, err
}

// addBusyDays files one therapist's or room's bookings, [starts[i], ends[i]), under their
// days, for the days that were asked for (the keys already in read, holding nil).
func addBusyDays(read map[busyKey][]busySpan, who busyKey, starts, ends []int64) {
	// One array holds them all; each day is a full slice expression of it, so nothing appended
	// to one day could run into the next.
	all := make([]busySpan, len(starts))
	for i, st := range starts {
		all[i] = busySpan{st, ends[i]}
	}
	// Days come in key order and a day's bookings in index order, but SQL promises neither.
	byStart := func(a, b busySpan) int { return cmp.Compare(a.start, b.start) }
	if !slices.IsSortedFunc(all, byStart) {
		slices.SortFunc(all, byStart)
	}
	for i := 0; i < len(all); {
		who.day = unixDay(all[i].start)
		n := 1 // the day's bookings are all[i:i+n]
		for i+n < len(all) && unixDay(all[i+n].start) == who.day {
			n++
		}
		if _, wanted := read[who]; wanted {
			read[who] = all[i : i+n : i+n]
		}
		i += n
	}
}

// appendJSONInts appends the numbers of JSON arrays of integers as json_group_array writes
// them, one or more back to back ("[1,-2][][3]"), to out. It is the inner loop of reading a
// calendar, so it reads the digits itself instead of cutting the text into strings for strconv.
func appendJSONInts(out []int64, s string) ([]int64, error) {
	bad := func(i int) error { return fmt.Errorf("busy read: not JSON arrays of integers at %d of %.20q", i, s) }
	if s == "" {
		return out, bad(0)
	}
	for i := 0; i < len(s); i++ { // at the start of an array
		if s[i] != '[' {
			return out, bad(i)
		}
		if i+1 < len(s) && s[i+1] == ']' {
			i++
			continue
		}
		for i++; ; i++ { // at the start of a number
			neg := i < len(s) && s[i] == '-'
			if neg {
				i++
			}
			start, n := i, int64(0)
			for ; i < len(s) && s[i] >= '0' && s[i] <= '9' && i-start < 18; i++ {
				n = n*10 + int64(s[i]-'0')
			}
			if i == start || i == len(s) || (s[i] != ',' && s[i] != ']') {
				return out, bad(i)
			}
			if neg {
				n = -n
			}
			out = append(out, n)
			if s[i] == ']' {
				break
			}
		}
	}
	return out, nil
}

// keep stores days read from the database, unless a commit changed bookings since the search
// began (its snapshot may predate it) or the days are out of the cached range or unsettled.
func (r *busyRead) keep(read map[busyKey][]busySpan) {
	b := r.b
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.gen != r.gen || b.unsettledAll != 0 {
		return
	}
	if r.first > b.oldest {
		for k := range b.days {
			if k.day < r.first {
				delete(b.days, k)
			}
		}
		b.oldest = r.first
	}
	for k, sp := range read {
		if _, ok := b.unsettled[k]; !ok && k.day >= r.first && k.day <= r.last {
			b.days[k] = sp
		}
	}
}

// calendarMeta is the rest of what a search reads, all of it small and rarely changed: the
// settings and zone, the active rooms, and each active therapist's hours, services and time off
// ending after since. It is read whole and replaced whole; nothing in it is changed after.
type calendarMeta struct {
	set     clinic.Settings
	loc     *time.Location
	since   int64
	rooms   []int64
	hours   map[int64]*clinic.WeeklyHours
	offers  map[int64][]int64
	timeOff map[int64][]clinic.Interval
	// closed and dateHours are the closures and one-off hours from the day before since on.
	closed    []clinic.Date
	dateHours map[int64]map[clinic.Date][]clinic.Shift
	// open is clinic.BookingOpen over what the copy holds, asked by every booking page.
	open bool
}

// calendar returns the cached calendarMeta, or reads it through db and keeps it when that is
// safe (the same rule as keep).
func (r *busyRead) calendar(ctx context.Context, s *Store, db rowsQuerier) (*calendarMeta, error) {
	r.b.mu.RLock()
	cal := r.b.cal
	r.b.mu.RUnlock()
	if cal != nil {
		return cal, nil
	}
	cal, err := loadCalendar(ctx, s, db)
	if err != nil {
		return nil, err
	}
	r.b.mu.Lock()
	defer r.b.mu.Unlock()
	if _, unsettled := r.b.unsettled[calendarKey]; r.b.gen == r.gen && r.b.unsettledAll == 0 && !unsettled {
		r.b.cal = cal
	}
	return cal, nil
}

func loadCalendar(ctx context.Context, s *Store, db rowsQuerier) (*calendarMeta, error) {
	cal := &calendarMeta{hours: map[int64]*clinic.WeeklyHours{}, offers: map[int64][]int64{}, timeOff: map[int64][]clinic.Interval{}}
	var err error
	if cal.set, cal.loc, err = s.settingsZone(ctx, db); err != nil {
		return nil, err
	}
	cal.since = (unixDay(unix(s.now())) - busyMargin) * 86400
	// Hours and services come one row per therapist, as JSON arrays read by appendJSONInts: a
	// clinic's few hundred rows of them cost more to step out of SQLite one by one than to read.
	var id, a, b int64
	var ja, jb, jc string
	var wd, from, to []int64
	queries := []struct {
		sql  string
		args []any
		dest []any
		add  func() error
	}{
		{`SELECT id FROM rooms WHERE active = 1 ORDER BY id`, nil, []any{&id}, func() error {
			cal.rooms = append(cal.rooms, id)
			return nil
		}},
		{`SELECT h.therapist_id, json_group_array(h.weekday), json_group_array(h.start_min), json_group_array(h.end_min)
			FROM therapist_hours h JOIN users u ON u.id = h.therapist_id WHERE u.active = 1 GROUP BY h.therapist_id`,
			nil, []any{&id, &ja, &jb, &jc}, func() error {
				var err error
				if wd, err = appendJSONInts(wd[:0], ja); err != nil {
					return err
				}
				if from, err = appendJSONInts(from[:0], jb); err != nil {
					return err
				}
				if to, err = appendJSONInts(to[:0], jc); err != nil {
					return err
				}
				if len(from) != len(wd) || len(to) != len(wd) {
					return fmt.Errorf("hours of %d: %d, %d and %d values", id, len(wd), len(from), len(to))
				}
				h := new(clinic.WeeklyHours)
				for i, d := range wd {
					if d < 0 || int(d) >= len(h) {
						return fmt.Errorf("hours of %d: weekday %d", id, d)
					}
					h[d] = append(h[d], clinic.Shift{Start: clinic.ClockTime(from[i]), End: clinic.ClockTime(to[i])})
				}
				for d := range h {
					slices.SortFunc(h[d], func(x, y clinic.Shift) int { return cmp.Compare(x.Start, y.Start) })
				}
				cal.hours[id] = h
				return nil
			}},
		{`SELECT therapist_id, json_group_array(service_id) FROM therapist_services GROUP BY therapist_id`, nil,
			[]any{&id, &ja}, func() error {
				var err error
				cal.offers[id], err = appendJSONInts(nil, ja)
				return err
			}},
		{`SELECT therapist_id, starts_at, ends_at FROM time_off WHERE ends_at > ? ORDER BY starts_at`, []any{cal.since},
			[]any{&id, &a, &b}, func() error {
				cal.timeOff[id] = append(cal.timeOff[id], clinic.Interval{Start: unixTime(a), End: unixTime(b)})
				return nil
			}},
	}
	for _, qy := range queries {
		err := scanInto(ctx, db, func(r *sql.Rows) error {
			if err := r.Scan(qy.dest...); err != nil {
				return err
			}
			return qy.add()
		}, qy.sql, qy.args...)
		if err != nil {
			return nil, err
		}
	}
	if cal.open, err = bookingOpenFrom(ctx, db, cal); err != nil {
		return nil, err
	}
	if cal.closed, cal.dateHours, err = closedAndDateHours(ctx, db, nil, clinic.DateOf(unixTime(cal.since), cal.loc).AddDays(-1),
		clinic.Date{Y: 9999, M: 12, D: 31}); err != nil {
		return nil, err
	}
	return cal, nil
}

// closedAndDateHours reads the closures and the one-off hours (of the therapists; of all when
// ids is nil) between two dates.
func closedAndDateHours(ctx context.Context, db rowsQuerier, ids []int64, from, to clinic.Date) ([]clinic.Date, map[int64]map[clinic.Date][]clinic.Shift, error) {
	cs, err := closuresIn(ctx, db, from.String(), to.String())
	if err != nil {
		return nil, nil, err
	}
	closed := make([]clinic.Date, len(cs))
	for i, c := range cs {
		closed[i] = c.Date
	}
	if ids == nil {
		err = scanInto(ctx, db, func(r *sql.Rows) error {
			var id int64
			err := r.Scan(&id)
			ids = append(ids, id)
			return err
		}, `SELECT DISTINCT therapist_id FROM date_hours WHERE date >= ?`, from.String())
		if err != nil {
			return nil, nil, err
		}
	}
	dh, err := dateHoursIn(ctx, db, ids, from.String(), to.String())
	return closed, dh, err
}

// therapists is therapistCalendars without the bookings, from the cache: the hours are shared
// (the search only reads them), the rest is the search's own.
func (cal *calendarMeta) therapists(serviceID int64, ids []int64, from, to int64) []clinic.TherapistCalendar {
	out := make([]clinic.TherapistCalendar, len(ids))
	for i, id := range ids {
		t := &out[i]
		t.TherapistID = id
		if h := cal.hours[id]; h != nil {
			for wd, shifts := range h {
				t.Hours[wd] = shifts[:len(shifts):len(shifts)]
			}
		}
		if slices.Contains(cal.offers[id], serviceID) {
			t.Offers = []int64{serviceID}
		}
		t.DateHours = cal.dateHours[id] // shared: the search only reads it
		for _, iv := range cal.timeOff[id] {
			if iv.End.Unix() > from && iv.Start.Unix() < to {
				t.TimeOff = append(t.TimeOff, iv)
			}
		}
	}
	return out
}

// roomsBusy fills the rooms of q and their bookings in the range.
func (r *busyRead) roomsBusy(ctx context.Context, db rowsQuerier, q *clinic.SlotQuery, rooms []int64, rg [2]int64) error {
	if len(rooms) == 0 {
		return nil
	}
	busy, err := r.spans(ctx, db, true, rooms, rg[0], rg[1])
	if err != nil {
		return err
	}
	q.Rooms = make([]clinic.RoomCalendar, len(rooms))
	for i, id := range rooms {
		q.Rooms[i] = clinic.RoomCalendar{RoomID: id, Busy: busy[i]}
	}
	return nil
}

// WarmCalendar reads every active therapist's and room's bookings from today to the horizon
// into the free-time search's copy, so that the first searches after a start are answered as
// fast as later ones instead of each reading thousands of rows (docs/performance.md, "cold").
// The server runs it once in the background as it starts; a search that comes first simply
// reads for itself.
func (s *Store) WarmCalendar(ctx context.Context) error {
	therapists, err := s.Therapists(ctx)
	if err != nil || len(therapists) == 0 {
		return err
	}
	ids := make([]int64, len(therapists))
	for i, t := range therapists {
		ids[i] = t.ID
	}
	set, loc, err := s.settingsZone(ctx, s.r)
	if err != nil {
		return err
	}
	today := clinic.DateOf(s.now(), loc)
	from := time.Date(today.Y, today.M, today.D, 0, 0, 0, 0, loc)
	// Any service that needs a room reads the rooms too; no time is asked of it.
	_, err = s.SlotQuery(ctx, clinic.Service{Duration: 15 * time.Minute, NeedsRoom: true}, ids, from,
		from.Add(set.Horizon))
	return err
}

// bookingOpenFrom decides clinic.BookingOpen from the calendar copy's rooms, hours (active
// therapists only) and services offered, and the active services.
func bookingOpenFrom(ctx context.Context, db rowsQuerier, cal *calendarMeta) (bool, error) {
	f := clinic.ReadinessFacts{Rooms: len(cal.rooms)}
	err := scanInto(ctx, db, func(r *sql.Rows) error {
		var sf clinic.ServiceFact
		err := r.Scan(&sf.ID, &sf.NeedsRoom)
		f.Services = append(f.Services, sf)
		return err
	}, `SELECT id, needs_room FROM services WHERE active = 1`)
	for id := range cal.hours {
		f.Therapists = append(f.Therapists, clinic.TherapistFact{ID: id, Offers: cal.offers[id], HasHours: true})
	}
	return clinic.BookingOpen(f), err
}

// BookingOpen reports whether clients can book anything online yet (clinic.BookingOpen),
// from the free-time search's copy of the calendar: every booking page asks.
func (s *Store) BookingOpen(ctx context.Context) (bool, error) {
	c := &busyRead{b: s.busy, gen: s.busy.generation()}
	db := &lazyRead{db: s.r}
	defer db.close()
	cal, err := c.calendar(ctx, s, db)
	if err != nil {
		return false, translate(err)
	}
	return cal.open, nil
}
