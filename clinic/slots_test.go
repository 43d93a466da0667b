package clinic

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// 2027-03-01 is a Monday on daylight time in Sydney.
var monday = Date{2027, time.March, 1}

func weekdays(shifts ...Shift) WeeklyHours {
	var h WeeklyHours
	for wd := time.Monday; wd <= time.Friday; wd++ {
		h[wd] = shifts
	}
	return h
}

// splitDay is a working day with a lunch break.
var splitDay = []Shift{{Clock(9, 0), Clock(12, 30)}, {Clock(13, 30), Clock(18, 0)}}

// at reads "2027-03-01 09:00" as Sydney wall-clock time; only for times
// that happen exactly once.
func at(tb testing.TB, s string) time.Time {
	tb.Helper()
	t, err := time.ParseInLocation("2006-01-02 15:04", s, sydney(tb))
	if err != nil {
		tb.Fatalf("parse %q: %v", s, err)
	}
	return t
}

func iv(tb testing.TB, from, to string) Interval {
	return Interval{at(tb, from), at(tb, to)}
}

// mondayQuery asks for a 60-minute massage on monday with one therapist,
// booked well ahead.
func mondayQuery(tb testing.TB) SlotQuery {
	return SlotQuery{
		Location: sydney(tb),
		Now:      at(tb, "2027-02-26 09:00"),
		From:     monday,
		To:       monday,
		Service:  Service{ID: 1, Key: "remedial60", Duration: time.Hour},
		Therapists: []TherapistCalendar{
			{TherapistID: 1, Hours: weekdays(splitDay...), Offers: []int64{1, 2}},
		},
	}
}

// clocks lists wall-clock times from..to inclusive in 15-minute steps.
func clocks(from, to string) []string {
	f, _ := ParseClock(from)
	t, _ := ParseClock(to)
	var out []string
	for c := f; c <= t; c += 15 {
		out = append(out, c.String())
	}
	return out
}

// zoned is clocks with a zone abbreviation, to tell repeated times apart.
func zoned(from, to, zone string) []string {
	out := clocks(from, to)
	for i := range out {
		out[i] += " " + zone
	}
	return out
}

// show renders slots as a person reads them, with therapist and room when
// present.
func show(slots []Slot, loc *time.Location, layout string) []string {
	var out []string
	for _, s := range slots {
		line := s.Start.In(loc).Format(layout)
		if s.TherapistID != 1 {
			line += fmt.Sprintf(" t%d", s.TherapistID)
		}
		if s.RoomID != 0 {
			line += fmt.Sprintf(" r%d", s.RoomID)
		}
		out = append(out, line)
	}
	return out
}

func TestFreeTimes(t *testing.T) {
	tests := []struct {
		name string
		mod  func(q *SlotQuery)
		want []string
	}{
		{"split shift skips lunch", nil, slices.Concat(clocks("09:00", "11:30"), clocks("13:30", "17:00"))},
		{"buffer must fit before the break", func(q *SlotQuery) {
			q.Service.BufferAfter = 15 * time.Minute
		}, slices.Concat(clocks("09:00", "11:15"), clocks("13:30", "16:45"))},
		{"busy appointment with its buffer", func(q *SlotQuery) {
			q.Therapists[0].Busy = []Interval{iv(t, "2027-03-01 10:00", "2027-03-01 11:15")}
		}, slices.Concat([]string{"09:00"}, clocks("11:15", "11:30"), clocks("13:30", "17:00"))},
		{"own buffer may not run into the next booking", func(q *SlotQuery) {
			q.Service.BufferAfter = 15 * time.Minute
			q.Therapists[0].Busy = []Interval{iv(t, "2027-03-01 10:00", "2027-03-01 11:15")}
		}, slices.Concat([]string{"11:15"}, clocks("13:30", "16:45"))},
		{"back to back is free", func(q *SlotQuery) {
			q.Therapists[0].Busy = []Interval{iv(t, "2027-03-01 10:00", "2027-03-01 11:00")}
		}, slices.Concat([]string{"09:00"}, clocks("11:00", "11:30"), clocks("13:30", "17:00"))},
		{"busy unsorted and overlapping", func(q *SlotQuery) {
			q.Therapists[0].Busy = []Interval{
				iv(t, "2027-03-01 10:30", "2027-03-01 11:00"),
				iv(t, "2027-03-01 09:30", "2027-03-01 10:15"),
				iv(t, "2027-03-01 10:00", "2027-03-01 10:45"),
				iv(t, "2027-03-01 14:00", "2027-03-01 14:00"), // empty: blocks nothing
			}
		}, slices.Concat(clocks("11:00", "11:30"), clocks("13:30", "17:00"))},
		{"time off for the afternoon", func(q *SlotQuery) {
			q.Therapists[0].TimeOff = []Interval{iv(t, "2027-03-01 13:00", "2027-03-01 18:00")}
		}, clocks("09:00", "11:30")},
		{"day off", func(q *SlotQuery) {
			q.Therapists[0].Hours[time.Monday] = nil
		}, nil},
		{"service not offered", func(q *SlotQuery) {
			q.Therapists[0].Offers = []int64{2}
		}, nil},
		{"12 hours notice cuts the morning", func(q *SlotQuery) {
			q.Now = at(t, "2027-02-28 22:10")
		}, slices.Concat(clocks("10:15", "11:30"), clocks("13:30", "17:00"))},
		{"staff booking without notice", func(q *SlotQuery) {
			q.Now, q.MinNotice = at(t, "2027-03-01 14:05"), NoNotice
		}, clocks("14:15", "17:00")},
		{"day already past", func(q *SlotQuery) {
			q.Now = at(t, "2027-03-02 08:00")
		}, nil},
		{"30 minute grid counts from each shift start", func(q *SlotQuery) {
			q.Grid = 30 * time.Minute
			q.Therapists[0].Hours = weekdays(Shift{Clock(9, 10), Clock(12, 0)}, Shift{Clock(13, 0), Clock(15, 0)})
		}, []string{"09:10", "09:40", "10:10", "10:40", "13:00", "13:30", "14:00"}},
		{"shifts given out of order", func(q *SlotQuery) {
			q.Therapists[0].Hours = weekdays(splitDay[1], splitDay[0])
		}, slices.Concat(clocks("09:00", "11:30"), clocks("13:30", "17:00"))},
		{"room needed and none listed", func(q *SlotQuery) {
			q.Service.NeedsRoom = true
		}, nil},
		{"zero duration is not a service", func(q *SlotQuery) {
			q.Service.Duration = 0
		}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := mondayQuery(t)
			if tt.mod != nil {
				tt.mod(&q)
			}
			got := show(FreeTimes(q), q.Location, "15:04")
			if !slices.Equal(got, tt.want) {
				t.Errorf("got %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestFreeTimesRooms(t *testing.T) {
	q := mondayQuery(t)
	q.Service.NeedsRoom = true
	q.Service.BufferAfter = 15 * time.Minute
	q.Therapists[0].Hours = weekdays(Shift{Clock(9, 0), Clock(13, 0)})
	q.Rooms = []RoomCalendar{
		{RoomID: 1, Busy: []Interval{iv(t, "2027-03-01 09:00", "2027-03-01 10:00")}},
		{RoomID: 2, Busy: []Interval{iv(t, "2027-03-01 10:30", "2027-03-01 12:00")}},
	}
	// Room 1 is free from 10:00, room 2 until 10:30. The buffer holds the
	// room too: 09:30 would end at 10:30 but its cleanup would not.
	want := []string{"09:00 r2", "09:15 r2", "10:00 r1", "10:15 r1", "10:30 r1", "10:45 r1", "11:00 r1", "11:15 r1", "11:30 r1", "11:45 r1"}
	if got := show(FreeTimes(q), q.Location, "15:04"); !slices.Equal(got, want) {
		t.Errorf("got %q\nwant %q", got, want)
	}
}

func TestFreeTimesHorizon(t *testing.T) {
	tests := []struct {
		name    string
		horizon int
		want    Date
	}{
		{"one week", 7, Date{2027, time.March, 8}},
		{"default 90 days", 0, Date{2027, time.May, 30}},
	}
	for _, tt := range tests {
		q := mondayQuery(t)
		q.Now = at(t, "2027-03-01 08:00")
		q.To = Date{2027, time.December, 31}
		for wd := range q.Therapists[0].Hours {
			q.Therapists[0].Hours[wd] = splitDay
		}
		q.HorizonDays = tt.horizon
		slots := FreeTimes(q)
		if len(slots) == 0 {
			t.Fatalf("%s: no slots", tt.name)
		}
		if got := DateOf(slots[len(slots)-1].Start, q.Location); got != tt.want {
			t.Errorf("%s: last bookable day %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestFreeTimesAnyTherapist(t *testing.T) {
	q := mondayQuery(t)
	morning := weekdays(Shift{Clock(9, 0), Clock(12, 0)})
	// Therapist 2 is listed first: the clinic prefers them at a tie.
	q.Therapists = []TherapistCalendar{
		{TherapistID: 2, Hours: morning, Offers: []int64{1}, Busy: []Interval{iv(t, "2027-03-01 09:00", "2027-03-01 10:00")}},
		{TherapistID: 1, Hours: morning, Offers: []int64{1}, Busy: []Interval{iv(t, "2027-03-01 10:00", "2027-03-01 11:00")}},
		{TherapistID: 3, Hours: morning, Offers: []int64{7}},
	}
	all := show(FreeTimes(q), q.Location, "15:04")
	wantAll := []string{"09:00", "10:00 t2", "10:15 t2", "10:30 t2", "10:45 t2", "11:00 t2", "11:00"}
	if !slices.Equal(all, wantAll) {
		t.Errorf("all pairs: got %q\nwant %q", all, wantAll)
	}
	distinct := show(DistinctStarts(FreeTimes(q)), q.Location, "15:04")
	wantDistinct := []string{"09:00", "10:00 t2", "10:15 t2", "10:30 t2", "10:45 t2", "11:00 t2"}
	if !slices.Equal(distinct, wantDistinct) {
		t.Errorf("distinct: got %q\nwant %q", distinct, wantDistinct)
	}

	anyTests := []struct {
		start   string
		wantID  int64
		wantErr error
	}{
		{"2027-03-01 09:00", 1, nil},
		{"2027-03-01 11:00", 2, nil},
		{"2027-03-01 09:15", 0, ErrSlotTaken},
		{"2027-03-01 09:05", 0, ErrSlotOffGrid},
		{"2027-03-01 14:00", 0, ErrSlotOutsideHours},
	}
	for _, tt := range anyTests {
		s, err := SlotAtAny(q, at(t, tt.start))
		if !errors.Is(err, tt.wantErr) || s.TherapistID != tt.wantID {
			t.Errorf("SlotAtAny(%s) = therapist %d, %v; want %d, %v", tt.start, s.TherapistID, err, tt.wantID, tt.wantErr)
		}
	}
}

func TestCheckSlot(t *testing.T) {
	tests := []struct {
		name      string
		mod       func(q *SlotQuery)
		start     string
		therapist int64
		want      error
	}{
		{"free", nil, "2027-03-01 09:00", 1, nil},
		{"last start before lunch", nil, "2027-03-01 11:30", 1, nil},
		{"off grid", nil, "2027-03-01 09:05", 1, ErrSlotOffGrid},
		{"before opening", nil, "2027-03-01 08:00", 1, ErrSlotOutsideHours},
		{"in the lunch break", nil, "2027-03-01 12:45", 1, ErrSlotOutsideHours},
		{"runs into lunch", nil, "2027-03-01 12:00", 1, ErrSlotOutsideHours},
		{"runs past closing", nil, "2027-03-01 17:30", 1, ErrSlotOutsideHours},
		{"weekend", nil, "2027-03-06 10:00", 1, ErrSlotOutsideHours},
		{"taken", func(q *SlotQuery) {
			q.Therapists[0].Busy = []Interval{iv(t, "2027-03-01 10:00", "2027-03-01 11:00")}
		}, "2027-03-01 10:30", 1, ErrSlotTaken},
		{"inside an earlier booking's buffer", func(q *SlotQuery) {
			q.Service.BufferAfter = 15 * time.Minute
			q.Therapists[0].Busy = []Interval{q.Service.Blocks(at(t, "2027-03-01 09:00"))}
		}, "2027-03-01 10:00", 1, ErrSlotTaken},
		{"time off", func(q *SlotQuery) {
			q.Therapists[0].TimeOff = []Interval{iv(t, "2027-03-01 13:00", "2027-03-01 18:00")}
		}, "2027-03-01 14:00", 1, ErrTimeOff},
		{"in the past", func(q *SlotQuery) { q.Now = at(t, "2027-03-01 12:00") }, "2027-03-01 09:00", 1, ErrSlotInPast},
		{"inside the notice", func(q *SlotQuery) { q.Now = at(t, "2027-03-01 00:00") }, "2027-03-01 09:00", 1, ErrSlotTooSoon},
		{"exactly at the notice", func(q *SlotQuery) { q.Now = at(t, "2027-02-28 21:00") }, "2027-03-01 09:00", 1, nil},
		{"beyond the horizon", func(q *SlotQuery) { q.Now = at(t, "2026-11-01 09:00") }, "2027-03-01 09:00", 1, ErrSlotBeyondHorizon},
		{"service not offered", func(q *SlotQuery) { q.Therapists[0].Offers = nil }, "2027-03-01 09:00", 1, ErrServiceNotOffered},
		{"unknown therapist", nil, "2027-03-01 09:00", 99, ErrUnknownTherapist},
		{"no room free", func(q *SlotQuery) {
			q.Service.NeedsRoom = true
			q.Rooms = []RoomCalendar{{RoomID: 1, Busy: []Interval{iv(t, "2027-03-01 09:30", "2027-03-01 10:00")}}}
		}, "2027-03-01 09:00", 1, ErrNoRoom},
		{"room free", func(q *SlotQuery) {
			q.Service.NeedsRoom = true
			q.Rooms = []RoomCalendar{{RoomID: 1, Busy: []Interval{iv(t, "2027-03-01 09:30", "2027-03-01 10:00")}}}
		}, "2027-03-01 10:00", 1, nil},
		{"broken query", func(q *SlotQuery) { q.Service.Duration = 0 }, "2027-03-01 09:00", 1, ErrBadQuery},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := mondayQuery(t)
			if tt.mod != nil {
				tt.mod(&q)
			}
			if err := CheckSlot(q, at(t, tt.start), tt.therapist); !errors.Is(err, tt.want) {
				t.Errorf("CheckSlot(%s) = %v, want %v", tt.start, err, tt.want)
			}
		})
	}
	q := mondayQuery(t)
	if err := CheckSlot(q, at(t, "2027-03-01 09:00").Add(time.Millisecond), 1); !errors.Is(err, ErrSlotOffGrid) {
		t.Errorf("start with milliseconds: got %v, want %v", err, ErrSlotOffGrid)
	}
}

// dstQuery works the small hours of a Sunday, where the clocks change, and
// a normal Sunday morning.
func dstQuery(t *testing.T, day Date, night Shift) SlotQuery {
	var h WeeklyHours
	h[time.Sunday] = []Shift{night, {Clock(9, 0), Clock(12, 0)}}
	q := mondayQuery(t)
	q.From, q.To = day, day
	q.Now = time.Date(day.Y, day.M, day.D-3, 12, 0, 0, 0, q.Location)
	q.Therapists[0].Hours = h
	return q
}

func TestFreeTimesDST(t *testing.T) {
	autumn := Date{2027, time.April, 4}   // 03:00 AEDT goes back to 02:00 AEST
	spring := Date{2027, time.October, 3} // 02:00 AEST jumps to 03:00 AEDT
	tests := []struct {
		name  string
		day   Date
		night Shift
		want  []string
	}{
		{"clocks go back: the repeated hour is offered twice", autumn, Shift{0, Clock(6, 0)},
			slices.Concat(zoned("00:00", "02:45", "AEDT"), zoned("02:00", "05:00", "AEST"), zoned("09:00", "11:00", "AEST"))},
		{"clocks go back: shift starting in the repeat starts at its first occurrence", autumn, Shift{Clock(2, 30), Clock(4, 0)},
			slices.Concat(zoned("02:30", "02:45", "AEDT"), zoned("02:00", "03:00", "AEST"), zoned("09:00", "11:00", "AEST"))},
		{"clocks go back: shift ending in the repeat ends at its first occurrence", autumn, Shift{Clock(1, 0), Clock(2, 30)},
			slices.Concat(zoned("01:00", "01:30", "AEDT"), zoned("09:00", "11:00", "AEST"))},
		{"clocks go forward: the skipped hour is absent", spring, Shift{0, Clock(6, 0)},
			slices.Concat(zoned("00:00", "01:45", "AEST"), zoned("03:00", "05:00", "AEDT"), zoned("09:00", "11:00", "AEDT"))},
		{"clocks go forward: shift starting in the gap opens at 03:00", spring, Shift{Clock(2, 30), Clock(6, 0)},
			slices.Concat(zoned("03:00", "05:00", "AEDT"), zoned("09:00", "11:00", "AEDT"))},
		{"clocks go forward: shift ending in the gap ends at 03:00", spring, Shift{Clock(0, 30), Clock(2, 30)},
			slices.Concat(zoned("00:30", "01:00", "AEST"), zoned("09:00", "11:00", "AEDT"))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := dstQuery(t, tt.day, tt.night)
			slots := FreeTimes(q)
			if got := show(slots, q.Location, "15:04 MST"); !slices.Equal(got, tt.want) {
				t.Errorf("got %q\nwant %q", got, tt.want)
			}
			seen := map[time.Time]bool{}
			for _, s := range slots {
				if seen[s.Start] {
					t.Errorf("start %v offered twice", s.Start.In(q.Location))
				}
				seen[s.Start] = true
				if got := s.End.Sub(s.Start); got != time.Hour {
					t.Errorf("slot at %v lasts %v, want 1h", s.Start.In(q.Location), got)
				}
				if h := s.Start.In(q.Location).Hour(); tt.day == spring && h == 2 {
					t.Errorf("slot at %v is inside the skipped hour", s.Start.In(q.Location))
				}
				if err := CheckSlot(q, s.Start, s.TherapistID); err != nil {
					t.Errorf("listed slot %v refused: %v", s.Start.In(q.Location), err)
				}
			}
		})
	}
}

// Santiago changes its clocks at midnight: the day can start inside the
// gap, or end with its last hour repeated.
func TestFreeTimesMidnightDST(t *testing.T) {
	loc, err := time.LoadLocation("America/Santiago")
	if err != nil {
		t.Fatalf("load zone: %v", err)
	}
	tests := []struct {
		name  string
		day   Date
		shift Shift
		want  []string
	}{
		{"day starts at 01:00", Date{2027, time.September, 5}, Shift{0, Clock(3, 0)},
			zoned("01:00", "02:00", "-03")},
		{"last hour of the day repeats", Date{2027, time.April, 3}, Shift{Clock(22, 0), Clock(24, 0)},
			slices.Concat(zoned("22:00", "23:45", "-03"), zoned("23:00", "23:00", "-04"))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := mondayQuery(t)
			q.Location, q.From, q.To = loc, tt.day, tt.day
			q.Now = time.Date(tt.day.Y, tt.day.M, tt.day.D-3, 12, 0, 0, 0, loc)
			q.Therapists[0].Hours = WeeklyHours{}
			q.Therapists[0].Hours[tt.day.Weekday()] = []Shift{tt.shift}
			slots := FreeTimes(q)
			if got := show(slots, loc, "15:04 MST"); !slices.Equal(got, tt.want) {
				t.Errorf("got %q\nwant %q", got, tt.want)
			}
			for _, s := range slots {
				if err := CheckSlot(q, s.Start, 1); err != nil {
					t.Errorf("listed slot %v refused: %v", s.Start.In(loc), err)
				}
			}
		})
	}
}

// TestCheckSlotAgreesWithFreeTimes walks every five minutes across days
// that include both DST changes, with random bookings, time off and rooms,
// and requires the two answers to match: what is listed can be booked and
// nothing else can. CheckSlot scans linearly, FreeTimes sweeps, so each
// checks the other.
func TestCheckSlotAgreesWithFreeTimes(t *testing.T) {
	loc := sydney(t)
	for _, first := range []Date{{2027, time.April, 1}, {2027, time.September, 30}} {
		rng := rand.New(rand.NewPCG(uint64(first.M), 7))
		h := weekdays(splitDay...)
		h[time.Sunday] = []Shift{{0, Clock(6, 0)}, {Clock(9, 0), Clock(12, 0)}}
		q := SlotQuery{
			Location:    loc,
			Now:         time.Date(first.Y, first.M, first.D, 3, 7, 0, 0, loc),
			From:        first,
			To:          first.AddDays(5),
			HorizonDays: 4,
			Service:     Service{ID: 1, Duration: 45 * time.Minute, BufferAfter: 10 * time.Minute, NeedsRoom: true},
			Therapists: []TherapistCalendar{{
				TherapistID: 1, Hours: h, Offers: []int64{1},
				Busy:    randomBusy(rng, first, loc, 40),
				TimeOff: []Interval{{time.Date(first.Y, first.M, first.D+1, 15, 0, 0, 0, loc), time.Date(first.Y, first.M, first.D+2, 10, 0, 0, 0, loc)}},
			}},
			Rooms: []RoomCalendar{{RoomID: 1, Busy: randomBusy(rng, first, loc, 40)}, {RoomID: 2, Busy: randomBusy(rng, first, loc, 40)}},
		}
		q.ClientBusy = randomBusy(rng, first, loc, 20) // the client's sessions with other therapists
		// Both rooms taken on the Sunday morning the clocks change.
		sunday := Interval{time.Date(first.Y, first.M, first.D+3, 9, 0, 0, 0, loc), time.Date(first.Y, first.M, first.D+3, 10, 30, 0, 0, loc)}
		for i := range q.Rooms {
			q.Rooms[i].Busy = append(q.Rooms[i].Busy, sunday)
		}
		listed := map[int64]Slot{}
		for _, s := range FreeTimes(q) {
			listed[s.Start.Unix()] = s
		}
		if len(listed) < 20 {
			t.Fatalf("%v: only %d slots listed; the scenario is too full to test", first, len(listed))
		}
		refused := map[error]int{}
		begin := time.Date(first.Y, first.M, first.D, 0, 0, 0, 0, loc)
		stop := time.Date(first.Y, first.M, first.D+6, 0, 0, 0, 0, loc)
		for u := begin; u.Before(stop); u = u.Add(5 * time.Minute) {
			got, err := SlotAt(q, u, 1)
			want, ok := listed[u.Unix()]
			if (err == nil) != ok || (ok && got != want) {
				t.Errorf("%v: SlotAt = %+v, %v; FreeTimes listed %v (%+v)", u.In(loc), got, err, ok, want)
			}
			refused[err]++
		}
		for _, e := range []error{ErrSlotOffGrid, ErrSlotOutsideHours, ErrSlotTooSoon, ErrSlotBeyondHorizon, ErrTimeOff, ErrSlotTaken, ErrNoRoom, ErrClientBusy} {
			if refused[e] == 0 {
				t.Errorf("%v: no start was refused with %q; the scenario misses a case", first, e)
			}
		}
	}
}

// randomBusy makes n bookings of 30 to 90 minutes over six days starting
// at first, at random quarter hours between 00:00 and 18:00.
func randomBusy(rng *rand.Rand, first Date, loc *time.Location, n int) []Interval {
	var out []Interval
	for range n {
		d := first.AddDays(rng.IntN(6))
		start := time.Date(d.Y, d.M, d.D, 0, 15*rng.IntN(72), 0, 0, loc)
		out = append(out, Interval{start, start.Add(time.Duration(30+15*rng.IntN(5)) * time.Minute)})
	}
	return out
}

// benchQuery builds a clinic of n therapists working split weekdays and a
// Saturday morning, booked about 70% of their hours over days days: each
// 75-minute block (60-minute massage plus buffer) is taken with
// probability 0.7. Busy intervals are sorted, as the store returns them.
func benchQuery(tb testing.TB, n, days int) SlotQuery {
	loc := sydney(tb)
	rng := rand.New(rand.NewPCG(1, 2))
	h := weekdays(splitDay...)
	h[time.Saturday] = []Shift{{Clock(9, 0), Clock(13, 0)}}
	from := Date{2027, time.September, 20} // crosses the October DST change
	q := SlotQuery{
		Location:    loc,
		Now:         time.Date(2027, time.September, 19, 9, 0, 0, 0, loc),
		From:        from,
		To:          from.AddDays(days - 1),
		Service:     Service{ID: 1, Duration: time.Hour, BufferAfter: 15 * time.Minute},
		HorizonDays: 120,
	}
	block := 75 * time.Minute
	booked, total := 0, 0
	for id := range n {
		tc := TherapistCalendar{TherapistID: int64(id + 1), Hours: h, Offers: []int64{1}}
		for d := from; !d.After(q.To); d = d.AddDays(1) {
			for _, sh := range h[d.Weekday()] {
				end := time.Date(d.Y, d.M, d.D, 0, int(sh.End), 0, 0, loc)
				for s := time.Date(d.Y, d.M, d.D, 0, int(sh.Start), 0, 0, loc); !s.Add(block).After(end); s = s.Add(block) {
					total++
					if rng.Float64() < 0.7 {
						booked++
						tc.Busy = append(tc.Busy, Interval{s, s.Add(block)})
					}
				}
			}
		}
		q.Therapists = append(q.Therapists, tc)
	}
	if f := float64(booked) / float64(total); f < 0.65 || f > 0.75 {
		tb.Fatalf("booked %.2f of blocks, want about 0.7", f)
	}
	return q
}

func benchmarkFreeTimes(b *testing.B, n, days int) {
	q := benchQuery(b, n, days)
	var slots []Slot
	b.ReportAllocs()
	for b.Loop() {
		slots = FreeTimes(q)
	}
	if len(slots) == 0 {
		b.Fatal("no free times")
	}
	b.ReportMetric(float64(len(slots)), "slots/op")
}

func BenchmarkFreeTimesOneTherapist60Days(b *testing.B) { benchmarkFreeTimes(b, 1, 60) }

func BenchmarkFreeTimesAny20x30Days(b *testing.B) { benchmarkFreeTimes(b, 20, 30) }

// BenchmarkFreeTimesAny20x30DaysRooms adds a room per therapist, each
// booked with its therapist's appointments.
func BenchmarkFreeTimesAny20x30DaysRooms(b *testing.B) {
	q := benchQuery(b, 20, 30)
	q.Service.NeedsRoom = true
	for _, t := range q.Therapists {
		q.Rooms = append(q.Rooms, RoomCalendar{RoomID: t.TherapistID, Busy: t.Busy})
	}
	var slots []Slot
	b.ReportAllocs()
	for b.Loop() {
		slots = FreeTimes(q)
	}
	b.ReportMetric(float64(len(slots)), "slots/op")
}

func BenchmarkCheckSlot(b *testing.B) {
	q := benchQuery(b, 1, 60)
	s := FreeTimes(q)[0]
	b.ReportAllocs()
	for b.Loop() {
		if err := CheckSlot(q, s.Start, s.TherapistID); err != nil {
			b.Fatal(err)
		}
	}
}

// TestClientIsNeverInTwoSessions: the person booking already has a session with another
// therapist from 10:00 to 11:00. No time that would overlap it is offered or accepted; the
// therapist's buffer after a session is not the client's, so 09:00 (ending at 10:00) and
// 11:00 are fine.
func TestClientIsNeverInTwoSessions(t *testing.T) {
	q := mondayQuery(t)
	q.Service.BufferAfter = 15 * time.Minute
	q.Therapists[0].Hours = weekdays(Shift{Clock(9, 0), Clock(12, 30)})
	q.ClientBusy = []Interval{iv(t, "2027-03-01 10:00", "2027-03-01 11:00")}
	got := show(FreeTimes(q), q.Location, "15:04")
	want := []string{"09:00", "11:00", "11:15"} // 11:30 and its buffer would end after 12:30
	if !slices.Equal(got, want) {
		t.Errorf("free times: got %q\nwant %q", got, want)
	}
	for _, tt := range []struct {
		start string
		want  error
	}{
		{"2027-03-01 09:00", nil},
		{"2027-03-01 09:15", ErrClientBusy},
		{"2027-03-01 10:30", ErrClientBusy},
		{"2027-03-01 10:45", ErrClientBusy},
		{"2027-03-01 11:00", nil},
	} {
		if _, err := SlotAt(q, at(t, tt.start), 1); !errors.Is(err, tt.want) {
			t.Errorf("SlotAt(%s) = %v, want %v", tt.start, err, tt.want)
		}
	}
	// With the therapist also busy then, the client hears that the time was taken.
	q.Therapists[0].Busy = []Interval{iv(t, "2027-03-01 10:00", "2027-03-01 11:00")}
	if _, err := SlotAt(q, at(t, "2027-03-01 10:00"), 1); !errors.Is(err, ErrSlotTaken) {
		t.Errorf("SlotAt(10:00) with the therapist busy too = %v, want %v", err, ErrSlotTaken)
	}
	// "Any therapist" says why when every therapist is free but the client is not.
	q.Therapists = append(q.Therapists, TherapistCalendar{TherapistID: 2, Hours: q.Therapists[0].Hours, Offers: []int64{1}})
	if _, err := SlotAtAny(q, at(t, "2027-03-01 10:30")); !errors.Is(err, ErrClientBusy) {
		t.Errorf("SlotAtAny(10:30) = %v, want %v", err, ErrClientBusy)
	}
}
