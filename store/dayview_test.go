package store_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"allium/clinic"
	"allium/store"
)

// TestDayViewShowsWhatTheGeneralReadShows: the day view's own query gives each booking the
// same names, times, course progress and status as the full appointment read, keeps to its
// window and therapists, and answers nobody but staff.
func TestDayViewShowsWhatTheGeneralReadShows(t *testing.T) {
	st, th, svc, cid, start := bookingFixture(t)
	ctx := context.Background()
	b, err := st.BookCourse(ctx, store.System, store.BookingRequest{ClientID: cid, ServiceID: svc, TherapistID: th,
		Starts: []time.Time{start, start.AddDate(0, 0, 7)}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Cancel(ctx, store.System, b.Appointments[1].ID, "away"); err != nil {
		t.Fatal(err)
	}
	staff := store.Actor{Role: clinic.RoleReception}
	for _, ap := range b.Appointments {
		want, err := st.AppointmentByID(ctx, store.System, ap.ID)
		if err != nil {
			t.Fatal(err)
		}
		day := want.Start.Truncate(24 * time.Hour)
		got, err := st.DayView(ctx, staff, day, day.Add(24*time.Hour))
		if err != nil || len(got) != 1 {
			t.Fatalf("DayView of %v: %d bookings, %v; want 1", day, len(got), err)
		}
		g := got[0]
		if g.ID != want.ID || g.TherapistID != want.TherapistID || g.RoomID != want.RoomID ||
			g.CourseIndex != want.CourseIndex || g.CourseSize != want.CourseSize || g.ClientName != want.ClientName ||
			g.Cautions != want.Cautions || g.TherapistName != want.TherapistName || g.ServiceName != want.ServiceName ||
			g.RoomName != want.RoomName || g.Status != want.Status || g.CancelReason != want.CancelReason ||
			g.LateCancel != want.LateCancel || !g.Start.Equal(want.Start) || !g.End.Equal(want.End) {
			t.Errorf("DayView gives %+v\nthe appointment read gives %+v", g, want)
		}
		if g.Active() != want.Active() {
			t.Errorf("booking %d: Active() = %v; want %v", g.ID, g.Active(), want.Active())
		}
	}
	first := b.Appointments[0].Start
	for _, tc := range []struct {
		name     string
		from, to time.Time
		ids      []int64
		want     int
	}{
		{"window ends at the start", first.Add(-time.Hour), first, nil, 0},
		{"window starts at the start", first, first.Add(time.Minute), nil, 1},
		{"both weeks", first, first.AddDate(0, 0, 8), nil, 2},
		{"its therapist", first, first.AddDate(0, 0, 8), []int64{th}, 2},
		{"another therapist", first, first.AddDate(0, 0, 8), []int64{th + 100}, 0},
	} {
		got, err := st.DayView(ctx, staff, tc.from, tc.to, tc.ids...)
		if err != nil || len(got) != tc.want {
			t.Errorf("%s: %d bookings, %v; want %d", tc.name, len(got), err, tc.want)
		}
	}
	// Rows are gathered in a slice the store keeps for the next call: a day read earlier must be
	// left as it was by the days read after it (the week board reads seven).
	both, err := st.DayView(ctx, staff, first, first.AddDate(0, 0, 8))
	if err != nil || len(both) != 2 {
		t.Fatalf("both weeks: %d bookings, %v", len(both), err)
	}
	kept := append([]store.DayBooking(nil), both...)
	for range 3 {
		if _, err := st.DayView(ctx, staff, first.AddDate(0, 0, 7), first.AddDate(0, 0, 8)); err != nil {
			t.Fatal(err)
		}
	}
	for i := range kept {
		if both[i] != kept[i] {
			t.Errorf("booking %d of an earlier read changed to %+v after later reads; was %+v", i, both[i], kept[i])
		}
	}
	for _, by := range []store.Actor{{Role: clinic.RoleClient, ClientID: cid}, {}} {
		if got, err := st.DayView(ctx, by, first, first.AddDate(0, 0, 8)); !errors.Is(err, store.ErrNotFound) || got != nil {
			t.Errorf("DayView as %+v: %d bookings, %v; want ErrNotFound and none", by, len(got), err)
		}
	}
}

// TestDayTherapistsGivesTheDaysHours: each active therapist once, by name, with that weekday's
// shifts in order and no other day's; one not working that day has none, an inactive one is
// left out.
func TestDayTherapistsGivesTheDaysHours(t *testing.T) {
	st, th, _, _, _ := bookingFixture(t)
	ctx := context.Background()
	loc, _ := time.LoadLocation("Australia/Sydney")
	mk := func(name string, h clinic.WeeklyHours) int64 {
		u, err := st.CreateUser(ctx, store.System, store.NewUser{Role: clinic.RoleTherapist, Email: name + "@x.test", Name: name})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.SetHours(ctx, store.System, u.ID, h, loc); err != nil {
			t.Fatal(err)
		}
		return u.ID
	}
	var split, mondays clinic.WeeklyHours
	split[time.Wednesday] = []clinic.Shift{{Start: clinic.Clock(13, 30), End: clinic.Clock(18, 0)},
		{Start: clinic.Clock(8, 0), End: clinic.Clock(12, 0)}}
	split[time.Thursday] = []clinic.Shift{{Start: clinic.Clock(6, 0), End: clinic.Clock(7, 0)}}
	mondays[time.Monday] = []clinic.Shift{{Start: clinic.Clock(9, 0), End: clinic.Clock(17, 0)}}
	a := mk("Abe", split)
	z := mk("Zed", mondays)
	gone := mk("Gus", split)
	if err := st.SetActive(ctx, store.System, gone, false); err != nil {
		t.Fatal(err)
	}
	got, err := st.DayTherapists(ctx, time.Wednesday)
	if err != nil {
		t.Fatal(err)
	}
	want := []store.DayTherapist{
		{ID: a, Name: "Abe", Shifts: []clinic.Shift{{Start: clinic.Clock(8, 0), End: clinic.Clock(12, 0)},
			{Start: clinic.Clock(13, 30), End: clinic.Clock(18, 0)}}},
		{ID: th, Name: "Sam Okafor", Shifts: []clinic.Shift{{Start: clinic.Clock(9, 0), End: clinic.Clock(17, 0)}}},
		{ID: z, Name: "Zed"},
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("DayTherapists(Wednesday) = %v\nwant %v", got, want)
	}
}
