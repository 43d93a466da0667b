package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"time"

	"allium/clinic"
	"allium/store"
)

// The large demo is a clinic of the size the benchmarks and load runs need: 20 therapists,
// 8 rooms, 100,000 clients and a million appointments over ten years. A million in ten years
// is denser than life (every therapist booked back to back, seven days a week), and with 20
// therapists sharing 8 rooms most sessions are home visits; the point is the size of the
// tables the queries run over, with a believable mix of statuses, courses and services.
const (
	largeTherapists = 20
	largeClients    = 100_000
	largeYears      = 10
	largeAheadDays  = 90 // the default booking horizon
)

var largeExtraTherapists = []string{
	"Aisha Karimi", "Ben Carter", "Chloe Nguyen", "David Okoro", "Ella Brennan", "Felix Wagner", "Grace Liu",
	"Hamish Reid", "Ines Alvarez", "James Park", "Keira Doyle", "Luca Romano", "Mia Sorensen", "Nikhil Rao",
	"Olive Bennett", "Pedro Silva", "Rosa Ahmadi",
}

var largeExtraRooms = []string{"Waratah room", "Grevillea room", "Bottlebrush room", "Lilly Pilly room", "Paperbark room"}

// largeHomeServices need no room: a session that finds every room taken becomes a home visit
// of the same length.
var largeHomeServices = []store.Service{
	{Service: clinic.Service{Key: "home_initial_75", Name: "Home visit: first assessment and treatment", Duration: 75 * time.Minute, BufferAfter: 15 * time.Minute}, PriceCents: 17500, CourseSessions: 1},
	{Service: clinic.Service{Key: "home_60", Name: "Home visit massage", Duration: 60 * time.Minute, BufferAfter: 15 * time.Minute}, PriceCents: 14500, CourseSessions: 4},
	{Service: clinic.Service{Key: "home_recovery_45", Name: "Home visit: recovery massage", Duration: 45 * time.Minute, BufferAfter: 15 * time.Minute}, PriceCents: 11500, CourseSessions: 1},
	{Service: clinic.Service{Key: "workplace_chair_30", Name: "Workplace chair massage", Duration: 30 * time.Minute, BufferAfter: 10 * time.Minute}, PriceCents: 6000, CourseSessions: 1},
}

// largePlanLayers are the services whose courses a plan may stand behind, with the modality
// the plan uses; largePlanShare of those courses followed an online assessment and a plan, and
// for every plan largeUnplanned more assessments led to none. The remedial and Tui Na courses
// are what the clinic's assessments are for; the rest of its trade is single visits.
var largePlanLayers = map[string]clinic.PlanLayer{
	"remedial_followup_60": clinic.PlanLayerRemedialTriggerPoint, "home_60": clinic.PlanLayerRemedialTriggerPoint,
	"tuina_60": clinic.PlanLayerTuiNa, "sports_maintenance_60": clinic.PlanLayerSportsRecovery,
}

const (
	largePlanShare = 0.4
	largeUnplanned = 0.3
)

// largeMix is how often each service is booked, in percent.
var largeMix = map[string]int{
	"remedial_initial_75": 6, "remedial_followup_60": 20, "reassessment_30": 18, "tuina_60": 12, "deep_tissue_60": 3,
	"sports_pre_30": 22, "sports_post_45": 8, "sports_maintenance_60": 6, "swedish_60": 2, "relaxation_60": 3,
}

var (
	largeFirstNames = []string{"Olivia", "Noah", "Charlotte", "Oliver", "Amelia", "Jack", "Isla", "William", "Mia", "Leo",
		"Ava", "Lucas", "Grace", "Henry", "Chloe", "Thomas", "Zoe", "James", "Ruby", "Ethan", "Sienna", "Liam", "Harper",
		"Mason", "Willow", "Hudson", "Ivy", "Archie", "Evie", "Oscar", "Aria", "Max", "Matilda", "Levi", "Sophie",
		"Arlo", "Layla", "Harrison", "Ella", "Hunter", "Priya", "Wei", "Aroha", "Tama", "Fatima", "Omar", "Yuki",
		"Hiroshi", "Ana", "Mateo", "Sofia", "Nikos", "Eleni", "Kofi", "Amara", "Ravi", "Anjali", "Minh", "Linh", "Jun"}
	largeLastNames = []string{"Smith", "Jones", "Williams", "Brown", "Wilson", "Taylor", "Johnson", "White", "Martin",
		"Anderson", "Thompson", "Nguyen", "Thomas", "Walker", "Harris", "Lee", "Ryan", "Robinson", "Kelly", "King",
		"Davis", "Wright", "Evans", "Roberts", "Green", "Hall", "Wood", "Jackson", "Clarke", "Patel", "Khan", "Chen",
		"Wang", "Li", "Zhang", "Singh", "Kaur", "Tran", "Le", "Pham", "Kim", "Park", "Papadopoulos", "Rossi", "Russo",
		"Murphy", "O'Brien", "Walsh", "Byrne", "Campbell", "Stewart", "Morris", "Cooper", "Ward", "Hughes", "Bell",
		"Murray", "Kennedy", "Mitchell", "Young"}
)

// largeClientEmail is the address of generated client i, the same on every run, so the first
// one marks a database that already holds the large clinic.
func largeClientEmail(i int) string {
	return fmt.Sprintf("client%06d@large.demo.allium.test", i)
}

func largeClientName(i int) string {
	n := len(largeFirstNames)
	return largeFirstNames[i%n] + " " + largeLastNames[(i/n+i*7)%len(largeLastNames)]
}

// seedLarge adds the large clinic on top of the small demo, once: a database that already has
// the first generated client keeps what it has.
func seedLarge(ctx context.Context, st *store.Store, stdout io.Writer) error {
	began := time.Now()
	set, err := st.Settings(ctx)
	if err != nil {
		return err
	}
	h := store.History{Now: st.Now().UTC().Truncate(time.Second), Seed: 20}
	if h.Loc, err = set.Location(); err != nil {
		return err
	}
	if err := largeStaff(ctx, st, &h); err != nil {
		return err
	}
	if _, err := st.UserByEmail(ctx, largeClientEmail(0)); err == nil {
		fmt.Fprintf(stdout, "The large clinic is already loaded (checked in %s).\n", time.Since(began).Round(time.Millisecond))
		return nil
	} else if !errors.Is(err, store.ErrNotFound) {
		return err
	}
	today := clinic.DateOf(h.Now, h.Loc)
	h.From, h.To = clinic.DateOf(h.Now.AddDate(-largeYears, 0, 0), h.Loc), today.AddDays(largeAheadDays)
	plans := store.PlanHistory{Loc: h.Loc, Now: h.Now, Share: largePlanShare, Unplanned: largeUnplanned, Seed: h.Seed,
		Layers: map[int64]clinic.PlanLayer{}}
	services, err := st.Services(ctx)
	if err != nil {
		return err
	}
	for _, sv := range services {
		if l, ok := largePlanLayers[sv.Key]; ok {
			plans.Layers[sv.ID] = l
		}
	}
	var clients, courses, appts int
	err = st.Bulk(ctx, store.System, func(b *store.BulkLoad) error {
		defer func() { clients, courses, appts = b.Clients, b.Courses, b.Appts }()
		since := time.Date(h.From.Y, h.From.M, h.From.D, 9, 0, 0, 0, h.Loc)
		for i := range largeClients {
			phone := fmt.Sprintf("04%02d %03d %03d", i%100, (i/100)%1000, (i*7919)%1000)
			id, err := b.AddClient(largeClientName(i), largeClientEmail(i), phone, since)
			if err != nil {
				return err
			}
			h.Clients = append(h.Clients, id)
		}
		if err := b.AddHistory(h); err != nil {
			return err
		}
		return b.AddPlans(plans)
	})
	if err != nil {
		return fmt.Errorf("large demo: %w", err)
	}
	fmt.Fprintf(stdout, "Large clinic: %d therapists, %d rooms, %d clients, %d courses and %d appointments from %s to %s, made in %s.\n",
		len(h.Therapists), len(h.Rooms), clients, courses, appts, h.From, h.To, time.Since(began).Round(time.Millisecond))
	return nil
}

// largeStaff makes sure the therapists, rooms, services and hours of the large clinic exist
// (safe to repeat) and fills them into h.
func largeStaff(ctx context.Context, st *store.Store, h *store.History) error {
	for i, name := range largeExtraTherapists {
		p := demoPerson{clinic.RoleTherapist, fmt.Sprintf("therapist%02d@demo.allium.test", i+4), name}
		if err := ensureUser(ctx, st, p); err != nil {
			return err
		}
	}
	for _, r := range largeExtraRooms {
		if _, err := st.EnsureRoom(ctx, store.System, r); err != nil {
			return err
		}
	}
	rooms, err := st.Rooms(ctx)
	if err != nil {
		return err
	}
	slices.SortFunc(rooms, func(a, b store.Room) int { return cmp.Compare(a.ID, b.ID) })
	for _, r := range rooms {
		h.Rooms = append(h.Rooms, r.ID)
	}
	for i, sv := range largeHomeServices {
		if _, err := st.UpsertService(ctx, store.System, sv, len(demoServices)+i); err != nil {
			return err
		}
	}
	if err := largeServices(ctx, st, h); err != nil {
		return err
	}
	return largeHours(ctx, st, h)
}

// largeServices lists every service with its share of bookings, and for each that needs a
// room the home visit of the same length.
func largeServices(ctx context.Context, st *store.Store, h *store.History) error {
	all, err := st.Services(ctx)
	if err != nil {
		return err
	}
	home := map[time.Duration]int64{}
	for _, sv := range all {
		if !sv.NeedsRoom {
			home[sv.Duration+sv.BufferAfter] = sv.ID
		}
	}
	for _, sv := range all {
		h.Services = append(h.Services, store.HistoryService{ID: sv.ID, Duration: sv.Duration, Buffer: sv.BufferAfter,
			NeedsRoom: sv.NeedsRoom, Course: sv.CourseSessions, Weight: largeMix[sv.Key], Home: home[sv.Duration+sv.BufferAfter]})
	}
	return nil
}

// largeHours gives the extra therapists fourteen-hour days every day, staggered by half an
// hour, and every therapist every service; the small demo's three keep their own hours.
func largeHours(ctx context.Context, st *store.Store, h *store.History) error {
	ts, err := st.Therapists(ctx)
	if err != nil {
		return err
	}
	if len(ts) != largeTherapists {
		return fmt.Errorf("large demo: %d therapists, want %d", len(ts), largeTherapists)
	}
	slices.SortFunc(ts, func(a, b store.User) int { return cmp.Compare(a.ID, b.ID) })
	var ids []int64
	for _, sv := range h.Services {
		ids = append(ids, sv.ID)
	}
	for i, t := range ts {
		hours, err := st.Hours(ctx, t.ID)
		if err != nil {
			return err
		}
		if i >= len(demoHours()) {
			from := 7*60 + 30*(i%2)
			for d := range hours {
				hours[d] = shifts([2]int{from, from + 14*60})
			}
			if _, err := st.SetHours(ctx, store.System, t.ID, hours, h.Loc); err != nil {
				return err
			}
		}
		if err := st.SetTherapistServices(ctx, store.System, t.ID, ids); err != nil {
			return err
		}
		h.Therapists = append(h.Therapists, store.HistoryTherapist{ID: t.ID, Hours: hours})
	}
	return nil
}
