package store_test

import (
	"context"
	"testing"
	"time"

	"allium/clinic"
	"allium/internal/testkit"
	"allium/store"
)

// TestAppointmentMailIsWantedWhileTheAppointmentStandsAsItWas runs the send-time check on the
// rows a booking really queues: its confirmation and reminders go while the appointment is
// booked as it was; once it moves, the old ones stop and the news of the move goes; once the
// client is checked in, nothing about the old plan goes; a cancellation notice always does.
func TestAppointmentMailIsWantedWhileTheAppointmentStandsAsItWas(t *testing.T) {
	ctx := context.Background()
	wanted := func(t *testing.T, st *store.Store, r store.OutboxRow) bool {
		t.Helper()
		ok, err := st.StillWanted(ctx, r)
		if err != nil {
			t.Fatalf("StillWanted(%s): %v", r.DedupeKey, err)
		}
		return ok
	}
	mail := func(t *testing.T, st *store.Store, id int64) map[string][]store.OutboxRow {
		t.Helper()
		rows, err := st.Outbox(ctx, store.System, store.OutboxFilter{RefType: "appointment", RefID: id})
		if err != nil {
			t.Fatal(err)
		}
		byKind := map[string][]store.OutboxRow{}
		for _, r := range rows {
			byKind[r.Kind] = append(byKind[r.Kind], r)
		}
		return byKind
	}
	var clock *testkit.Clock // the last booked store's
	book := func(t *testing.T) (*store.Store, store.Appointment, time.Time) {
		t.Helper()
		var st *store.Store
		var th, svc, cid int64
		var start time.Time
		st, clock, th, svc, cid, start = bookingFixtureClock(t)
		b, err := st.BookCourse(ctx, store.System, store.BookingRequest{ClientID: cid, ServiceID: svc, TherapistID: th,
			Starts: []time.Time{start}, Reminders: true, Consent: true})
		if err != nil {
			t.Fatal(err)
		}
		return st, b.Appointments[0], start
	}

	t.Run("as booked, everything goes", func(t *testing.T) {
		st, ap, _ := book(t)
		m := mail(t, st, ap.ID)
		if len(m["confirmation"]) != 1 || len(m["reminder"]) == 0 {
			t.Fatalf("queued %v; want a confirmation and reminders", m)
		}
		for _, r := range append(m["confirmation"], m["reminder"]...) {
			if !wanted(t, st, r) {
				t.Errorf("%s not wanted for an unchanged booking", r.DedupeKey)
			}
		}
	})
	t.Run("moved: the old mail stops, the news of the move goes", func(t *testing.T) {
		st, ap, start := book(t)
		before := mail(t, st, ap.ID)
		if _, err := st.Reschedule(ctx, store.System, ap.ID, start.Add(2*time.Hour)); err != nil {
			t.Fatal(err)
		}
		for _, r := range append(before["confirmation"], before["reminder"]...) {
			if wanted(t, st, r) {
				t.Errorf("%s still wanted after the move", r.DedupeKey)
			}
		}
		// Nothing had gone yet, so the client's first email is a confirmation of the new time.
		var queued []store.OutboxRow
		for _, r := range mail(t, st, ap.ID)["confirmation"] {
			if r.Status == "queued" {
				queued = append(queued, r)
			}
		}
		if len(queued) != 1 || !wanted(t, st, queued[0]) {
			t.Errorf("the confirmation of the new time: %v; want one, wanted", queued)
		}
	})
	t.Run("checked in: the reminders stop", func(t *testing.T) {
		st, ap, _ := book(t)
		clock.Set(ap.Start.Add(-10 * time.Minute)) // check-in opens on the day, shortly before the start
		if _, err := st.SetStatus(ctx, store.System, ap.ID, clinic.ApptCheckedIn); err != nil {
			t.Fatal(err)
		}
		reminders := mail(t, st, ap.ID)["reminder"]
		if len(reminders) == 0 {
			t.Fatal("no reminders were queued")
		}
		for _, r := range reminders {
			if wanted(t, st, r) {
				t.Errorf("%s still wanted after check-in", r.DedupeKey)
			}
		}
	})
	t.Run("cancelled: the notice goes, the reminders do not", func(t *testing.T) {
		st, ap, _ := book(t)
		if _, err := st.Cancel(ctx, store.System, ap.ID, "unwell"); err != nil {
			t.Fatal(err)
		}
		m := mail(t, st, ap.ID)
		if len(m["cancellation"]) != 1 || !wanted(t, st, m["cancellation"][0]) {
			t.Errorf("the cancellation notice: %v; want one, wanted", m["cancellation"])
		}
		for _, r := range append(m["confirmation"], m["reminder"]...) {
			if wanted(t, st, r) {
				t.Errorf("%s still wanted after the cancellation", r.DedupeKey)
			}
		}
	})
}
