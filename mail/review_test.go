package mail_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"allium/mail"
	"allium/store"
)

// TestReviewEmailsReadAsTheClinicWroteThem renders the review notice and the outcome request as
// the worker would, and checks what a client and a therapist read.
func TestReviewEmailsReadAsTheClinicWroteThem(t *testing.T) {
	f := newFixture(t, func(st *store.Store) mail.Transport { return mail.Mailbox{Store: st} })
	p := store.ReviewMail{ClientID: 1, ClientName: "Alex Chen", Therapist: "Sam Okafor", Goal: "Reverse the car without pain",
		Due: "Fri 20 Mar", DueDay: "2026-03-20", Booked: "Fri 20 Mar 2026, 10:00", ChartPath: "/clients/1/chart", BookPath: "/book"}
	for _, c := range []struct {
		kind, to  string
		therapist bool
		want      []string
	}{
		{"reassessment_due", "alex@example.com", false, []string{"Your review with Sam Okafor is on Fri 20 Mar", "Reverse the car without pain", "booked for Fri 20 Mar 2026, 10:00"}},
		{"reassessment_due", "sam@wattle.example", true, []string{"Review due: Alex Chen, Fri 20 Mar", "/clients/1/chart"}},
		{"outcome_request", "alex@example.com", false, []string{"Before your review", "0 (none) to 10", "Reverse the car without pain"}},
	} {
		p.ForTherapist = c.therapist
		key := c.kind + c.to
		if err := f.st.Enqueue(context.Background(), store.Email{Kind: c.kind, To: c.to, RefType: "plan", RefID: 1, DedupeKey: key, Payload: p}); err != nil {
			t.Fatal(err)
		}
		m, err := f.worker.Build(context.Background(), f.row(t, key))
		if err != nil {
			t.Fatalf("%s: %v", c.kind, err)
		}
		text := m.Subject + "\n" + string(m.Text)
		for _, w := range c.want {
			if !strings.Contains(text, w) {
				t.Errorf("%s to %s lacks %q:\n%s", c.kind, c.to, w, text)
			}
		}
		if strings.Contains(text, "<no value>") {
			t.Errorf("%s to %s has an empty placeholder:\n%s", c.kind, c.to, text)
		}
	}
}

func TestCourseEmailsReadTheGoalAndReview(t *testing.T) {
	f := newFixture(t, func(st *store.Store) mail.Transport { return mail.Mailbox{Store: st} })
	p := store.ApptMail{Version: 1, ClientName: "Alex Chen", Goal: "Turn my head fully without pain", Review: "Tue 12 Jan",
		Sessions: []store.SessionLine{{Index: 2, Size: 4, When: "Tue 5 Jan 2027, 10:00 AEDT", Therapist: "Sam Okafor",
			Service: "Remedial", ManagePath: "/m/x"}}}
	for _, kind := range []string{"confirmation", "reminder"} {
		if err := f.st.Enqueue(context.Background(), store.Email{Kind: kind, To: "alex@example.com", DedupeKey: kind, Payload: p}); err != nil {
			t.Fatal(err)
		}
		m, err := f.worker.Build(context.Background(), f.row(t, kind))
		if err != nil {
			t.Fatalf("%s: %v", kind, err)
		}
		for _, part := range []string{string(m.Text), string(m.HTML)} {
			for _, want := range []string{"Session 2 of 4", "Sam Okafor", "Goal: Turn my head fully without pain.", "Reassessment on Tue 12 Jan."} {
				if !strings.Contains(part, want) {
					t.Errorf("%s lacks %q:\n%s", kind, want, part)
				}
			}
		}
	}
}

// The confirmation states the clinic's own window, including none at all, and its own terms.
func TestConfirmationStatesTheClinicsPolicy(t *testing.T) {
	f := newFixture(t, func(st *store.Store) mail.Transport { return mail.Mailbox{Store: st} })
	ctx := context.Background()
	p := store.ApptMail{Version: 1, ClientName: "Alex Chen", Sessions: []store.SessionLine{{Index: 1, Size: 1,
		When: "Tue 5 Jan 2027, 10:00 AEDT", Therapist: "Sam Okafor", Service: "Remedial", ManagePath: "/m/x"}}}
	for i, c := range []struct {
		window    time.Duration
		terms     string
		want, not string
	}{
		{48 * time.Hour, "A late cancellation costs half the fee.", "up to 2 days before a session", "24 hours"},
		{0, "", "any time before a session starts", "24 hours"},
	} {
		set, err := f.st.Settings(ctx)
		if err != nil {
			t.Fatal(err)
		}
		set.CancelWindow, set.CancelTerms = c.window, c.terms
		if err := f.st.SaveSettings(ctx, store.System, set); err != nil {
			t.Fatal(err)
		}
		key := fmt.Sprintf("policy-%d", i)
		if err := f.st.Enqueue(ctx, store.Email{Kind: "confirmation", To: "alex@example.com", DedupeKey: key, Payload: p}); err != nil {
			t.Fatal(err)
		}
		m, err := f.worker.Build(ctx, f.row(t, key))
		if err != nil {
			t.Fatal(err)
		}
		for _, body := range []string{string(m.Text), string(m.HTML)} {
			if !strings.Contains(body, c.want) || !strings.Contains(body, c.terms) || strings.Contains(body, c.not) {
				t.Errorf("window %v: want %q and %q, not %q in:\n%s", c.window, c.want, c.terms, c.not, body)
			}
		}
	}
}
