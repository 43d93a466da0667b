package clinic

import (
	"errors"
	"slices"
	"testing"
	"time"
)

// TestApptTimeRules is the order of a session's day: check-in opens a set time before the
// start, on the day; completed and no-show only once it has started; the note is written
// from the day and signed once the session has started; the desk's record is undone only on
// the day it was made. Days are the clinic's (Sydney), not UTC's.
func TestApptTimeRules(t *testing.T) {
	syd, err := time.LoadLocation("Australia/Sydney")
	if err != nil {
		t.Fatal(err)
	}
	at := func(day, hour, min int) time.Time { return time.Date(2027, 3, day, hour, min, 0, 0, syd) }
	start := at(10, 10, 0) // Wednesday 10 March, 10:00
	tests := []struct {
		name      string
		ev        ApptEvent
		by        Role
		status    ApptStatus
		start     time.Time
		now       time.Time
		statusAt  time.Time
		checkedIn bool
		want      ApptStatus
		err       string // the refusal's sentence, "status", "not yours", or "" when allowed
	}{
		{"check-in before it opens", ApptCheckIn, RoleReception, ApptBooked, start, at(10, 8, 59), time.Time{}, false, ApptBooked,
			"Check-in opens at 09:00 on Wed 10 Mar."},
		{"check-in two days ahead", ApptCheckIn, RoleReception, ApptBooked, start, at(8, 10, 0), time.Time{}, false, ApptBooked,
			"Check-in opens at 09:00 on Wed 10 Mar."},
		{"check-in as it opens", ApptCheckIn, RoleReception, ApptBooked, start, at(10, 9, 0), time.Time{}, false, ApptCheckedIn, ""},
		{"check-in of a client running late", ApptCheckIn, RoleReception, ApptBooked, start, at(10, 10, 20), time.Time{}, false, ApptCheckedIn, ""},
		{"check-in the next day", ApptCheckIn, RoleReception, ApptBooked, start, at(11, 9, 0), time.Time{}, false, ApptBooked,
			"This appointment was on an earlier day, so it cannot be checked in; mark it completed or a no-show."},
		{"check-in never opens the day before", ApptCheckIn, RoleReception, ApptBooked, at(10, 0, 30), at(9, 23, 45), time.Time{}, false, ApptBooked,
			"Check-in opens at 00:00 on Wed 10 Mar."},
		{"completed before the start", ApptComplete, RoleReception, ApptCheckedIn, start, at(10, 9, 59), time.Time{}, false, ApptCheckedIn,
			"This appointment has not started yet, so it cannot be marked completed."},
		{"completed two days ahead", ApptComplete, RoleReception, ApptBooked, start, at(8, 12, 0), time.Time{}, false, ApptBooked,
			"This appointment has not started yet, so it cannot be marked completed."},
		{"completed at the start", ApptComplete, RoleReception, ApptCheckedIn, start, start, time.Time{}, false, ApptCompleted, ""},
		{"completed a week later", ApptComplete, RoleReception, ApptBooked, start, at(17, 9, 0), time.Time{}, false, ApptCompleted, ""},
		{"no-show before the start", ApptMarkNoShow, RoleReception, ApptBooked, start, at(10, 9, 30), time.Time{}, false, ApptBooked,
			"This appointment has not started yet, so it cannot be marked as a no-show."},
		{"no-show after the start", ApptMarkNoShow, RoleReception, ApptBooked, start, at(10, 10, 15), time.Time{}, false, ApptNoShow, ""},

		{"undo a check-in", ApptUndo, RoleReception, ApptCheckedIn, start, at(10, 9, 10), at(10, 9, 5), true, ApptBooked, ""},
		{"undo a completion after a check-in", ApptUndo, RoleReception, ApptCompleted, start, at(10, 11, 10), at(10, 11, 5), true, ApptCheckedIn, ""},
		{"undo a completion without one", ApptUndo, RoleTherapist, ApptCompleted, start, at(10, 11, 10), at(10, 11, 5), false, ApptBooked, ""},
		{"undo a no-show", ApptUndo, RoleReception, ApptNoShow, start, at(10, 17, 0), at(10, 10, 30), false, ApptBooked, ""},
		{"undo the next day", ApptUndo, RoleReception, ApptNoShow, start, at(11, 8, 0), at(10, 10, 30), false, ApptNoShow,
			"Only a change made today can be undone."},
		{"undo after midnight in the clinic, the same UTC day", ApptUndo, RoleReception, ApptCompleted, start, at(11, 0, 10), at(10, 23, 30), false, ApptCompleted,
			"Only a change made today can be undone."},
		{"undo of a status nobody recorded", ApptUndo, RoleOwner, ApptCompleted, start, at(10, 11, 0), time.Time{}, false, ApptCompleted,
			"Only a change made today can be undone."},
		{"nothing to undo on a booking", ApptUndo, RoleReception, ApptBooked, start, at(10, 11, 0), at(10, 9, 0), false, ApptBooked, "status"},
		{"a cancellation is not undone", ApptUndo, RoleReception, ApptCancelled, start, at(10, 11, 0), at(10, 9, 0), false, ApptCancelled, "status"},
		{"a client cannot undo", ApptUndo, RoleClient, ApptNoShow, start, at(10, 11, 0), at(10, 10, 30), false, ApptNoShow, "not yours"},

		{"a note drafted the day before", ApptDraftNote, RoleTherapist, ApptBooked, start, at(9, 17, 0), time.Time{}, false, ApptBooked,
			"A note can be written from the day of the session, Wed 10 Mar."},
		{"a note drafted three weeks ahead", ApptDraftNote, RoleTherapist, ApptBooked, start, at(10, 10, 0).AddDate(0, 0, -21), time.Time{}, false, ApptBooked,
			"A note can be written from the day of the session, Wed 10 Mar."},
		{"a note drafted before the client arrives", ApptDraftNote, RoleTherapist, ApptBooked, start, at(10, 7, 30), time.Time{}, false, ApptBooked, ""},
		{"a note drafted after", ApptDraftNote, RoleTherapist, ApptCompleted, start, at(12, 7, 30), time.Time{}, false, ApptCompleted, ""},
		{"a note signed before the start", ApptSignNote, RoleTherapist, ApptCheckedIn, start, at(10, 9, 55), time.Time{}, false, ApptCheckedIn,
			"This session starts at 10:00, so its note cannot be signed yet. Save it as a draft and sign it once the session has started."},
		{"a note signed days ahead", ApptSignNote, RoleTherapist, ApptBooked, start, at(3, 9, 55), time.Time{}, false, ApptBooked,
			"A note can be written from the day of the session, Wed 10 Mar."},
		{"a note signed once the session started", ApptSignNote, RoleTherapist, ApptCheckedIn, start, at(10, 10, 0), time.Time{}, false, ApptCheckedIn, ""},
		{"a note signed a week later", ApptSignNote, RoleTherapist, ApptCompleted, start, at(17, 10, 0), time.Time{}, false, ApptCompleted, ""},
		{"no note for a no-show", ApptSignNote, RoleTherapist, ApptNoShow, start, at(10, 11, 0), time.Time{}, false, ApptNoShow, "status"},
		{"no note for a cancelled session", ApptDraftNote, RoleTherapist, ApptCancelled, start, at(10, 11, 0), time.Time{}, false, ApptCancelled, "status"},
		{"a client writes no note", ApptDraftNote, RoleClient, ApptBooked, start, at(10, 11, 0), time.Time{}, false, ApptBooked, "not yours"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := NextApptStatus(ApptChange{Event: tt.ev, By: tt.by, Status: tt.status, Start: tt.start, Now: tt.now,
				CancelWindow: 24 * time.Hour, CheckInLead: time.Hour, Zone: syd, StatusAt: tt.statusAt, CheckedIn: tt.checkedIn})
			var status *ErrApptStatus
			var notYours *ErrApptNotYours
			var timing *ErrApptTiming
			kind := ""
			switch {
			case errors.As(err, &status):
				kind = "status"
			case errors.As(err, &notYours):
				kind = "not yours"
			case errors.As(err, &timing):
				kind = timing.Error()
			case err != nil:
				kind = "unexpected: " + err.Error()
			}
			if got != tt.want || kind != tt.err {
				t.Errorf("got %q, %q; want %q, %q", got, kind, tt.want, tt.err)
			}
		})
	}
}

// The desk's records are the three statuses; undo and the note's events are not records.
func TestApptRecordEventSkipsUndoAndNotes(t *testing.T) {
	for _, st := range []ApptStatus{ApptBooked, ""} {
		if ev, ok := ApptRecordEvent(st); ok {
			t.Errorf("%q: got %q; want none", st, ev)
		}
	}
}

// The chart's timeline reads from the session in hand: today's by time, then the coming ones
// soonest first, then the past newest first; only today's and past sessions that take place
// offer a note.
func TestChartTimelineOrder(t *testing.T) {
	syd, err := time.LoadLocation("Australia/Sydney")
	if err != nil {
		t.Fatal(err)
	}
	at := func(day, hour int) time.Time { return time.Date(2027, 3, day, hour, 0, 0, 0, syd) }
	now := at(10, 12)                                    // Wednesday noon
	ch := Chart{Location: syd, Sessions: []ChartSession{ // newest first, as read
		{ID: 1, Start: at(31, 9), Status: ApptBooked},
		{ID: 2, Start: at(17, 9), Status: ApptBooked},
		{ID: 3, Start: at(10, 16), Status: ApptBooked},
		{ID: 4, Start: at(10, 9), Status: ApptCompleted}, // today in Sydney, the day before in UTC
		{ID: 5, Start: at(9, 23), Status: ApptNoShow},    // late the day before: past
		{ID: 6, Start: at(3, 9), Status: ApptCompleted},
		{ID: 7, Start: at(1, 9), Status: ApptCancelled},
	}}
	ch.OrderTimeline(now)
	var order []int64
	var open []int64
	for _, s := range ch.Sessions {
		order = append(order, s.ID)
		if s.NoteOpen {
			open = append(open, s.ID)
		}
	}
	if want := []int64{4, 3, 2, 1, 5, 6, 7}; !slices.Equal(order, want) {
		t.Errorf("order %v; want %v", order, want)
	}
	if want := []int64{4, 3, 6}; !slices.Equal(open, want) {
		t.Errorf("notes offered for %v; want %v (today's and past sessions that took place)", open, want)
	}
}
