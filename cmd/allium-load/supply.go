package main

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"time"

	"allium/clinic"
	"allium/store"
)

// courseService is the service the booking pages are measured with: the first one sold as a
// course, offered by the most therapists (the widest "first available" search).
func (e *env) courseService() store.Service {
	services, err := e.st.Services(e.ctx)
	if err != nil || len(services) == 0 {
		return store.Service{}
	}
	best := services[0]
	for _, s := range services {
		better := len(s.Therapists) > len(best.Therapists) ||
			(len(s.Therapists) == len(best.Therapists) && s.CourseSessions > 1 && best.CourseSessions == 1)
		if better {
			best = s
		}
	}
	return best
}

// bookingForms prepares one booking form per free course the clinic can still take: each books
// `sessions` sessions a week apart with one therapist, at a start no other form uses.
//
// Bookings are made concurrently and the server gives each the first free room, so forms are
// laid on a grid of cells as long as the service's block: two forms are either in the same cell
// (and then need one whole free room each) or do not overlap at all. Whatever order the
// requests arrive in, every one of them finds its room.
func bookingForms(e *env, sessions int) ([]url.Values, error) {
	sv := e.courseService()
	if sv.ID == 0 {
		return nil, fmt.Errorf("no service to book")
	}
	from := localMidnight(clinic.DateOf(time.Now(), e.loc), e.loc)
	q, err := e.st.SlotQuery(e.ctx, sv.Service, sv.Therapists, from, from.AddDate(0, 0, clinic.DefaultHorizonDays+1))
	if err != nil {
		return nil, err
	}
	cell := (sv.Duration + sv.BufferAfter + 14*time.Minute) / (15 * time.Minute) * (15 * time.Minute)
	rooms := newRoomIndex(q.Rooms)
	free := map[slotKey]bool{}
	for _, s := range clinic.FreeTimes(q) {
		free[slotKey{s.Start.Unix(), s.TherapistID}] = true
	}
	used := map[int64]int{} // cell start -> forms in it
	var out []url.Values
	for _, s := range clinic.FreeTimes(q) {
		starts, ok := courseOnGrid(s, sessions, cell, e.loc, free)
		if !ok {
			continue
		}
		fits := true
		for _, st := range starts {
			capacity := 1 << 30
			if sv.NeedsRoom {
				capacity = rooms.freeFor(st, st.Add(cell))
			}
			fits = fits && used[st.Unix()] < capacity
		}
		if !fits {
			continue
		}
		f := url.Values{"service": {strconv.FormatInt(sv.ID, 10)}, "consent": {"1"}, "reminders": {"1"},
			"spacing": {"7"}}
		for i, st := range starts {
			used[st.Unix()]++
			delete(free, slotKey{st.Unix(), s.TherapistID})
			f.Set("start_"+strconv.Itoa(i+1), strconv.FormatInt(s.TherapistID, 10)+"@"+st.UTC().Format(time.RFC3339))
		}
		out = append(out, f)
	}
	return out, nil
}

// slotKey is a free start of one therapist.
type slotKey struct{ start, therapist int64 }

// courseOnGrid returns the course's starts, a week apart at the same wall-clock time, when the
// first lies on the cell grid (counted from local midnight) and every one is free.
func courseOnGrid(s clinic.Slot, sessions int, cell time.Duration, loc *time.Location, free map[slotKey]bool) ([]time.Time, bool) {
	l := s.Start.In(loc)
	if (time.Duration(l.Hour())*time.Hour+time.Duration(l.Minute())*time.Minute)%cell != 0 {
		return nil, false
	}
	starts := make([]time.Time, sessions)
	for i := range starts {
		starts[i] = time.Date(l.Year(), l.Month(), l.Day()+7*i, l.Hour(), l.Minute(), 0, 0, loc).UTC()
		if !free[slotKey{starts[i].Unix(), s.TherapistID}] {
			return nil, false
		}
	}
	return starts, true
}

// roomIndex answers "how many rooms are wholly free over [a, b)" from the rooms' bookings,
// each room's kept sorted and merged where they touch or overlap.
type roomIndex [][]clinic.Interval

func newRoomIndex(rooms []clinic.RoomCalendar) roomIndex {
	idx := make(roomIndex, len(rooms))
	for i, r := range rooms {
		busy := slices.SortedFunc(slices.Values(r.Busy), func(x, y clinic.Interval) int { return x.Start.Compare(y.Start) })
		var merged []clinic.Interval
		for _, iv := range busy {
			if n := len(merged); n > 0 && !iv.Start.After(merged[n-1].End) {
				if iv.End.After(merged[n-1].End) {
					merged[n-1].End = iv.End
				}
				continue
			}
			merged = append(merged, iv)
		}
		idx[i] = merged
	}
	return idx
}

// freeFor counts rooms with no booking overlapping [a, b). A room's busy stretches are
// disjoint and sorted, so only the last one starting before b can overlap: it does when it
// ends after a. (The search's stretches join back-to-back bookings and can be longer than
// any one booking, so "look back 12 hours" would miss them.)
func (idx roomIndex) freeFor(a, b time.Time) int {
	n := 0
	for _, busy := range idx {
		j, _ := slices.BinarySearchFunc(busy, b, func(x clinic.Interval, t time.Time) int { return x.Start.Compare(t) })
		if j == 0 || !busy[j-1].End.After(a) {
			n++
		}
	}
	return n
}
