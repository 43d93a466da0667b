package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"allium/clinic"
	"allium/store"
)

// demoServices is the catalogue of the modality list: relaxation to remedial courses and Tui Na.
var demoServices = []store.Service{
	{Service: clinic.Service{Key: "remedial_initial_75", Name: "Remedial massage: first assessment and treatment", Duration: 75 * time.Minute, BufferAfter: 15 * time.Minute, NeedsRoom: true}, Description: "We watch how you move, find where you hold tension, set a goal and start treatment.", PriceCents: 14500, CourseSessions: 1, Kind: clinic.KindFirstVisit},
	{Service: clinic.Service{Key: "remedial_followup_60", Name: "Remedial massage: course session", Duration: 60 * time.Minute, BufferAfter: 15 * time.Minute, NeedsRoom: true}, Description: "Sessions close together towards your goal.", PriceCents: 12000, CourseSessions: 4},
	{Service: clinic.Service{Key: "reassessment_30", Name: "Reassessment", Duration: 30 * time.Minute, BufferAfter: 10 * time.Minute, NeedsRoom: true}, Description: "We measure progress against your goal and decide what comes next.", PriceCents: 6000, CourseSessions: 1},
	{Service: clinic.Service{Key: "tuina_60", Name: "Tui Na", Duration: 60 * time.Minute, BufferAfter: 15 * time.Minute, NeedsRoom: true}, Description: "Chinese therapeutic massage along channels and points.", PriceCents: 12000, CourseSessions: 4},
	{Service: clinic.Service{Key: "deep_tissue_60", Name: "Deep tissue massage", Duration: 60 * time.Minute, BufferAfter: 15 * time.Minute, NeedsRoom: true}, PriceCents: 11500, CourseSessions: 1},
	{Service: clinic.Service{Key: "sports_pre_30", Name: "Sports massage: pre-event", Duration: 30 * time.Minute, BufferAfter: 10 * time.Minute, NeedsRoom: true}, PriceCents: 6500, CourseSessions: 1},
	{Service: clinic.Service{Key: "sports_post_45", Name: "Sports massage: post-event recovery", Duration: 45 * time.Minute, BufferAfter: 15 * time.Minute, NeedsRoom: true}, PriceCents: 9000, CourseSessions: 1},
	{Service: clinic.Service{Key: "sports_maintenance_60", Name: "Sports massage: maintenance", Duration: 60 * time.Minute, BufferAfter: 15 * time.Minute, NeedsRoom: true}, PriceCents: 11500, CourseSessions: 3, Kind: clinic.KindMaintenance},
	{Service: clinic.Service{Key: "swedish_60", Name: "Swedish massage", Duration: 60 * time.Minute, BufferAfter: 15 * time.Minute, NeedsRoom: true}, PriceCents: 10500, CourseSessions: 1},
	{Service: clinic.Service{Key: "relaxation_60", Name: "Relaxation massage", Duration: 60 * time.Minute, BufferAfter: 15 * time.Minute, NeedsRoom: true}, PriceCents: 10000, CourseSessions: 1},
}

func shifts(spans ...[2]int) []clinic.Shift {
	var out []clinic.Shift
	for _, s := range spans {
		out = append(out, clinic.Shift{Start: clinic.ClockTime(s[0]), End: clinic.ClockTime(s[1])})
	}
	return out
}

// demoHours: Sam works weekdays with a lunch break, Priya mornings Tuesday to Saturday, Tom
// afternoons and evenings three days a week.
func demoHours() map[string]clinic.WeeklyHours {
	var sam, priya, tom clinic.WeeklyHours
	for d := time.Monday; d <= time.Friday; d++ {
		sam[d] = shifts([2]int{9 * 60, 12*60 + 30}, [2]int{13*60 + 30, 18 * 60})
	}
	for d := time.Tuesday; d <= time.Saturday; d++ {
		priya[d] = shifts([2]int{8 * 60, 14 * 60})
	}
	for _, d := range []time.Weekday{time.Monday, time.Wednesday, time.Friday} {
		tom[d] = shifts([2]int{12 * 60, 20 * 60})
	}
	return map[string]clinic.WeeklyHours{"sam@demo.allium.test": sam, "priya@demo.allium.test": priya, "tom@demo.allium.test": tom}
}

// seedCalendar sets up rooms, services, hours and a believable past and future of bookings.
// Bookings are made once: a database that already has appointments keeps them.
func seedCalendar(ctx context.Context, st *store.Store) error {
	for _, r := range []string{"Wattle room", "Banksia room", "Tui Na room"} {
		if _, err := st.EnsureRoom(ctx, store.System, r); err != nil {
			return err
		}
	}
	var ids []int64
	for i, sv := range demoServices {
		id, err := st.UpsertService(ctx, store.System, sv, i)
		if err != nil {
			return err
		}
		ids = append(ids, id)
	}
	set, err := st.Settings(ctx)
	if err != nil {
		return err
	}
	loc, err := set.Location()
	if err != nil {
		return err
	}
	var therapists []int64
	for email, h := range demoHours() {
		u, err := st.UserByEmail(ctx, email)
		if err != nil {
			return err
		}
		if _, err := st.SetHours(ctx, store.System, u.ID, h, loc); err != nil {
			return err
		}
		if err := st.SetTherapistServices(ctx, store.System, u.ID, ids); err != nil {
			return err
		}
		therapists = append(therapists, u.ID)
	}
	if n, err := st.CountAppointments(ctx); err != nil || n > 0 {
		return err
	}
	return seedBookings(ctx, st, loc, therapists, ids)
}

// seedBookings books courses for the demo clients from eight weeks ago to four weeks ahead,
// through the same BookCourse as everyone else, with the store's clock set to the day before
// each course so the rules accept it; sessions already past are marked completed.
func seedBookings(ctx context.Context, st *store.Store, loc *time.Location, therapists, services []int64) error {
	real := st.Now
	defer func() { st.Now = real }()
	now := real()
	rng := rand.New(rand.NewPCG(42, 2026))
	for i, p := range demoClients {
		u, err := st.UserByEmail(ctx, p.email)
		if err != nil {
			return err
		}
		clientID, err := st.ClientIDForUser(ctx, u.ID)
		if err != nil {
			return err
		}
		day := clinic.DateOf(now, loc).AddDays(-56 + i*2 + rng.IntN(3))
		tid := therapists[i%len(therapists)]
		svc := services[1]
		sessions := 3 + rng.IntN(2)
		if i%5 == 4 {
			svc, sessions = services[4+rng.IntN(6)], 1
		}
		st.Now = func() time.Time { return time.Date(day.Y, day.M, day.D, 0, 0, 0, 0, loc).Add(-24 * time.Hour) }
		if err := bookDemoCourse(ctx, st, loc, clientID, tid, svc, day, sessions); err != nil {
			return fmt.Errorf("demo booking for %s: %w", p.name, err)
		}
	}
	st.Now = real
	return st.CompletePast(ctx, store.System, now)
}

// bookDemoCourse finds the first day from `day` with a free morning time and books the course there.
func bookDemoCourse(ctx context.Context, st *store.Store, loc *time.Location, clientID, tid, svc int64, day clinic.Date, sessions int) error {
	sv, err := st.ServiceByID(ctx, svc)
	if err != nil {
		return err
	}
	for try := 0; try < 14; try++ {
		d := day.AddDays(try)
		from := time.Date(d.Y, d.M, d.D, 0, 0, 0, 0, loc)
		span := clinic.CourseRange(d, sessions, clinic.DefaultSpacing())
		q, err := st.SlotQuery(ctx, sv.Service, []int64{tid}, from, time.Date(span.To.Y, span.To.M, span.To.D+1, 0, 0, 0, 0, loc))
		if err != nil {
			return err
		}
		q.MinNotice = clinic.NoNotice
		free := clinic.FreeTimes(q)
		if len(free) == 0 || clinic.DateOf(free[0].Start, loc) != d {
			continue
		}
		var starts []time.Time
		for _, pr := range clinic.ProposeCourse(q, free[len(free)/3], sessions, clinic.DefaultSpacing()) {
			if pr.Found {
				starts = append(starts, pr.Slot.Start)
			}
		}
		_, err = st.BookCourse(ctx, store.System, store.BookingRequest{ClientID: clientID, ServiceID: svc, TherapistID: tid,
			Starts: starts, Consent: true, Reminders: true})
		return err
	}
	return nil
}
