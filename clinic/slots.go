package clinic

import (
	"cmp"
	"container/heap"
	"errors"
	"math"
	"slices"
	"time"
)

// Defaults for the zero values of SlotQuery.
const (
	DefaultMinNotice   = 12 * time.Hour
	DefaultHorizonDays = 90
	DefaultGrid        = 15 * time.Minute
	// NoNotice lets staff book up to the present moment.
	NoNotice time.Duration = -1
)

// Reasons a requested start cannot be booked. Each one is a sentence a
// client can act on; handlers map them to messages with errors.Is.
var (
	ErrUnknownTherapist  = errors.New("that therapist is not available for booking")
	ErrServiceNotOffered = errors.New("that therapist does not offer this service")
	ErrSlotInPast        = errors.New("that time has already passed")
	ErrSlotTooSoon       = errors.New("that time is too soon to book online")
	ErrSlotBeyondHorizon = errors.New("bookings are not open that far ahead yet")
	ErrClinicClosed      = errors.New("the clinic is closed that day")
	ErrSlotOutsideHours  = errors.New("that time does not fit in the therapist's working hours")
	ErrSlotOffGrid       = errors.New("appointments start on the booking grid only")
	ErrTimeOff           = errors.New("the therapist is away at that time")
	ErrSlotTaken         = errors.New("that time is no longer free")
	ErrNoRoom            = errors.New("no treatment room is free at that time")
	ErrClientBusy        = errors.New("another appointment for the same person is booked at that time")
	ErrBadQuery          = errors.New("the slot query is incomplete")
)

// SlotQuery asks for free times of one service.
type SlotQuery struct {
	// Location is the clinic's zone; working hours and the grid are read in
	// it. Nil means UTC.
	Location *time.Location
	Now      time.Time
	// From and To are inclusive civil dates in Location. CheckSlot ignores
	// them.
	From, To Date
	Service  Service
	// Therapists lists who may take the booking: one, or several for "any
	// therapist", in order of preference.
	Therapists []TherapistCalendar
	Rooms      []RoomCalendar
	// MinNotice is how far ahead of Now a start must be: zero means
	// DefaultMinNotice, NoNotice (any negative) means none.
	MinNotice time.Duration
	// HorizonDays is how many days after today bookings are open; zero or
	// less means DefaultHorizonDays.
	HorizonDays int
	// Grid is the spacing of starts in wall-clock time, counted from each
	// shift's start; zero means DefaultGrid.
	Grid time.Duration
	// Closed are the dates the whole clinic is closed (public holidays, say):
	// no therapist is offered on them, whatever their hours.
	Closed []Date
	// ClientBusy are the appointments, start to end, of the person the
	// booking is for: nobody is in two sessions at once. Empty for a visitor
	// not yet known. The therapist's buffer after a session is not the
	// client's, so a session may start as the client's last one ends.
	ClientBusy []Interval
}

// Slot is a bookable start. End-Start is exactly the service duration, in
// real time, on DST days too. RoomID is 0 when the service needs no room;
// otherwise it is the first free room in query order, a suggestion the
// booking transaction re-checks.
type Slot struct {
	Start, End  time.Time
	TherapistID int64
	RoomID      int64
}

// rules is a SlotQuery with its defaults applied and its instants reduced
// to Unix seconds, so the inner loops compare integers.
type rules struct {
	loc       *time.Location
	from, to  Date // clamped to today..horizon
	lastDay   Date // today + horizon
	now       time.Time
	earliest  int64     // first allowed start, rounded up to a second
	noticeEnd time.Time // the same, exact
	grid      int64
	dur       int64
	block     int64 // duration + buffer
	serviceID int64
	needsRoom bool
	rooms     []roomSweep // nil unless the service needs a room
	client    []span      // q.ClientBusy, sorted and joined
	days      []zoneDay   // from..to, filled by FreeTimes
	closed    map[Date]bool
}

func newRules(q SlotQuery) (rules, bool) {
	r := rules{loc: orUTC(q.Location), serviceID: q.Service.ID, needsRoom: q.Service.NeedsRoom,
		client: unionSpans(q.ClientBusy)}
	if len(q.Closed) > 0 {
		r.closed = make(map[Date]bool, len(q.Closed))
		for _, d := range q.Closed {
			r.closed[d] = true
		}
	}
	if r.needsRoom {
		r.rooms = make([]roomSweep, len(q.Rooms))
		for i, rc := range q.Rooms {
			r.rooms[i] = roomSweep{id: rc.RoomID, busy: unionSpans(rc.Busy)}
		}
	}
	r.dur = int64(q.Service.Duration / time.Second)
	r.block = r.dur + int64(q.Service.BufferAfter/time.Second)
	r.grid = int64(cmp.Or(q.Grid, DefaultGrid) / time.Second)
	notice := cmp.Or(q.MinNotice, DefaultMinNotice)
	r.now, r.noticeEnd = q.Now, q.Now.Add(max(notice, 0))
	r.earliest = ceilUnix(r.noticeEnd)
	today := DateOf(q.Now, r.loc)
	horizon := q.HorizonDays
	if horizon <= 0 {
		horizon = DefaultHorizonDays
	}
	r.lastDay = today.AddDays(horizon)
	r.from, r.to = q.From, q.To
	if r.from.Before(today) {
		r.from = today
	}
	if r.to.After(r.lastDay) {
		r.to = r.lastDay
	}
	return r, r.dur > 0 && r.grid > 0 && q.Service.BufferAfter >= 0
}

// ceilUnix rounds up so that a start is never earlier than the instant it
// is compared with.
func ceilUnix(t time.Time) int64 {
	if t.Nanosecond() > 0 {
		return t.Unix() + 1
	}
	return t.Unix()
}

// FreeTimes lists every bookable start of q.Service between q.From and
// q.To: one Slot per (start, therapist) pair, sorted by start and then by
// the therapist's position in q.Therapists. Use DistinctStarts to show one
// row per time for "any therapist".
//
// Starts lie on a grid of q.Grid steps of local wall-clock time from the
// start of each shift. Shift bounds that fall in a DST gap move to the end
// of the gap and repeated times take their first occurrence, so a shift
// covers a continuous stretch of real time: on the day clocks go forward
// the skipped wall times are absent, and on the day they go back the
// repeated hour is offered twice, as two distinct instants.
//
// The appointment and its buffer must fit in the shift, miss time off and
// busy intervals, and find a free room if the service needs one. Busy
// intervals need not be sorted; the work is a sweep over the grid starts
// and the busy intervals, with no nested scan.
func FreeTimes(q SlotQuery) []Slot {
	r, ok := newRules(q)
	if !ok || r.from.After(r.to) {
		return nil
	}
	r.days = zoneDays(r.loc, r.from, r.to)
	var out []Slot
	var starts []int64
	var runs []int
	for _, t := range q.Therapists {
		if t.offers(r.serviceID) {
			runs = append(runs, len(out))
			out, starts = r.therapistSlots(t, out, starts)
		}
	}
	if len(runs) > 1 {
		out = mergeRuns(out, runs)
	}
	return out
}

// runHeads is a heap of the next unmerged slot of each therapist's run,
// least start first and, at equal starts, the earlier therapist in the
// query first.
type runHeads struct {
	slots []Slot
	heads []runHead
}

type runHead struct {
	u      int64 // start of slots[i], in Unix seconds
	i, end int   // the run's next slot and its end in slots
}

func (h *runHeads) Len() int { return len(h.heads) }
func (h *runHeads) Less(a, b int) bool {
	x, y := h.heads[a], h.heads[b]
	return x.u < y.u || x.u == y.u && x.i < y.i
}
func (h *runHeads) Swap(a, b int) { h.heads[a], h.heads[b] = h.heads[b], h.heads[a] }
func (h *runHeads) Push(x any)    { h.heads = append(h.heads, x.(runHead)) }
func (h *runHeads) Pop() any {
	last := h.heads[len(h.heads)-1]
	h.heads = h.heads[:len(h.heads)-1]
	return last
}

// mergeRuns merges the therapists' runs of slots, each sorted by start and
// appended in query order (runs[k] is where run k starts), in O(S log k).
// Runs earlier in the query have lower indexes, so ties keep the caller's
// order of preference.
func mergeRuns(slots []Slot, runs []int) []Slot {
	h := &runHeads{slots: slots}
	for k, start := range runs {
		end := len(slots)
		if k+1 < len(runs) {
			end = runs[k+1]
		}
		if start < end {
			h.heads = append(h.heads, runHead{slots[start].Start.Unix(), start, end})
		}
	}
	heap.Init(h)
	out := make([]Slot, 0, len(slots))
	for h.Len() > 0 {
		top := &h.heads[0]
		out = append(out, slots[top.i])
		if top.i++; top.i < top.end {
			top.u = slots[top.i].Start.Unix()
			heap.Fix(h, 0)
		} else {
			heap.Pop(h)
		}
	}
	return out
}

// therapistSlots appends one therapist's free starts in increasing order.
// Every cursor below only moves forward, which is what keeps the search
// linear; the seen check guards that order even for overlapping shifts.
func (r *rules) therapistSlots(t TherapistCalendar, out []Slot, starts []int64) ([]Slot, []int64) {
	blocked := unionSpans(t.Busy, t.TimeOff)
	var week WeeklyHours
	for wd, shifts := range t.Hours {
		week[wd] = sortedShifts(shifts)
	}
	r.rewindRooms()
	cur, seen, cc := 0, int64(math.MinInt64), 0
	for _, day := range r.days {
		shifts, ok := t.DateHours[day.date]
		if !ok {
			shifts = week[day.wd]
		} else {
			shifts = sortedShifts(shifts)
		}
		if r.closed[day.date] {
			shifts = nil
		}
		for _, sh := range shifts {
			starts = r.shiftStarts(day, sh, starts[:0])
			for _, u := range starts {
				if u <= seen {
					continue
				}
				seen = u
				end := u + r.block
				for cur < len(blocked) && blocked[cur].e <= u {
					cur++
				}
				if cur < len(blocked) && blocked[cur].s < end {
					continue
				}
				for cc < len(r.client) && r.client[cc].e <= u {
					cc++
				}
				if cc < len(r.client) && r.client[cc].s < u+r.dur {
					continue
				}
				room, ok := r.freeRoom(u, end)
				if !ok {
					continue
				}
				out = append(out, Slot{
					Start:       time.Unix(u, 0).UTC(),
					End:         time.Unix(u+r.dur, 0).UTC(),
					TherapistID: t.TherapistID,
					RoomID:      room,
				})
			}
		}
	}
	return out, starts
}

// zoneDay is one date of the search with its zone facts worked out once
// for all therapists. On all but the two DST days a date keeps one offset
// from midnight to midnight, and wall time maps to instants by subtraction.
type zoneDay struct {
	date    Date
	wd      time.Weekday
	l0      int64 // local midnight, wall-clock seconds
	off     int64
	uniform bool
}

func zoneDays(loc *time.Location, from, to Date) []zoneDay {
	out := make([]zoneDay, 0, from.DaysUntil(to)+1)
	for d := from; !d.After(to); d = d.AddDays(1) {
		l0 := d.localSeconds()
		t := time.Unix(resolveWall(loc, l0), 0).In(loc)
		_, off := t.Zone()
		start, end := t.ZoneBounds()
		// Strict at the end: a zone period ending on the stroke of
		// midnight may be a fall-back that repeats the day's last hour.
		uniform := start.Unix() <= l0-int64(off) && (end.IsZero() || end.Unix() > l0+86400-int64(off))
		out = append(out, zoneDay{d, d.Weekday(), l0, int64(off), uniform})
	}
	return out
}

// shiftStarts appends the grid starts of one shift on a day whose booking
// fits before the shift ends and respects the notice. On a DST day the
// shift is walked one zone period at a time: inside a period the offset is
// fixed, so the grid is a plain arithmetic sequence of instants.
func (r *rules) shiftStarts(day zoneDay, sh Shift, buf []int64) []int64 {
	base := day.l0 + int64(sh.Start)*60
	if day.uniform {
		last := day.l0 + int64(sh.End)*60 - day.off - r.block
		first := max(base-day.off, r.earliest)
		for u := alignUp(first+day.off, base, r.grid) - day.off; u <= last; u += r.grid {
			buf = append(buf, u)
		}
		return buf
	}
	first := max(resolveWall(r.loc, base), r.earliest)
	last := resolveWall(r.loc, day.l0+int64(sh.End)*60) - r.block
	for seg := first; seg <= last; {
		t := time.Unix(seg, 0).In(r.loc)
		_, off := t.Zone()
		segEnd := int64(math.MaxInt64)
		if _, end := t.ZoneBounds(); !end.IsZero() {
			segEnd = end.Unix()
		}
		for u := alignUp(seg+int64(off), base, r.grid) - int64(off); u < segEnd && u <= last; u += r.grid {
			buf = append(buf, u)
		}
		seg = segEnd
	}
	return buf
}

// alignUp returns the first local time at or after l that is a whole
// number of grid steps from base.
func alignUp(l, base, grid int64) int64 {
	if rem := (l - base) % grid; rem > 0 {
		return l + grid - rem
	} else if rem < 0 {
		return l - rem
	}
	return l
}

func onGrid(l, base, grid int64) bool { return (l-base)%grid == 0 }

// roomSweep is one room's busy spans and its forward cursor.
type roomSweep struct {
	id   int64
	busy []span
	cur  int
}

// rewindRooms starts the room cursors again for the next therapist.
func (r *rules) rewindRooms() {
	for i := range r.rooms {
		r.rooms[i].cur = 0
	}
}

// freeRoom returns the first room free for [u, end); u must not decrease
// between calls on the same sweeps.
func (r *rules) freeRoom(u, end int64) (int64, bool) {
	if !r.needsRoom {
		return 0, true
	}
	for i := range r.rooms {
		rs := &r.rooms[i]
		for rs.cur < len(rs.busy) && rs.busy[rs.cur].e <= u {
			rs.cur++
		}
		if rs.cur == len(rs.busy) || rs.busy[rs.cur].s >= end {
			return rs.id, true
		}
	}
	return 0, false
}

// DistinctStarts keeps the first slot of each start time from a list
// sorted as FreeTimes returns it, which is the most preferred therapist
// free then: one row per time for "any therapist".
func DistinctStarts(slots []Slot) []Slot {
	var out []Slot
	for _, s := range slots {
		if n := len(out); n > 0 && out[n-1].Start.Equal(s.Start) {
			continue
		}
		out = append(out, s)
	}
	return out
}

// CheckSlot reports whether a booking of q.Service at start with the
// therapist is allowed, and if not, why. It accepts exactly the starts
// FreeTimes lists (ignoring q.From and q.To), so a booking transaction can
// re-check a start the client picked minutes ago.
func CheckSlot(q SlotQuery, start time.Time, therapistID int64) error {
	_, err := SlotAt(q, start, therapistID)
	return err
}

// SlotAt is CheckSlot that also returns the slot, with the room to use.
func SlotAt(q SlotQuery, start time.Time, therapistID int64) (Slot, error) {
	r, ok := newRules(q)
	if !ok {
		return Slot{}, ErrBadQuery
	}
	i := slices.IndexFunc(q.Therapists, func(t TherapistCalendar) bool { return t.TherapistID == therapistID })
	if i < 0 {
		return Slot{}, ErrUnknownTherapist
	}
	t := q.Therapists[i]
	if !t.offers(r.serviceID) {
		return Slot{}, ErrServiceNotOffered
	}
	if err := r.checkWhen(start); err != nil {
		return Slot{}, err
	}
	if err := r.checkHours(t, start); err != nil {
		return Slot{}, err
	}
	u := start.Unix()
	end := u + r.block
	switch {
	case overlapsAny(t.TimeOff, u, end):
		return Slot{}, ErrTimeOff
	case overlapsAny(t.Busy, u, end):
		return Slot{}, ErrSlotTaken
	}
	room, ok := r.freeRoom(u, end)
	if !ok {
		return Slot{}, ErrNoRoom
	}
	// Last: when the client's own other booking took this very time, "no longer free" is the
	// truer answer.
	if overlapsAny(q.ClientBusy, u, u+r.dur) {
		return Slot{}, ErrClientBusy
	}
	return Slot{time.Unix(u, 0).UTC(), time.Unix(u+r.dur, 0).UTC(), therapistID, room}, nil
}

// SlotAtAny books "any therapist": the first therapist in q.Therapists
// free at start. When none is, the error is the one that came closest to
// success, so a client hears "no longer free" rather than "not offered".
func SlotAtAny(q SlotQuery, start time.Time) (Slot, error) {
	best := ErrUnknownTherapist
	for _, t := range q.Therapists {
		s, err := SlotAt(q, start, t.TherapistID)
		if err == nil {
			return s, nil
		}
		if checkStage(err) > checkStage(best) {
			best = err
		}
	}
	return Slot{}, best
}

// checkStage ranks errors by how far SlotAt got before refusing.
func checkStage(err error) int {
	return slices.Index([]error{
		ErrUnknownTherapist, ErrServiceNotOffered, ErrSlotInPast, ErrSlotTooSoon,
		ErrSlotBeyondHorizon, ErrClinicClosed, ErrSlotOutsideHours, ErrSlotOffGrid, ErrTimeOff,
		ErrSlotTaken, ErrNoRoom, ErrClientBusy,
	}, err)
}

func (r *rules) checkWhen(start time.Time) error {
	switch {
	case start.Before(r.now):
		return ErrSlotInPast
	case start.Before(r.noticeEnd):
		return ErrSlotTooSoon
	case DateOf(start, r.loc).After(r.lastDay):
		return ErrSlotBeyondHorizon
	}
	return nil
}

// checkHours finds the shift holding start, on the day's own hours when it
// has them, and checks the grid and that the booking and its buffer end
// inside that shift. A day the clinic is closed has no shifts.
func (r *rules) checkHours(t TherapistCalendar, start time.Time) error {
	u := start.Unix()
	d := DateOf(start, r.loc)
	if r.closed[d] {
		return ErrClinicClosed
	}
	shifts, ok := t.DateHours[d]
	if !ok {
		shifts = t.Hours[d.Weekday()]
	}
	err := ErrSlotOutsideHours
	for _, sh := range shifts {
		base := d.localSeconds() + int64(sh.Start)*60
		end := resolveWall(r.loc, d.localSeconds()+int64(sh.End)*60)
		if u < resolveWall(r.loc, base) || u >= end {
			continue
		}
		switch {
		case start.Nanosecond() != 0 || !onGrid(u+offsetAt(r.loc, u), base, r.grid):
			err = ErrSlotOffGrid
		case u+r.block > end:
			err = ErrSlotOutsideHours
		default:
			return nil
		}
	}
	return err
}

func overlapsAny(ivs []Interval, u, end int64) bool {
	for _, iv := range ivs {
		if s, e := iv.Start.Unix(), ceilUnix(iv.End); s < e && s < end && e > u {
			return true
		}
	}
	return false
}
