package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"allium/clinic"
	"allium/store"
)

func specOf(sv store.Service) clinic.ServiceSpec {
	return clinic.ServiceSpec{Name: sv.Name, Duration: sv.Duration, Buffer: sv.BufferAfter, PriceCents: sv.PriceCents,
		NeedsRoom: sv.NeedsRoom, Kind: sv.Kind, CourseSessions: sv.CourseSessions, SpacingDays: sv.SpacingDays, Active: true}
}

// A booked service is kept for its history: it can be retired, not deleted; a service nobody
// booked can be deleted. Retired, it is not offered, and its bookings keep it.
func TestABookedServiceIsRetiredNotDeleted(t *testing.T) {
	st, th, svc, cid, start := bookingFixture(t)
	ctx := context.Background()
	if _, err := st.BookCourse(ctx, store.System, store.BookingRequest{ClientID: cid, ServiceID: svc, TherapistID: th,
		Starts: []time.Time{start}, Consent: true}); err != nil {
		t.Fatal(err)
	}
	if err := st.DeleteService(ctx, store.System, svc); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("deleting a booked service: %v, want a conflict", err)
	}
	if open, err := st.BookingOpen(ctx); err != nil || !open {
		t.Fatalf("booking open with a bookable service: %v, %v", open, err)
	}
	if err := st.SetServiceActive(ctx, store.System, svc, false); err != nil {
		t.Fatal(err)
	}
	if open, _ := st.BookingOpen(ctx); open {
		t.Error("booking still open with its only service retired")
	}
	if _, err := st.ServiceByID(ctx, svc); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a retired service is still offered: %v", err)
	}
	appts, err := st.DaySchedule(ctx, store.System, start.Add(-time.Hour), start.Add(time.Hour))
	if err != nil || len(appts) != 1 || appts[0].ServiceID != svc {
		t.Errorf("the booking lost its service: %v %+v", err, appts)
	}
	fresh, _, err := st.SaveService(ctx, store.System, 0, clinic.ServiceSpec{Name: "Cupping", Duration: 30 * time.Minute,
		Kind: clinic.KindFollowUp, Active: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.DeleteService(ctx, store.System, fresh); err != nil {
		t.Errorf("deleting a service nobody booked: %v", err)
	}
	if err := st.DeleteService(ctx, store.Actor{UserID: th, Role: clinic.RoleTherapist}, svc); !errors.Is(err, store.ErrForbidden) {
		t.Errorf("a therapist deleted a service: %v", err)
	}
}

// Lengthening a service lists the bookings that would then run into the next one, and
// changes none of them.
func TestLongerServiceListsTheBookingsItWouldMakeOverlap(t *testing.T) {
	st, th, svc, cid, start := bookingFixture(t)
	ctx := context.Background()
	// 10:00 and 11:15 back to back (60 minutes and 15 after); 14:00 with room to spare.
	var ids []int64
	for _, at := range []time.Time{start, start.Add(75 * time.Minute), start.Add(4 * time.Hour)} {
		b, err := st.BookCourse(ctx, store.System, store.BookingRequest{ClientID: cid, ServiceID: svc, TherapistID: th,
			Starts: []time.Time{at}, Consent: true})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, b.Appointments[0].ID)
	}
	sv, err := st.ServiceForOwner(ctx, store.System, svc)
	if err != nil {
		t.Fatal(err)
	}
	sp := specOf(sv)
	sp.Duration = 90 * time.Minute
	_, overlaps, err := st.SaveService(ctx, store.System, svc, sp)
	if err != nil {
		t.Fatal(err)
	}
	if len(overlaps) != 1 || overlaps[0].AppointmentID != ids[0] {
		t.Errorf("overlaps = %+v, want only the 10:00 booking (%d)", overlaps, ids[0])
	}
	appts, _ := st.DaySchedule(ctx, store.System, start.Add(-time.Hour), start.Add(6*time.Hour))
	for _, a := range appts {
		if a.End.Sub(a.Start) != time.Hour {
			t.Errorf("booking %d changed length to %v", a.ID, a.End.Sub(a.Start))
		}
	}
}

// A room with bookings to come cannot be retired; the bookings are listed.
func TestARoomWithBookingsCannotBeRetired(t *testing.T) {
	st, th, svc, cid, start := bookingFixture(t)
	ctx := context.Background()
	rooms, _ := st.Rooms(ctx)
	spare, err := st.SaveRoom(ctx, store.System, 0, "Room 2")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.BookCourse(ctx, store.System, store.BookingRequest{ClientID: cid, ServiceID: svc, TherapistID: th,
		Starts: []time.Time{start}, Consent: true}); err != nil {
		t.Fatal(err)
	}
	blocking, err := st.RetireRoom(ctx, store.System, rooms[0].ID, false)
	if !errors.Is(err, store.ErrConflict) || len(blocking) != 1 {
		t.Errorf("retiring a booked room: %v, %+v", err, blocking)
	}
	if _, err := st.RetireRoom(ctx, store.System, spare, false); err != nil {
		t.Errorf("retiring an empty room: %v", err)
	}
	if _, err := st.SaveRoom(ctx, store.System, spare, rooms[0].Name); !errors.Is(err, store.ErrConflict) {
		t.Errorf("two rooms of one name: %v", err)
	}
	if left, _ := st.Rooms(ctx); len(left) != 1 {
		t.Errorf("rooms in use: %+v", left)
	}
}

// A closure lists the bookings that day and leaves them booked; the free-time search offers
// nothing that day, before and after the search's copy of the calendar is warm, and a
// booking that day is refused. Taking the closure away opens the day again.
func TestClosureListsConflictsAndClosesTheDay(t *testing.T) {
	st, th, svc, cid, start := bookingFixture(t)
	ctx := context.Background()
	loc := start.Location()
	if _, err := st.BookCourse(ctx, store.System, store.BookingRequest{ClientID: cid, ServiceID: svc, TherapistID: th,
		Starts: []time.Time{start}, Consent: true}); err != nil {
		t.Fatal(err)
	}
	sv, _ := st.ServiceByID(ctx, svc)
	day := clinic.DateOf(start, loc)
	free := func() map[clinic.Date]int {
		q, err := st.SlotQuery(ctx, sv.Service, []int64{th}, start.AddDate(0, 0, -1).Truncate(24*time.Hour), start.AddDate(0, 0, 2))
		if err != nil {
			t.Fatal(err)
		}
		out := map[clinic.Date]int{}
		for _, s := range clinic.FreeTimes(q) {
			out[clinic.DateOf(s.Start, loc)]++
		}
		return out
	}
	if free()[day] == 0 {
		t.Fatal("the fixture's day has no free times to begin with")
	}
	conflicts, err := st.AddClosure(ctx, store.System, store.Closure{Date: day, Reason: "Christmas"}, loc)
	if err != nil {
		t.Fatal(err)
	}
	if len(conflicts) != 1 || !conflicts[0].Start.Equal(start) {
		t.Errorf("conflicts = %+v, want the 10:00 booking", conflicts)
	}
	if got := free(); got[day] != 0 || got[day.AddDays(1)] == 0 {
		t.Errorf("free times per day with the closure: %v", got)
	}
	appts, _ := st.DaySchedule(ctx, store.System, start.Add(-time.Hour), start.Add(time.Hour))
	if len(appts) != 1 || appts[0].Status != "booked" {
		t.Errorf("the booking that day was touched: %+v", appts)
	}
	_, err = st.BookCourse(ctx, store.System, store.BookingRequest{ClientID: cid, ServiceID: svc, TherapistID: th,
		Starts: []time.Time{start.Add(3 * time.Hour)}, Consent: true})
	if !errors.Is(err, clinic.ErrClinicClosed) {
		t.Errorf("booking on a closed day: %v", err)
	}
	if err := st.DeleteClosure(ctx, store.System, day); err != nil {
		t.Fatal(err)
	}
	if free()[day] == 0 {
		t.Error("the day stays closed after the closure is taken away")
	}
}

// One-off hours for a date replace the weekly hours that day and list the bookings outside them.
func TestDateHoursListTheBookingsOutsideThem(t *testing.T) {
	st, th, svc, cid, start := bookingFixture(t)
	ctx := context.Background()
	loc := start.Location()
	if _, err := st.BookCourse(ctx, store.System, store.BookingRequest{ClientID: cid, ServiceID: svc, TherapistID: th,
		Starts: []time.Time{start}, Consent: true}); err != nil {
		t.Fatal(err)
	}
	day := clinic.DateOf(start, loc)
	conflicts, err := st.SetDateHours(ctx, store.System, store.DateHours{TherapistID: th, Date: day,
		Shifts: []clinic.Shift{{Start: clinic.Clock(13, 0), End: clinic.Clock(20, 0)}}}, loc)
	if err != nil || len(conflicts) != 1 {
		t.Fatalf("conflicts = %+v, %v; want the 10:00 booking", conflicts, err)
	}
	sv, _ := st.ServiceByID(ctx, svc)
	q, err := st.SlotQuery(ctx, sv.Service, []int64{th}, start.Add(-10*time.Hour), start.Add(14*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range clinic.FreeTimes(q) {
		got = append(got, s.Start.In(loc).Format("15:04"))
	}
	if len(got) == 0 || got[0] != "13:00" || got[len(got)-1] != "18:45" {
		t.Errorf("free times on the day of one-off hours: %v", got)
	}
}
