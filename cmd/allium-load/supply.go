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

// postForm is one booking to send: its fields, and which of env.Bookers sends it.
type postForm struct {
	As     int
	Values url.Values
}

// bookingForms prepares one booking form per free course the clinic can still take: each books
// `sessions` sessions a week apart with one therapist, at a start no other form uses.
//
// Bookings are made concurrently and the server gives each the first free room, so forms are
// laid on a grid of cells as long as the service's block: two forms are either in the same cell
// (and then need one whole free room each) or do not overlap at all. Whatever order the
// requests arrive in, every one of them finds its room. A person is never in two sessions at
// once, so the forms in a cell go to different clients, each free then.
func bookingForms(e *env, sessions int) ([]postForm, error) {
	sv := e.courseService()
	if sv.ID == 0 || len(sv.Therapists) == 0 || len(e.Bookers) == 0 {
		return nil, fmt.Errorf("no service with a therapist to book, or no client to book it")
	}
	from := localMidnight(clinic.DateOf(time.Now(), e.loc), e.loc)
	to := from.AddDate(0, 0, clinic.DefaultHorizonDays+1)
	q, err := e.st.SlotQuery(e.ctx, sv.Service, sv.Therapists, from, to)
	if err != nil {
		return nil, err
	}
	own := make([][]clinic.Interval, len(e.Bookers)) // each client's sessions already booked
	for k, b := range e.Bookers {
		bq, err := e.st.SlotQueryFor(e.ctx, b.ClientID, sv.Service, sv.Therapists[:1], from, to)
		if err != nil {
			return nil, err
		}
		own[k] = bq.ClientBusy
	}
	cell := (sv.Duration + sv.BufferAfter + 14*time.Minute) / (15 * time.Minute) * (15 * time.Minute)
	rooms := newRoomIndex(q.Rooms)
	free := map[slotKey]bool{}
	for _, s := range clinic.FreeTimes(q) {
		free[slotKey{s.Start.Unix(), s.TherapistID}] = true
	}
	inCell := map[int64][]int{} // cell start -> the clients with a form in it
	canTake := func(k int, starts []time.Time) bool {
		for _, st := range starts {
			taken := inCell[st.Unix()]
			room := !sv.NeedsRoom || rooms.freeFor(st, st.Add(cell)) > len(taken)
			if !room || slices.Contains(taken, k) || overlapsAny(own[k], st, st.Add(sv.Duration)) {
				return false
			}
		}
		return true
	}
	var out []postForm
	for _, s := range clinic.FreeTimes(q) {
		starts, ok := courseOnGrid(s, sessions, cell, e.loc, free)
		if !ok {
			continue
		}
		k := 0 // the first client free for the whole course
		for k < len(e.Bookers) && !canTake(k, starts) {
			k++
		}
		if k == len(e.Bookers) {
			continue
		}
		f := url.Values{"service": {strconv.FormatInt(sv.ID, 10)}, "consent": {"1"}, "reminders": {"1"},
			"spacing": {"7"}}
		for i, st := range starts {
			inCell[st.Unix()] = append(inCell[st.Unix()], k)
			delete(free, slotKey{st.Unix(), s.TherapistID})
			f.Set("start_"+strconv.Itoa(i+1), strconv.FormatInt(s.TherapistID, 10)+"@"+st.UTC().Format(time.RFC3339))
		}
		out = append(out, postForm{As: k, Values: f})
	}
	return out, nil
}

func overlapsAny(list []clinic.Interval, a, b time.Time) bool {
	return slices.ContainsFunc(list, func(iv clinic.Interval) bool { return iv.Start.Before(b) && iv.End.After(a) })
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
