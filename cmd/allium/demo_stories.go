package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"time"

	"allium/assets"
	"allium/clinic"
	"allium/mail"
	"allium/store"
	"allium/views"
)

// Therapists in the stories: 0 Sam (weekdays), 1 Priya (Tuesday to Saturday mornings), 2 Tom
// (Monday, Wednesday and Friday afternoons).
const (
	sam = iota
	priya
	tom
)

// demoStories are the clients whose care the demo follows, by their place in demoClients.
// Between them they show every class of assessment, every state a plan can be in, cautions,
// a referral, clients due for review and for maintenance, and clients who stopped coming.
var demoStories = []demoStory{
	// Alex Chen, the client the README names: mid-course, readings improving, sessions ahead.
	{client: 0, therapist: sam, profile: profileNeck, first: -24, sessions: 5, end: endRunning},
	{client: 1, therapist: priya, profile: profileTension, first: -150, sessions: 4, end: endGoalMet},
	{client: 2, therapist: tom, profile: profileRunner, first: -120, sessions: 4, end: endMaintenance},
	{client: 3, therapist: sam, profile: profileNeck, first: -60, sessions: 4, end: endExtend, caution: "blood_thinners"},
	{client: 5, therapist: tom, profile: profileMixed, first: -45, sessions: 4, end: endChange},
	{client: 6, therapist: sam, profile: profileShoulderWeak, first: -130, sessions: 3, end: endRefer},
	{client: 7, therapist: priya, profile: profileTension, first: -40, sessions: 4, end: endHold},
	{client: 8, therapist: priya, profile: profileTension, first: -70, sessions: 3, end: endGoalMet, caution: "pregnant"},
	{client: 9, therapist: tom, profile: profileRunner, first: -175, sessions: 3, end: endLapsed},
	{client: 11, therapist: sam, profile: profileLowBack, first: -100, sessions: 4, end: endDropped},
	{client: 12, therapist: tom, profile: profileNeck, first: -38, sessions: 4, end: endDropped},
	{client: 13, therapist: sam, profile: profileMixed, first: -110, sessions: 4, end: endStop},
	{client: 14, therapist: priya, profile: profileLowBack, first: -52, sessions: 4, end: endDue, caution: "cancer"},
	{client: 15, therapist: sam, profile: profileNeck, first: 5, sessions: 4, end: endRunning},
	{client: 16, therapist: sam, profile: profileLowBack, first: -6, sessions: 4, end: endDraft},
	{client: 17, therapist: priya, profile: profileTension, first: -90, sessions: 4, end: endAbandoned},
	{client: 18, therapist: tom, profile: profileRunner, first: -20, sessions: 4, end: endRunning},
	{client: 19, therapist: priya, profile: profileTension, first: -15, sessions: 4, end: endRunning},
	{client: 21, therapist: sam, profile: profileLowBack, first: -165, sessions: 4, end: endGoalMet},
	{client: 23, therapist: tom, profile: profileMixed, first: -80, sessions: 4, end: endGoalMet},
	{client: 25, therapist: priya, profile: profileNeck, first: -9, sessions: 4, end: endRunning},
	{client: 27, therapist: sam, profile: profileRunner, first: -140, sessions: 3, end: endMaintenance},
	{client: 29, therapist: tom, profile: profileNeck, first: -3, sessions: 4, end: endRunning},
	{client: 31, therapist: priya, profile: profileLowBack, first: 12, sessions: 4, end: endRunning},
	{client: 33, therapist: sam, profile: profileTension, first: 26, sessions: 4, end: endRunning},
	{client: 35, therapist: tom, profile: profileRunner, first: 40, sessions: 4, end: endRunning},
	{client: 37, therapist: sam, profile: profileNeck, first: -28, sessions: 4, end: endDue},
}

// demoUrgent is the client whose assessment stopped at the safety gate: booking is closed
// online until the clinic has spoken with them.
const demoUrgent = 10

// seedHistory tells every story, gives the other clients one-off visits every few weeks,
// and brings the mail up to `now`.
func seedHistory(ctx context.Context, st *store.Store, baseURL string, loc *time.Location, services map[string]store.Service, now time.Time) error {
	as, err := assets.New()
	if err != nil {
		return err
	}
	vs, err := views.New(as.URL)
	if err != nil {
		return err
	}
	h := &demoClinic{st: st, loc: loc, now: now, today: clinic.DateOf(now, loc), services: services,
		rng: rand.New(rand.NewPCG(42, 2026))}
	clock := func() time.Time { return st.Now() }
	h.mailer = &mail.Worker{Store: st, Views: vs, Transport: mail.Mailbox{Store: st}, From: "no-reply@allium.localhost",
		BaseURL: baseURL, Now: clock, Wanted: st.StillWanted, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	for _, email := range []string{"sam@demo.allium.test", "priya@demo.allium.test", "tom@demo.allium.test", "desk@demo.allium.test"} {
		u, err := st.UserByEmail(ctx, email)
		if err != nil {
			return err
		}
		a := store.Actor{UserID: u.ID, Role: u.Role}
		if u.Role == clinic.RoleReception {
			h.desk = a
		} else {
			h.therapists = append(h.therapists, a)
		}
	}
	for _, p := range demoClients {
		u, err := st.UserByEmail(ctx, p.email)
		if err != nil {
			return err
		}
		cid, err := st.ClientIDForUser(ctx, u.ID)
		if err != nil {
			return err
		}
		h.clients = append(h.clients, store.Actor{UserID: u.ID, Role: clinic.RoleClient, ClientID: cid})
	}
	told := map[int]bool{demoUrgent: true}
	for _, s := range demoStories {
		told[s.client] = true
		if err := h.tell(ctx, s); err != nil && !errors.Is(err, errNoTime) {
			return fmt.Errorf("demo story of %s: %w", demoClients[s.client].name, err)
		}
	}
	h.at(now.Add(-52 * time.Hour))
	if _, err := h.assess(ctx, h.clients[demoUrgent], answersUrgent); err != nil {
		return err
	}
	oneOff := []string{"relaxation_60", "sports_post_45", "swedish_60", "deep_tissue_60", "tuina_60", "sports_pre_30"}
	for i := range demoClients {
		if told[i] {
			continue
		}
		key := oneOff[i%len(oneOff)]
		if err := h.visits(ctx, h.clients[i], h.therapists[i%3], key, -182+i%14, 5+i%3*5); err != nil {
			return fmt.Errorf("demo visits of %s: %w", demoClients[i].name, err)
		}
	}
	h.at(now)
	if _, err := (&mail.Scheduler{Store: st, Now: clock}).Scan(ctx); err != nil {
		return err
	}
	return h.drain(ctx)
}
