package store_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"allium/clinic"
	"allium/store"
)

// TestAHeldTimeIsTakenForEveryone: while a visitor's hold lives, reception cannot book its time
// nor move another booking onto it; the link books it once; an expired hold frees its time.
func TestAHeldTimeIsTakenForEveryone(t *testing.T) {
	st, th, svc, cid, start := bookingFixture(t)
	ctx := context.Background()
	hold := func(at time.Time, email string) error {
		return st.HoldBooking(ctx, "192.0.2.1", store.HoldRequest{TTL: 15 * time.Minute,
			BookingRequest: store.BookingRequest{ServiceID: svc, TherapistID: th, Starts: []time.Time{at}, Consent: true},
			Visitor:        store.Visitor{Name: "Vi Sitor", Email: email, Phone: "0400 000 000"}})
	}
	if err := hold(start, "vi@example.com"); err != nil {
		t.Fatal(err)
	}
	taken := func(err error) bool {
		var se *store.SessionError
		return errors.As(err, &se) && errors.Is(se.Err, clinic.ErrSlotTaken)
	}
	_, err := st.BookCourse(ctx, store.System, store.BookingRequest{ClientID: cid, ServiceID: svc, TherapistID: th,
		Starts: []time.Time{start.Add(30 * time.Minute)}, Consent: true})
	if !taken(err) {
		t.Errorf("reception booking over a held time: %v; want taken", err)
	}
	b, err := st.BookCourse(ctx, store.System, store.BookingRequest{ClientID: cid, ServiceID: svc, TherapistID: th,
		Starts: []time.Time{start.Add(3 * time.Hour)}, Consent: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Reschedule(ctx, store.System, b.Appointments[0].ID, start); err == nil {
		t.Error("a booking was moved onto a held time")
	}
	if err := hold(start, "someone.else@example.com"); !taken(err) {
		t.Errorf("a second hold of the same time: %v; want taken", err)
	}

	// The first hold's link books it, once.
	rows, err := st.Outbox(ctx, store.Actor{Role: clinic.RoleOwner}, store.OutboxFilter{Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	var mail store.HoldMail
	for _, r := range rows {
		if r.Kind == "booking_hold" && r.To == "vi@example.com" {
			if err := json.Unmarshal(r.Payload, &mail); err != nil {
				t.Fatal(err)
			}
		}
	}
	tok := mail.Token
	if tok == "" || len(mail.Sessions) != 1 || mail.Minutes != 15 {
		t.Fatalf("the hold's email = %+v; want a link, the session and its 15 minutes", mail)
	}
	booked, err := st.CompleteHold(ctx, "192.0.2.9", tok)
	if err != nil || len(booked.Appointments) != 1 || booked.User == nil || booked.User.Email != "vi@example.com" {
		t.Fatalf("CompleteHold = %+v, %v; want one session booked for a new account", booked, err)
	}
	if _, err := st.CompleteHold(ctx, "192.0.2.9", tok); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("the link a second time: %v; want ErrNotFound", err)
	}

	// An expired hold frees its time.
	later := start.Add(24 * time.Hour)
	if err := hold(later, "late@example.com"); err != nil {
		t.Fatal(err)
	}
	now := st.Now()
	st.Now = func() time.Time { return now.Add(16 * time.Minute) }
	if _, err := st.BookCourse(ctx, store.System, store.BookingRequest{ClientID: cid, ServiceID: svc, TherapistID: th,
		Starts: []time.Time{later}, Consent: true}); err != nil {
		t.Errorf("booking the time of an expired hold: %v", err)
	}
}
