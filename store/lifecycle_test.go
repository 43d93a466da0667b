package store_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"allium/clinic"
	"allium/store"
)

// The store asks clinic's appointment rules inside its transaction and turns each refusal into
// what the caller handles: not yours is not found, a status moved on is a conflict carrying the
// sentence reception reads, and too late for a client is ErrTooLate.
func TestAppointmentChangesFollowClinicsRules(t *testing.T) {
	ctx := context.Background()
	st, clock, th, svc, cid, start := bookingFixtureClock(t)
	client := store.Actor{Role: clinic.RoleClient, ClientID: cid}
	book := func(t *testing.T, at time.Time) store.Appointment {
		t.Helper()
		b, err := st.BookCourse(ctx, store.System, store.BookingRequest{ClientID: cid, ServiceID: svc, TherapistID: th,
			Starts: []time.Time{at}})
		if err != nil {
			t.Fatal(err)
		}
		return b.Appointments[0]
	}

	t.Run("a client cannot record their own check-in", func(t *testing.T) {
		ap := book(t, start)
		if _, err := st.SetStatus(ctx, client, ap.ID, clinic.ApptCheckedIn); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("err = %v; want ErrNotFound", err)
		}
	})
	t.Run("a no-show cannot be checked in", func(t *testing.T) {
		ap := book(t, start.Add(2*time.Hour))
		defer clock.Set(clock.Now())
		clock.Set(ap.Start.Add(10 * time.Minute))
		if _, err := st.SetStatus(ctx, store.System, ap.ID, clinic.ApptNoShow); err != nil {
			t.Fatal(err)
		}
		_, err := st.SetStatus(ctx, store.System, ap.ID, clinic.ApptCheckedIn)
		if !errors.Is(err, store.ErrConflict) || !strings.Contains(err.Error(), "This appointment is no-show, so it cannot be checked in.") {
			t.Errorf("err = %v; want a conflict saying why", err)
		}
		got, err := st.AppointmentByID(ctx, store.System, ap.ID)
		if err != nil || got.Status != clinic.ApptNoShow {
			t.Errorf("status after the refusal: %q (%v); want no_show unchanged", got.Status, err)
		}
	})
	t.Run("a client inside the window must call; reception may cancel", func(t *testing.T) {
		tomorrow := time.Date(2026, 11, 26, 10, 0, 0, 0, start.Location()) // 14 hours after the fixture's now
		ap := book(t, tomorrow)
		if _, err := st.Cancel(ctx, client, ap.ID, "ill"); !errors.Is(err, store.ErrTooLate) {
			t.Errorf("client's cancel: err = %v; want ErrTooLate", err)
		}
		done, err := st.Cancel(ctx, store.System, ap.ID, "ill")
		if err != nil || done.Status != clinic.ApptCancelled || !done.LateCancel {
			t.Errorf("reception's cancel: %q late=%v (%v); want a late cancellation", done.Status, done.LateCancel, err)
		}
	})
}

// The desk's record of a session waits for its time and can be taken back on its day: a
// check-in two days ahead is refused with when it opens; a completion is undone to checked in,
// then the check-in to booked; the audit log keeps every record and every undo; the next day
// nothing is undone.
func TestTheDesksRecordFollowsTheSessionsDay(t *testing.T) {
	ctx := context.Background()
	st, clock, th, svc, cid, start := bookingFixtureClock(t)
	b, err := st.BookCourse(ctx, store.System, store.BookingRequest{ClientID: cid, ServiceID: svc, TherapistID: th,
		Starts: []time.Time{start}})
	if err != nil {
		t.Fatal(err)
	}
	id := b.Appointments[0].ID
	desk := store.Actor{Role: clinic.RoleReception}
	var timing *clinic.ErrApptTiming
	if _, err := st.SetStatus(ctx, desk, id, clinic.ApptCheckedIn); !errors.As(err, &timing) ||
		err.Error() != "Check-in opens at 09:00 on Tue 1 Dec." {
		t.Fatalf("check-in days ahead: %v; want refused with when it opens", err)
	}
	if _, err := st.SetStatus(ctx, desk, id, clinic.ApptCompleted); !errors.As(err, &timing) {
		t.Fatalf("completed days ahead: %v; want refused", err)
	}
	clock.Set(start.Add(-20 * time.Minute))
	if _, err := st.SetStatus(ctx, desk, id, clinic.ApptCheckedIn); err != nil {
		t.Fatal(err)
	}
	clock.Set(start.Add(65 * time.Minute))
	if _, err := st.SetStatus(ctx, desk, id, clinic.ApptCompleted); err != nil {
		t.Fatal(err)
	}
	for _, want := range []clinic.ApptStatus{clinic.ApptCheckedIn, clinic.ApptBooked} {
		got, err := st.UndoStatus(ctx, desk, id)
		if err != nil || got.Status != want {
			t.Fatalf("undo: %q (%v); want %q", got.Status, err, want)
		}
	}
	ap, err := st.AppointmentByID(ctx, desk, id)
	if err != nil || ap.Status != clinic.ApptBooked || ap.CheckedIn {
		t.Fatalf("after both undos: %q checked in %v (%v); want booked without a check-in", ap.Status, ap.CheckedIn, err)
	}
	log, err := st.AuditLog(ctx, store.Actor{Role: clinic.RoleOwner}, store.AuditFilter{RecordType: "appointment", RecordID: id})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for i := len(log) - 1; i >= 0; i-- {
		if log[i].Action != "create" && log[i].Action != "book" {
			got = append(got, log[i].Action+" "+log[i].Detail)
		}
	}
	want := "checked_in |completed |undo completed -> checked_in|undo checked_in -> booked"
	if strings.Join(got, "|") != want {
		t.Errorf("audit log: %q; want %q", strings.Join(got, "|"), want)
	}

	if _, err := st.SetStatus(ctx, desk, id, clinic.ApptNoShow); err != nil {
		t.Fatal(err)
	}
	clock.Set(start.AddDate(0, 0, 1))
	if _, err := st.UndoStatus(ctx, desk, id); !errors.As(err, &timing) || err.Error() != "Only a change made today can be undone." {
		t.Errorf("undo the next day: %v; want refused", err)
	}
	if _, err := st.UndoStatus(ctx, store.Actor{Role: clinic.RoleClient, ClientID: cid}, id); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a client's undo: %v; want not found", err)
	}
}
