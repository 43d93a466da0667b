package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"allium"
	"allium/clinic"
	"allium/internal/testkit"
)

// cacheClinic is a clinic with two therapists working 09:00-17:00 every day, one room, so a
// booking with one therapist takes the room from the other, and a service that needs the room.
type cacheClinic struct {
	s          *Store
	clock      *testClock
	loc        *time.Location
	a, b       int64 // therapists
	sv         clinic.Service
	alex, sam  int64 // clients
	from, to   time.Time
	tenAM      time.Time // Tuesday 1 December, 10:00 in Sydney
	elevenAM   time.Time
	onePM      time.Time
	afternoon  time.Time // 15:00 the same day
	nextMonday time.Time // Monday 7 December, 10:00
}

func newCacheClinic(t *testing.T) *cacheClinic {
	t.Helper()
	ctx := context.Background()
	s, clock := newTestStore(t)
	clock.Set(time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC))
	loc := testkit.Sydney()
	svID := mustService(t, s, clinic.Service{Key: "r60", Name: "Remedial", Duration: time.Hour,
		BufferAfter: 15 * time.Minute, NeedsRoom: true})
	mustRoom(t, s, "Room")
	c := &cacheClinic{s: s, clock: clock, loc: loc}
	for i, email := range []string{"a@x.test", "b@x.test"} {
		u := mustCreateUser(t, s, clinic.RoleTherapist, email, "")
		mustCalendar(t, s, u.ID, testkit.EveryDay(9, 17), loc, svID)
		if i == 0 {
			c.a = u.ID
		} else {
			c.b = u.ID
		}
	}
	sv, err := s.ServiceByID(ctx, svID)
	if err != nil {
		t.Fatal(err)
	}
	c.sv = sv.Service
	_, c.alex = mustCreateClient(t, s, "Alex", "alex@x.test")
	sam, err := s.AddClient(ctx, System, ClientDetails{Name: "Sam", Phone: "0400 000 000"}) // no account: it can be merged
	if err != nil {
		t.Fatal(err)
	}
	c.sam = sam.ID
	at := func(d, h int) time.Time { return time.Date(2026, 12, d, h, 0, 0, 0, loc) }
	c.from, c.to = at(1, 0), at(8, 0)
	c.tenAM, c.elevenAM, c.onePM, c.afternoon, c.nextMonday = at(1, 10), at(1, 11), at(1, 13), at(1, 15), at(7, 10)
	return c
}

// search is what the booking page shows: SlotQuery, served from the cache where it can be.
func (c *cacheClinic) search(t *testing.T, ids ...int64) []clinic.Slot {
	t.Helper()
	q, err := c.s.SlotQuery(context.Background(), c.sv, ids, c.from, c.to)
	if err != nil {
		t.Fatal(err)
	}
	return clinic.FreeTimes(q)
}

// searchRows is the same search with every booking read from the database, as a booking
// transaction reads them.
func (c *cacheClinic) searchRows(t *testing.T, ids ...int64) []clinic.Slot {
	t.Helper()
	var q clinic.SlotQuery
	err := c.s.read(context.Background(), func(tx *sql.Tx) error {
		var err error
		q, err = c.s.slotQueryAt(context.Background(), tx, c.sv, ids, []window{{c.from, c.to}})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return clinic.FreeTimes(q)
}

func listed(slots []clinic.Slot, therapist int64, start time.Time) bool {
	return slices.ContainsFunc(slots, func(s clinic.Slot) bool { return s.TherapistID == therapist && s.Start.Equal(start) })
}

func slotsText(slots []clinic.Slot) string {
	var b strings.Builder
	for _, s := range slots {
		fmt.Fprintf(&b, "%d@%s ", s.TherapistID, s.Start.UTC().Format(time.RFC3339))
	}
	return b.String()
}

func (c *cacheClinic) book(t *testing.T, client, therapist int64, starts ...time.Time) Booked {
	t.Helper()
	bk, err := c.s.BookCourse(context.Background(), System, BookingRequest{ClientID: client, ServiceID: c.sv.ID,
		TherapistID: therapist, Starts: starts, Consent: true})
	if err != nil {
		t.Fatalf("book %v: %v", starts, err)
	}
	return bk
}

// cachedDays counts the therapist-days and room-days the cache holds.
func cachedDays(s *Store) int {
	s.busy.mu.RLock()
	defer s.busy.mu.RUnlock()
	return len(s.busy.days)
}

// TestSearchSeesEveryChangeAtOnce makes each change a person can make to the calendar after a
// search has filled the cache, and checks that the very next search shows it, and shows exactly
// what a search of the rows themselves shows.
func TestSearchSeesEveryChangeAtOnce(t *testing.T) {
	c := newCacheClinic(t)
	ctx := context.Background()
	desk := Actor{Role: clinic.RoleReception}
	var first, moved Booked
	steps := []struct {
		name   string
		change func(t *testing.T)
		// free and taken: (therapist, start) pairs the search must and must not list
		free, taken [][2]any
	}{
		{"nothing booked", func(*testing.T) {},
			[][2]any{{c.a, c.tenAM}, {c.b, c.tenAM}, {c.a, c.afternoon}}, nil},
		{"a booking takes the therapist and the only room", func(t *testing.T) { first = c.book(t, c.alex, c.a, c.tenAM) },
			[][2]any{{c.a, c.afternoon}, {c.b, c.afternoon}}, [][2]any{{c.a, c.tenAM}, {c.b, c.tenAM}, {c.b, c.elevenAM}}},
		{"a cancellation frees them", func(t *testing.T) {
			if _, err := c.s.Cancel(ctx, System, first.Appointments[0].ID, "test"); err != nil {
				t.Fatal(err)
			}
		}, [][2]any{{c.a, c.tenAM}, {c.b, c.tenAM}}, nil},
		{"a move frees the old time and takes the new one", func(t *testing.T) {
			moved = c.book(t, c.alex, c.a, c.tenAM)
			if _, err := c.s.Reschedule(ctx, System, moved.Appointments[0].ID, c.afternoon); err != nil {
				t.Fatal(err)
			}
		}, [][2]any{{c.a, c.tenAM}, {c.b, c.tenAM}}, [][2]any{{c.a, c.afternoon}, {c.b, c.afternoon}}},
		{"a course takes every session", func(t *testing.T) { c.book(t, c.sam, c.b, c.onePM, c.nextMonday) },
			[][2]any{{c.a, c.tenAM}}, [][2]any{{c.b, c.onePM}, {c.a, c.onePM}, {c.a, c.nextMonday}, {c.b, c.nextMonday}}},
		{"a course that cannot be booked changes nothing", func(t *testing.T) {
			_, err := c.s.BookCourse(ctx, System, BookingRequest{ClientID: c.alex, ServiceID: c.sv.ID, TherapistID: c.a,
				Starts: []time.Time{c.tenAM, c.afternoon}, Consent: true})
			if err == nil {
				t.Fatal("booked a course onto a taken time")
			}
		}, [][2]any{{c.a, c.tenAM}, {c.b, c.tenAM}}, [][2]any{{c.a, c.afternoon}}},
		{"a no-show keeps the time taken", func(t *testing.T) {
			// Marked once the session has begun; the searches go on from the clinic's morning.
			before := c.clock.Now()
			c.clock.Set(c.afternoon.Add(10 * time.Minute))
			if _, err := c.s.SetStatus(ctx, desk, moved.Appointments[0].ID, "no_show"); err != nil {
				t.Fatal(err)
			}
			c.clock.Set(before)
		}, nil, [][2]any{{c.a, c.afternoon}, {c.b, c.afternoon}}},
		{"merging the clients keeps their bookings", func(t *testing.T) {
			if err := c.s.MergeClients(ctx, desk, c.alex, c.sam); err != nil {
				t.Fatal(err)
			}
		}, [][2]any{{c.a, c.tenAM}}, [][2]any{{c.a, c.afternoon}, {c.b, c.onePM}, {c.b, c.nextMonday}}},
		{"shorter hours end the day earlier", func(t *testing.T) {
			if _, err := c.s.SetHours(ctx, System, c.a, testkit.EveryDay(9, 13), c.loc); err != nil {
				t.Fatal(err)
			}
		}, [][2]any{{c.a, c.tenAM.Add(24 * time.Hour)}}, [][2]any{{c.a, c.tenAM.Add(26 * time.Hour)}}},
		{"time off takes the day away", func(t *testing.T) {
			if _, err := c.s.AddTimeOff(ctx, System, c.a, c.tenAM.Add(-2*time.Hour), c.tenAM.Add(10*time.Hour), "leave"); err != nil {
				t.Fatal(err)
			}
		}, [][2]any{{c.a, c.nextMonday.Add(-24 * time.Hour)}}, [][2]any{{c.a, c.tenAM}}},
		{"a second room lets both therapists work at once", func(t *testing.T) {
			if _, err := c.s.EnsureRoom(ctx, System, "Room 2"); err != nil {
				t.Fatal(err)
			}
		}, [][2]any{{c.b, c.afternoon}, {c.b, c.nextMonday.Add(-24 * time.Hour)}}, [][2]any{{c.a, c.afternoon}}},
		{"a therapist who stops offering the service has no times", func(t *testing.T) {
			if err := c.s.SetTherapistServices(ctx, System, c.b, nil); err != nil {
				t.Fatal(err)
			}
		}, [][2]any{{c.a, c.nextMonday.Add(-24 * time.Hour)}}, [][2]any{{c.b, c.tenAM.Add(24 * time.Hour)}}},
		{"a therapist who leaves has no times", func(t *testing.T) {
			if err := c.s.SetTherapistServices(ctx, System, c.b, []int64{c.sv.ID}); err != nil {
				t.Fatal(err)
			}
			if err := c.s.SetActive(ctx, owner, c.b, false); err != nil {
				t.Fatal(err)
			}
		}, [][2]any{{c.a, c.nextMonday.Add(-24 * time.Hour)}}, [][2]any{{c.b, c.tenAM.Add(24 * time.Hour)}}},
		{"a longer notice takes the first days away", func(t *testing.T) {
			set, err := c.s.Settings(ctx)
			if err != nil {
				t.Fatal(err)
			}
			set.MinNotice = 9 * 24 * time.Hour
			if err := c.s.SaveSettings(ctx, owner, set); err != nil {
				t.Fatal(err)
			}
		}, [][2]any{{c.a, c.nextMonday.Add(-24 * time.Hour)}}, [][2]any{{c.a, c.tenAM.Add(24 * time.Hour)}}},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			c.search(t, c.a, c.b) // the cache holds the week before the change
			if cachedDays(c.s) == 0 {
				t.Fatal("the search cached nothing, so this test would prove nothing")
			}
			st.change(t)
			got := c.search(t, c.a, c.b)
			for _, p := range st.free {
				if !listed(got, p[0].(int64), p[1].(time.Time)) {
					t.Errorf("therapist %d at %v: not listed; want listed", p[0], p[1])
				}
			}
			for _, p := range st.taken {
				if listed(got, p[0].(int64), p[1].(time.Time)) {
					t.Errorf("therapist %d at %v: listed; want taken", p[0], p[1])
				}
			}
			if got, want := slotsText(got), slotsText(c.searchRows(t, c.a, c.b)); got != want {
				t.Errorf("cached search differs from the rows:\n got %s\nwant %s", got, want)
			}
		})
	}
}

// TestSearchNeverKeepsWhatItReadBeforeACommit reads the bookings in a snapshot taken before a
// booking commits, as a search racing the booking would, and checks the cache does not keep
// them: the next search shows the booking.
func TestSearchNeverKeepsWhatItReadBeforeACommit(t *testing.T) {
	c := newCacheClinic(t)
	ctx := context.Background()
	r := &busyRead{b: c.s.busy, gen: c.s.busy.generation(), first: -1 << 40, last: 1 << 40}
	tx, err := c.s.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback() //nolint:errcheck // read only
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM appointments`).Scan(new(int)); err != nil {
		t.Fatal(err) // the snapshot starts here
	}
	c.book(t, c.alex, c.a, c.tenAM)
	lo, hi := unix(c.from)-43200, unix(c.to)
	stale, err := r.spans(ctx, tx, false, []int64{c.a}, lo, hi)
	if err != nil {
		t.Fatal(err)
	}
	if len(stale[0]) != 0 {
		t.Fatalf("the old snapshot shows %d bookings; want none, or this test proves nothing", len(stale[0]))
	}
	if n := cachedDays(c.s); n != 0 {
		t.Errorf("cache holds %d days read before the commit; want none", n)
	}
	if listed(c.search(t, c.a), c.a, c.tenAM) {
		t.Errorf("the search after the booking lists its time")
	}
}

// TestUnsettledDaysAreNotCached covers the moment between a commit's hook and its return, when
// a new reader may still see the rows as they were: the changed days are neither served nor
// stored until the writer settles the commit, and then they are.
func TestUnsettledDaysAreNotCached(t *testing.T) {
	b := newBusyCache()
	key := busyKey{false, 7, 20000}
	other := busyKey{true, 1, 20000}
	b.touched(7, 0, 20000*86400+3600)
	n := b.nextCommit()
	b.committing()
	r := &busyRead{b: b, gen: b.generation(), first: 0, last: 1 << 40}
	r.keep(map[busyKey][]busySpan{key: nil, other: nil})
	if _, ok := b.days[key]; ok {
		t.Errorf("an unsettled day was cached")
	}
	if _, ok := b.days[other]; !ok {
		t.Errorf("a day the commit did not change was not cached")
	}
	b.settle(n)
	r = &busyRead{b: b, gen: b.generation(), first: 0, last: 1 << 40}
	r.keep(map[busyKey][]busySpan{key: nil})
	if _, ok := b.days[key]; !ok {
		t.Errorf("the day was not cached once its commit settled")
	}
}

// TestLaterCommitStaysUnsettled: a writer settling its commit must not settle a later commit
// that is still on its way.
func TestLaterCommitStaysUnsettled(t *testing.T) {
	b := newBusyCache()
	b.touched(1, 0, 86400)
	mine := b.nextCommit()
	b.committing()
	b.touched(2, 0, 86400)
	b.committing() // another writer's commit, not yet returned
	b.settle(mine)
	if _, ok := b.unsettled[busyKey{false, 2, 1}]; !ok {
		t.Errorf("the later commit's day was settled by an earlier one")
	}
	if _, ok := b.unsettled[busyKey{false, 1, 1}]; ok {
		t.Errorf("the settled commit's day is still unsettled")
	}
}

// TestRolledBackChangesAreForgotten: a transaction that moved a booking and then failed
// leaves nothing for the cache to act on, and the search still shows the booking where it is.
func TestRolledBackChangesAreForgotten(t *testing.T) {
	c := newCacheClinic(t)
	bk := c.book(t, c.alex, c.a, c.afternoon)
	c.search(t, c.a)
	err := c.s.write(context.Background(), func(tx *sql.Tx) error {
		if _, err := tx.Exec(`UPDATE appointments SET starts_at = ?, ends_at = ?, busy_until = ? WHERE id = ?`,
			unix(c.tenAM), unix(c.tenAM.Add(time.Hour)), unix(c.tenAM.Add(75*time.Minute)), bk.Appointments[0].ID); err != nil {
			return err
		}
		return errors.New("something later in the transaction failed")
	})
	if err == nil {
		t.Fatal("the failing transaction reported success")
	}
	c.s.busy.mu.RLock()
	n := len(c.s.busy.pending) + len(c.s.busy.unsettled)
	c.s.busy.mu.RUnlock()
	if n != 0 {
		t.Errorf("after a rollback: %d days pending or unsettled; want 0", n)
	}
	got := c.search(t, c.a)
	if !listed(got, c.a, c.tenAM) || listed(got, c.a, c.afternoon) {
		t.Errorf("after a rolled-back move the search shows: %s", slotsText(got))
	}
}

// TestBulkLoadDropsTheCache: a transaction that changes more days than the cache lists drops
// everything, and the next search reads the rows.
func TestBulkLoadDropsTheCache(t *testing.T) {
	c := newCacheClinic(t)
	ctx := context.Background()
	c.search(t, c.a, c.b)
	c.s.busy.limit = 1
	err := c.s.Bulk(ctx, System, func(bl *BulkLoad) error {
		for _, st := range []time.Time{c.tenAM, c.nextMonday} {
			err := bl.AddAppointment(BulkAppointment{ClientID: c.alex, TherapistID: c.a, ServiceID: c.sv.ID, Start: st,
				End: st.Add(time.Hour), BusyUntil: st.Add(75 * time.Minute), Status: "booked", CreatedAt: st.AddDate(0, -1, 0)})
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n := cachedDays(c.s); n != 0 {
		t.Errorf("after a bulk load the cache holds %d days; want none", n)
	}
	got := c.search(t, c.a, c.b)
	if listed(got, c.a, c.tenAM) || listed(got, c.a, c.nextMonday) {
		t.Errorf("the search after a bulk load lists its bookings: %s", slotsText(got))
	}
	c.s.busy.limit = maxPending
	c.book(t, c.sam, c.b, c.afternoon) // the cache still follows bookings after a bulk load
	if listed(c.search(t, c.a, c.b), c.b, c.afternoon) {
		t.Errorf("a booking after a bulk load is not seen by the next search")
	}
}

// TestSearchesRacingBookingsEndExact books, moves and cancels from several goroutines while
// others search, then checks every cached day against the rows.
func TestSearchesRacingBookingsEndExact(t *testing.T) {
	c := newCacheClinic(t)
	ctx := context.Background()
	var wg sync.WaitGroup
	done := make(chan struct{})
	for range 3 {
		wg.Go(func() {
			for {
				select {
				case <-done:
					return
				default:
				}
				if _, err := c.s.SlotQuery(ctx, c.sv, []int64{c.a, c.b}, c.from, c.to); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	var writers sync.WaitGroup
	for w := range 2 {
		writers.Go(func() {
			rnd := rand.New(rand.NewPCG(uint64(w), 1))
			for range 40 {
				th := []int64{c.a, c.b}[rnd.IntN(2)]
				st := c.from.Add(time.Duration(rnd.IntN(7*24))*time.Hour + 10*time.Hour)
				bk, err := c.s.BookCourse(ctx, System, BookingRequest{ClientID: c.alex, ServiceID: c.sv.ID, TherapistID: th,
					Starts: []time.Time{st}, Consent: true})
				if err != nil {
					continue // taken, or outside the hours
				}
				switch rnd.IntN(3) {
				case 0:
					_, err = c.s.Cancel(ctx, System, bk.Appointments[0].ID, "test")
				case 1:
					_, err = c.s.Reschedule(ctx, System, bk.Appointments[0].ID, st.Add(time.Duration(rnd.IntN(4))*time.Hour))
				}
				_ = err // a move onto a taken time fails and changes nothing
			}
		})
	}
	writers.Wait()
	close(done)
	wg.Wait()
	if got, want := slotsText(c.search(t, c.a, c.b)), slotsText(c.searchRows(t, c.a, c.b)); got != want {
		t.Errorf("after the race the cached search differs from the rows:\n got %s\nwant %s", got, want)
	}
}

// After WarmCalendar the copy holds every therapist's and the room's bookings up to the
// horizon, so the first search after a start reads none of them, and it still shows exactly
// what the rows say.
func TestWarmCalendarFillsTheCopyUpToTheHorizon(t *testing.T) {
	c := newCacheClinic(t)
	c.book(t, c.alex, c.a, c.tenAM)
	if err := c.s.WarmCalendar(context.Background()); err != nil {
		t.Fatal(err)
	}
	c.s.busy.mu.RLock()
	therapist := c.s.busy.days[busyKey{id: c.a, day: unixDay(unix(c.tenAM))}]
	var rooms int
	for k, ivs := range c.s.busy.days {
		if k.room && len(ivs) > 0 {
			rooms++
		}
	}
	lastDay := unixDay(unix(c.s.now())) + int64(clinic.DefaultHorizonDays) - 1
	_, heldLast := c.s.busy.days[busyKey{id: c.b, day: lastDay}]
	c.s.busy.mu.RUnlock()
	if len(therapist) != 1 || therapist[0].start != unix(c.tenAM) {
		t.Errorf("therapist's day in the copy = %v; want the 10:00 booking", therapist)
	}
	if rooms != 1 {
		t.Errorf("room days with bookings in the copy = %d; want 1", rooms)
	}
	if !heldLast {
		t.Errorf("the copy does not reach the horizon (day %d)", lastDay)
	}
	if got, want := c.search(t, c.a, c.b), c.searchRows(t, c.a, c.b); !slices.Equal(got, want) {
		t.Errorf("search after warming = %d times; the rows give %d", len(got), len(want))
	}
}

// The cache reads each therapist's and room's bookings as JSON arrays from SQLite, a day's
// array after another. They are read exactly, and anything else is an error rather than a
// wrong calendar.
func TestBusyArraysAreReadExactly(t *testing.T) {
	for _, tt := range []struct {
		in      string
		want    []int64
		wantErr bool
	}{
		{"[]", nil, false},
		{"[7]", []int64{7}, false},
		{"[1795664816,1795668416,-3]", []int64{1795664816, 1795668416, -3}, false},
		{"", nil, true},
		{"[1,,2]", nil, true},
		{"[1.5]", nil, true},
		{`["1"]`, nil, true},
		{"[12345678901234567890]", nil, true}, // past int64: refused, not wrapped
		{"[1,2][][3]", []int64{1, 2, 3}, false},
		{"[1,2]3", nil, true},
		{"[1,2", nil, true},
		{"[1,2][", nil, true},
		{"[1,2],[3]", nil, true},
		{"[]]", nil, true},
	} {
		got, err := appendJSONInts(nil, tt.in)
		if (err != nil) != tt.wantErr || (!tt.wantErr && !slices.Equal(got, tt.want)) {
			t.Errorf("appendJSONInts(%q) = %v, %v; want %v (error %v)", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
}

// SQL does not promise the order of an aggregate's rows: bookings that come out of order are
// still filed under their days in start order, and days not asked for are left out.
func TestBusyDaysAreFiledInOrder(t *testing.T) {
	const day = 20000 * 86400
	read := map[busyKey][]busySpan{{id: 3, day: 20000}: nil, {id: 3, day: 20001}: nil}
	starts := []int64{day + 86400 + 600, day + 7200, day + 3600, day + 2*86400, day + 86400}
	ends := []int64{day + 86400 + 900, day + 9000, day + 5400, day + 2*86400 + 60, day + 86400 + 300}
	addBusyDays(read, busyKey{id: 3}, starts, ends)
	want := map[busyKey][]busySpan{
		{id: 3, day: 20000}: {{day + 3600, day + 5400}, {day + 7200, day + 9000}},
		{id: 3, day: 20001}: {{day + 86400, day + 86400 + 300}, {day + 86400 + 600, day + 86400 + 900}},
	}
	if !maps.EqualFunc(read, want, slices.Equal) {
		t.Errorf("filed = %v; want %v", read, want)
	}
}

// TestBusyDaysFollowEveryChange makes random changes to bookings straight in SQL, as any
// program with the file could (new bookings, cancellations and restores, moves to another day,
// therapist or room, a room taken away, deletions), and checks after each that the schema's
// digest of the days (busy_days) says exactly what the bookings say.
func TestBusyDaysFollowEveryChange(t *testing.T) {
	c := newCacheClinic(t)
	ctx := context.Background()
	room2, err := c.s.EnsureRoom(ctx, System, "Room 2")
	if err != nil {
		t.Fatal(err)
	}
	var room1 int64
	if err := c.s.r.QueryRow(`SELECT id FROM rooms WHERE id <> ?`, room2).Scan(&room1); err != nil {
		t.Fatal(err)
	}
	rooms := []any{nil, room1, room2}
	therapists := []int64{c.a, c.b}
	rnd := rand.New(rand.NewPCG(11, 0))
	// A start on one of three days, at any quarter hour, so that bookings meet at midnight UTC too.
	start := func() int64 { return unix(c.tenAM) + int64(rnd.IntN(3*96)-48)*900 }
	var ids []int64
	changes := map[string]int{}
	for i := 0; i < 400; i++ {
		var query string
		var args []any
		switch op := rnd.IntN(7); {
		case op <= 1 || len(ids) == 0:
			st := start()
			query, args = `INSERT INTO appointments (client_id, therapist_id, service_id, room_id, starts_at, ends_at,
				busy_until, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, 0, 0) RETURNING id`,
				[]any{c.alex, therapists[rnd.IntN(2)], c.sv.ID, rooms[rnd.IntN(3)], st, st + 3600, st + 4500}
		case op == 2:
			query, args = `UPDATE appointments SET status = CASE status WHEN 'cancelled' THEN 'booked' ELSE 'cancelled' END
				WHERE id = ? RETURNING id`, []any{ids[rnd.IntN(len(ids))]}
		case op == 3:
			st := start()
			query, args = `UPDATE appointments SET starts_at = ?, ends_at = ?, busy_until = ? WHERE id = ? RETURNING id`,
				[]any{st, st + 3600, st + 4500, ids[rnd.IntN(len(ids))]}
		case op == 4:
			query, args = `UPDATE appointments SET therapist_id = ? WHERE id = ? RETURNING id`,
				[]any{therapists[rnd.IntN(2)], ids[rnd.IntN(len(ids))]}
		case op == 5:
			query, args = `UPDATE appointments SET room_id = ? WHERE id = ? RETURNING id`,
				[]any{rooms[rnd.IntN(3)], ids[rnd.IntN(len(ids))]}
		default:
			query, args = `DELETE FROM appointments WHERE id = ? RETURNING id`, []any{ids[rnd.IntN(len(ids))]}
		}
		var id int64
		err := c.s.write(ctx, func(tx *sql.Tx) error { return tx.QueryRow(query, args...).Scan(&id) })
		switch {
		case err != nil && strings.Contains(err.Error(), "overlaps"):
			changes["refused: overlap"]++
			continue
		case err != nil:
			t.Fatalf("%s %v: %v", query, args, err)
		}
		changes[strings.Fields(query)[0]]++
		if strings.HasPrefix(query, "INSERT") {
			ids = append(ids, id)
		}
		if strings.HasPrefix(query, "DELETE") {
			ids = slices.DeleteFunc(ids, func(x int64) bool { return x == id })
		}
		if got, want := busyDaysDigest(t, c.s), busyDaysFromBookings(t, c.s); !maps.EqualFunc(got, want, slices.Equal) {
			t.Fatalf("after %s %v:\nbusy_days = %v\nbookings  = %v", query, args, got, want)
		}
	}
	for _, op := range []string{"INSERT", "UPDATE", "DELETE", "refused: overlap"} {
		if changes[op] < 20 {
			t.Errorf("only %d of %s among the changes %v: the test no longer covers it", changes[op], op, changes)
		}
	}
}

// busyDaysDigest is busy_days as stored, leaving out days with no bookings left.
func busyDaysDigest(t *testing.T, s *Store) map[busyKey][]busySpan {
	t.Helper()
	out := map[busyKey][]busySpan{}
	var room bool
	var id, day int64
	var starts, ends string
	err := scanInto(context.Background(), s.r, func(r *sql.Rows) error {
		if err := r.Scan(&room, &id, &day, &starts, &ends); err != nil {
			return err
		}
		st, err := appendJSONInts(nil, starts)
		if err != nil {
			return err
		}
		en, err := appendJSONInts(nil, ends)
		if err != nil || len(st) == 0 {
			return err
		}
		k := busyKey{room, id, day}
		read := map[busyKey][]busySpan{k: nil}
		addBusyDays(read, k, st, en)
		out[k] = read[k]
		return nil
	}, `SELECT room, owner_id, day, starts, ends FROM busy_days`)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// busyDaysFromBookings is what busy_days should hold, worked out from the bookings.
func busyDaysFromBookings(t *testing.T, s *Store) map[busyKey][]busySpan {
	t.Helper()
	out := map[busyKey][]busySpan{}
	var therapist, st, en int64
	var room sql.NullInt64
	err := scanInto(context.Background(), s.r, func(r *sql.Rows) error {
		if err := r.Scan(&therapist, &room, &st, &en); err != nil {
			return err
		}
		k := busyKey{false, therapist, unixDay(st)}
		out[k] = append(out[k], busySpan{st, en})
		if room.Valid {
			k = busyKey{true, room.Int64, unixDay(st)}
			out[k] = append(out[k], busySpan{st, en})
		}
		return nil
	}, `SELECT therapist_id, room_id, starts_at, busy_until FROM appointments WHERE status <> 'cancelled' ORDER BY starts_at`)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestBusyDaysAreBuiltForAnExistingClinic opens a clinic whose bookings were made before
// busy_days existed: migration 0011 writes the digest of every day from the bookings (and
// 0016 the clients report's summaries).
func TestBusyDaysAreBuiltForAnExistingClinic(t *testing.T) {
	c := newCacheClinic(t)
	c.book(t, c.alex, c.a, c.tenAM, c.nextMonday)
	c.book(t, c.sam, c.b, c.onePM)
	cancelled := c.book(t, c.sam, c.b, c.afternoon)
	if _, err := c.s.Cancel(context.Background(), System, cancelled.Appointments[0].ID, "test"); err != nil {
		t.Fatal(err)
	}
	want := busyDaysFromBookings(t, c.s)
	if len(want) != 6 { // two therapists' and the room's days: 1 and 7 December for a, 1 December for b
		t.Fatalf("bookings give %d days: %v; want 6", len(want), want)
	}
	var path string
	if err := c.s.w.QueryRow(`SELECT file FROM pragma_database_list WHERE name = 'main'`).Scan(&path); err != nil {
		t.Fatal(err)
	}
	// Back to the schema before 0011, bookings kept (and without what later migrations add). 0013
	// replaces five append-only triggers; dropping them lets the column they read go.
	for _, q := range []string{`DROP TRIGGER client_visits_insert`, `DROP TRIGGER client_visits_delete`,
		`DROP TRIGGER client_visits_update`, `DROP TABLE client_visits`, `DROP TRIGGER course_next_insert`,
		`DROP TRIGGER course_next_delete`, `DROP TRIGGER course_next_update`, `DROP TRIGGER course_next_course_client`,
		`DROP TABLE course_next`, `DROP TRIGGER assessment_bookings_appt_insert`,
		`DROP TRIGGER assessment_bookings_appt_delete`, `DROP TRIGGER assessment_bookings_appt_update`,
		`DROP TRIGGER assessment_bookings_insert`, `DROP TRIGGER assessment_bookings_update`,
		`DROP TRIGGER assessment_bookings_delete`, `DROP TABLE assessment_bookings`, `DROP TRIGGER report_days_insert`,
		`DROP TRIGGER report_days_delete`, `DROP TRIGGER report_days_update`, `DROP TABLE report_days`, `DROP TABLE report_zone`, `DROP INDEX treatment_plans_recall`, `DROP TABLE recall_marks`, `DROP INDEX appointments_course_start`,
		`DROP INDEX findings_supersedes`, `ALTER TABLE findings DROP COLUMN supersedes_id`, `ALTER TABLE appointments DROP COLUMN status_at`,
		`DROP TABLE prepaid_sessions`, `DROP TABLE course_packages`, `ALTER TABLE services DROP COLUMN package_discount_percent`,
		`DROP TABLE revenue_months`, `DROP TABLE client_balances`, `DROP TABLE payments`,
		`DROP TABLE invoices`, `ALTER TABLE appointments DROP COLUMN price_cents`, `ALTER TABLE clients DROP COLUMN receipts_opt_out`,
		`ALTER TABLE services DROP COLUMN kind`, `ALTER TABLE services DROP COLUMN course_spacing_days`,
		`DROP TABLE therapist_profiles`, `DROP TABLE closures`, `DROP TABLE date_hours`,
		`DROP TABLE retention_reviews`, `DROP TRIGGER findings_no_update`,
		`DROP TRIGGER session_notes_signed_no_update`, `DROP TRIGGER note_treatments_signed_no_update`,
		`DROP TRIGGER note_addenda_no_update`, `DROP TRIGGER reassessments_no_update`,
		`ALTER TABLE clients DROP COLUMN deidentified_at`, `ALTER TABLE outbox DROP COLUMN request_id`,
		`DROP TRIGGER busy_days_insert`, `DROP TRIGGER busy_days_delete`,
		`DROP TRIGGER busy_days_update`, `DROP TABLE busy_days`,
		`DROP TABLE hold_sessions`, `DROP TABLE booking_holds`, `DROP TABLE rate_events`, `DROP TABLE safety_blocks`,
		`DROP TABLE recovery_codes`, `ALTER TABLE users DROP COLUMN totp_secret`, `ALTER TABLE users DROP COLUMN totp_step`,
		`DROP TRIGGER report_summaries_insert`, `DROP TRIGGER report_summaries_delete`,
		`DROP TRIGGER report_summaries_update_client`, `DROP TRIGGER report_summaries_update_course`,
		`DROP TABLE client_first_visit`, `DROP TABLE course_ends`,
		`DROP INDEX reassessments_created`, `DROP INDEX assessments_submitted`,
		`PRAGMA user_version = 10`} {
		if _, err := c.s.w.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	c.s.Close()
	s := openTestStore(t, path, allium.Schema)
	if got := busyDaysDigest(t, s); !maps.EqualFunc(got, want, slices.Equal) {
		t.Errorf("busy_days after the migration = %v; want %v", got, want)
	}
	// Migration 0016 builds the clients report's summaries the same way.
	if got, want := reportSummaries(t, s, false), reportSummaries(t, s, true); len(got) == 0 || !maps.Equal(got, want) {
		t.Errorf("report summaries after the migration = %v; want %v", got, want)
	}
}

// TestMoveQueryFreesTheAppointmentsOwnTime: moving a booking half an hour earlier in a clinic with
// one room must be offered. The booking's own time is free for its therapist and for its room,
// from the cache and from the rows alike, and nothing else is: not the booking that follows it
// in the room, which the cache joins with it into one busy stretch.
func TestMoveQueryFreesTheAppointmentsOwnTime(t *testing.T) {
	c := newCacheClinic(t)
	ctx := context.Background()
	bk := c.book(t, c.alex, c.a, c.tenAM)
	c.book(t, c.sam, c.b, c.tenAM.Add(75*time.Minute)) // 11:15, as the 10:00 and its buffer end, in the one room
	ap, err := c.s.AppointmentByID(ctx, System, bk.Appointments[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	earlier := c.tenAM.Add(-30 * time.Minute)
	for _, tt := range []struct {
		name string
		from time.Time // the cache holds from yesterday on; a search from before reads the rows
	}{{"from the cache", c.from}, {"from the rows", c.s.now().AddDate(0, 0, -5)}} {
		t.Run(tt.name, func(t *testing.T) {
			q, err := c.s.MoveQuery(ctx, ap, c.sv, tt.from, c.to)
			if err != nil {
				t.Fatal(err)
			}
			slots := clinic.FreeTimes(q)
			if !listed(slots, c.a, earlier) {
				t.Errorf("9:30 not offered for the move: %s", slotsText(slots))
			}
			if listed(slots, c.a, c.tenAM.Add(90*time.Minute)) {
				t.Errorf("11:30 offered though the room is taken from 11:15: %s", slotsText(slots))
			}
			q, err = c.s.SlotQuery(ctx, c.sv, []int64{c.a}, tt.from, c.to)
			if err != nil {
				t.Fatal(err)
			}
			if slots := clinic.FreeTimes(q); listed(slots, c.a, earlier) {
				t.Errorf("9:30 offered to a new booking while the 10:00 holds therapist and room: %s", slotsText(slots))
			}
		})
	}
}
