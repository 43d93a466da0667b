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
	if err := st.SetServiceActive(ctx, store.System, svc, false); err != nil {
		t.Fatal(err)
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
