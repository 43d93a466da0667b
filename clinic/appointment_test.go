package clinic

import (
	"errors"
	"testing"
	"time"
)

// TestNextApptStatus is the appointment lifecycle: each row is one change asked for by one
// person at one moment, and what the rule answers.
func TestNextApptStatus(t *testing.T) {
	start := time.Date(2027, 3, 10, 10, 0, 0, 0, time.UTC)
	week, hour := start.AddDate(0, 0, -7), start.Add(-time.Hour)
	window := 24 * time.Hour
	tests := []struct {
		name   string
		ev     ApptEvent
		by     Role
		status ApptStatus
		now    time.Time
		want   ApptStatus
		err    string // "status", "not yours", "too late" or "" for allowed
	}{
		{"reception checks a client in", ApptCheckIn, RoleReception, ApptBooked, hour, ApptCheckedIn, ""},
		{"a therapist checks a client in", ApptCheckIn, RoleTherapist, ApptBooked, hour, ApptCheckedIn, ""},
		{"a client cannot check in", ApptCheckIn, RoleClient, ApptBooked, hour, ApptBooked, "not yours"},
		{"a client cannot mark a no-show, whatever the status", ApptMarkNoShow, RoleClient, ApptCancelled, hour, ApptCancelled, "not yours"},
		{"checked in twice", ApptCheckIn, RoleReception, ApptCheckedIn, hour, ApptCheckedIn, "status"},
		{"a no-show cannot be checked in", ApptCheckIn, RoleReception, ApptNoShow, hour, ApptNoShow, "status"},
		{"completed after check-in", ApptComplete, RoleOwner, ApptCheckedIn, start, ApptCompleted, ""},
		{"completed without check-in", ApptComplete, RoleOwner, ApptBooked, start, ApptCompleted, ""},
		{"a cancelled one cannot be completed", ApptComplete, RoleOwner, ApptCancelled, start, ApptCancelled, "status"},
		{"no-show of a booked one", ApptMarkNoShow, RoleReception, ApptBooked, start, ApptNoShow, ""},
		{"no-show after check-in", ApptMarkNoShow, RoleReception, ApptCheckedIn, start, ApptCheckedIn, "status"},
		{"a client cancels a week ahead", ApptCancel, RoleClient, ApptBooked, week, ApptCancelled, ""},
		{"a client cannot cancel inside the window", ApptCancel, RoleClient, ApptBooked, hour, ApptBooked, "too late"},
		{"a client cannot cancel after the start", ApptCancel, RoleClient, ApptBooked, start.Add(time.Hour), ApptBooked, "too late"},
		{"reception cancels inside the window", ApptCancel, RoleReception, ApptBooked, hour, ApptCancelled, ""},
		{"cancelled twice", ApptCancel, RoleReception, ApptCancelled, week, ApptCancelled, "status"},
		{"a completed one cannot be cancelled", ApptCancel, RoleReception, ApptCompleted, week, ApptCompleted, "status"},
		{"a status refusal comes before the time", ApptCancel, RoleClient, ApptCancelled, hour, ApptCancelled, "status"},
		{"a client moves a week ahead", ApptMove, RoleClient, ApptBooked, week, ApptBooked, ""},
		{"a client cannot move inside the window", ApptMove, RoleClient, ApptBooked, hour, ApptBooked, "too late"},
		{"reception moves inside the window", ApptMove, RoleReception, ApptBooked, hour, ApptBooked, ""},
		{"a checked-in one cannot be moved", ApptMove, RoleReception, ApptCheckedIn, hour, ApptCheckedIn, "status"},
		{"someone signed out cannot move one", ApptMove, "", ApptBooked, week, ApptBooked, "not yours"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := NextApptStatus(ApptChange{Event: tt.ev, By: tt.by, Status: tt.status, Start: start, Now: tt.now, CancelWindow: window, CheckInLead: time.Hour})
			var status *ErrApptStatus
			var notYours *ErrApptNotYours
			kind := ""
			switch {
			case errors.As(err, &status):
				kind = "status"
			case errors.As(err, &notYours):
				kind = "not yours"
			case errors.Is(err, ErrApptTooLate):
				kind = "too late"
			case err != nil:
				kind = err.Error()
			}
			if got != tt.want || kind != tt.err {
				t.Errorf("got %q, %q (%v); want %q, %q", got, kind, err, tt.want, tt.err)
			}
		})
	}
}

// A refusal is a sentence reception can read beside the button they pressed.
func TestApptRefusalWords(t *testing.T) {
	_, err := NextApptStatus(ApptChange{Event: ApptCheckIn, By: RoleReception, Status: ApptNoShow})
	if want := "This appointment is no-show, so it cannot be checked in."; err == nil || err.Error() != want {
		t.Errorf("got %v; want %q", err, want)
	}
	_, err = NextApptStatus(ApptChange{Event: ApptCancel, By: RoleReception, Status: ApptCompleted})
	if want := "This appointment is completed, so it cannot be cancelled."; err == nil || err.Error() != want {
		t.Errorf("got %v; want %q", err, want)
	}
}

// The desk records three outcomes, each by its own event; nothing else is a record.
func TestApptRecordEvent(t *testing.T) {
	want := map[ApptStatus]ApptEvent{ApptCheckedIn: ApptCheckIn, ApptCompleted: ApptComplete, ApptNoShow: ApptMarkNoShow}
	for _, st := range ApptRecordStatuses() {
		if ev, ok := ApptRecordEvent(st); !ok || ev != want[st] {
			t.Errorf("%s: got %q, %v; want %q", st, ev, ok, want[st])
		}
	}
	for _, st := range []ApptStatus{ApptBooked, ApptCancelled, "confirmed"} {
		if ev, ok := ApptRecordEvent(st); ok {
			t.Errorf("%s: got %q; want none", st, ev)
		}
	}
}

// What each status means for the time it holds, for the client's other bookings and for notes.
func TestApptStatusMeanings(t *testing.T) {
	tests := []struct {
		s                                ApptStatus
		holdsTime, attending, takesPlace bool
	}{
		{ApptBooked, true, true, true},
		{ApptCheckedIn, true, true, true},
		{ApptCompleted, true, false, true},
		{ApptNoShow, true, false, false},
		{ApptCancelled, false, false, false},
	}
	for _, tt := range tests {
		if tt.s.HoldsTime() != tt.holdsTime || tt.s.Attending() != tt.attending || tt.s.TakesPlace() != tt.takesPlace {
			t.Errorf("%s: holds time %v, attending %v, takes place %v; want %v, %v, %v", tt.s,
				tt.s.HoldsTime(), tt.s.Attending(), tt.s.TakesPlace(), tt.holdsTime, tt.attending, tt.takesPlace)
		}
	}
}
