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
	st, th, svc, cid, start := bookingFixture(t)
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
