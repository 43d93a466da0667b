package main

import (
	"testing"
	"time"

	"allium/clinic"
)

// TestFreeForSeesLongStretches: the free-time search hands the load run a room's back-to-back
// bookings as one stretch, which can last all day. A cell late in that day is not free.
func TestFreeForSeesLongStretches(t *testing.T) {
	at := func(h, m int) time.Time { return time.Date(2026, 12, 16, h, m, 0, 0, time.UTC) }
	rooms := []clinic.RoomCalendar{
		{RoomID: 1, Busy: []clinic.Interval{{Start: at(6, 0), End: at(21, 0)}}},                                       // one 15-hour stretch
		{RoomID: 2, Busy: []clinic.Interval{{Start: at(19, 0), End: at(20, 0)}, {Start: at(18, 0), End: at(19, 30)}}}, // unsorted, overlapping
		{RoomID: 3, Busy: []clinic.Interval{{Start: at(8, 0), End: at(20, 0)}, {Start: at(21, 15), End: at(22, 0)}}},
		{RoomID: 4},
	}
	idx := newRoomIndex(rooms)
	for _, c := range []struct {
		a, b time.Time
		want int
	}{
		{at(20, 0), at(21, 15), 3}, // rooms 2, 3 and 4: room 1 is in its stretch
		{at(19, 45), at(21, 0), 1}, // room 4 only
		{at(21, 0), at(22, 0), 3},  // rooms 1, 2 and 4
		{at(5, 0), at(6, 0), 4},    // before everything
		{at(22, 0), at(23, 0), 4},  // after everything
	} {
		if got := idx.freeFor(c.a, c.b); got != c.want {
			t.Errorf("free rooms over %s-%s: %d, want %d", c.a.Format("15:04"), c.b.Format("15:04"), got, c.want)
		}
	}
}
