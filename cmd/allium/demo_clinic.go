package main

import (
	"context"
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

// seedCalendar sets up rooms, services and hours, and returns the services by key.
func seedCalendar(ctx context.Context, st *store.Store, loc *time.Location) (map[string]store.Service, error) {
	for _, r := range []string{"Wattle room", "Banksia room", "Tui Na room"} {
		if _, err := st.EnsureRoom(ctx, store.System, r); err != nil {
			return nil, err
		}
	}
	services := map[string]store.Service{}
	var ids []int64
	for i, sv := range demoServices {
		id, err := st.UpsertService(ctx, store.System, sv, i)
		if err != nil {
			return nil, err
		}
		sv.ID = id
		services[sv.Key] = sv
		ids = append(ids, id)
	}
	for email, h := range demoHours() {
		u, err := st.UserByEmail(ctx, email)
		if err != nil {
			return nil, err
		}
		if _, err := st.SetHours(ctx, store.System, u.ID, h, loc); err != nil {
			return nil, err
		}
		if err := st.SetTherapistServices(ctx, store.System, u.ID, ids); err != nil {
			return nil, err
		}
	}
	return services, nil
}
