package store_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"allium/store"
)

// TestMovesAndCancelsLeaveNoQueuedReminderForAnOldTimeOrACancelledAppointment: the owner's
// outbox lists, as queued, only reminders that will go: after a move, those of the new time;
// after a cancellation, none. The send-time check is not needed to make it so.
func TestMovesAndCancelsLeaveNoQueuedReminderForAnOldTimeOrACancelledAppointment(t *testing.T) {
	st, th, svc, cid, start := bookingFixture(t)
	ctx := context.Background()
	b, err := st.BookCourse(ctx, store.System, store.BookingRequest{ClientID: cid, ServiceID: svc, TherapistID: th,
		Starts: []time.Time{start, start.AddDate(0, 0, 7), start.AddDate(0, 0, 14)}, Reminders: true, Consent: true})
	if err != nil {
		t.Fatal(err)
	}
	moved, cancelled, kept := b.Appointments[0], b.Appointments[1], b.Appointments[2]
	for _, at := range []time.Time{start.Add(2 * time.Hour), start.Add(4 * time.Hour)} {
		if moved, err = st.Reschedule(ctx, store.System, moved.ID, at); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := st.Cancel(ctx, store.System, cancelled.ID, "test"); err != nil {
		t.Fatal(err)
	}

	rows, err := st.Outbox(ctx, store.System, store.OutboxFilter{Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	queued := map[int64]int{}
	for _, r := range rows {
		if r.Kind != "reminder" || r.Status != "queued" {
			continue
		}
		var p store.ApptMail
		if err := json.Unmarshal(r.Payload, &p); err != nil {
			t.Fatal(err)
		}
		queued[r.RefID]++
		switch r.RefID {
		case cancelled.ID:
			t.Errorf("reminder %s is queued for a cancelled appointment", r.DedupeKey)
		case moved.ID:
			if p.Version != moved.Version || !r.ExpiresAt.Equal(moved.Start) {
				t.Errorf("reminder %s is queued for version %d, expiring %v; want version %d at %v",
					r.DedupeKey, p.Version, r.ExpiresAt, moved.Version, moved.Start)
			}
		}
		if ok, err := st.StillWanted(ctx, r); err != nil || !ok {
			t.Errorf("queued reminder %s would not be sent (StillWanted %v, %v)", r.DedupeKey, ok, err)
		}
	}
	if queued[moved.ID] == 0 || queued[kept.ID] == 0 {
		t.Errorf("queued reminders by appointment %v; want the moved one's new ones and the untouched one's", queued)
	}
	// The course confirmation has not gone: it now lists the moved session at its new time and
	// not the cancelled one, and no separate move notice is queued for news the client never had.
	var conf store.ApptMail
	for _, r := range rows {
		if r.Kind == "confirmation" && r.Status == "queued" {
			if err := json.Unmarshal(r.Payload, &conf); err != nil {
				t.Fatal(err)
			}
		}
		if r.Kind == "reschedule" && r.Status == "queued" {
			t.Errorf("a move notice is queued (%s) though the client has had no email about the session", r.DedupeKey)
		}
	}
	if len(conf.Sessions) != 2 || conf.Sessions[0].ApptID != moved.ID || conf.Sessions[1].ApptID != kept.ID {
		t.Fatalf("queued confirmation lists %+v; want the moved and the kept session", conf.Sessions)
	}
	if want := moved.Start.In(start.Location()).Format("Mon 2 Jan 2006, 15:04 MST"); conf.Sessions[0].When != want {
		t.Errorf("confirmation names the moved session at %q; want %q", conf.Sessions[0].When, want)
	}
}
