package clinic

import (
	"slices"
	"testing"
	"time"
	_ "time/tzdata" // tests must not depend on the machine's zone files
)

func reminderTestZone(t *testing.T, name string) *time.Location {
	t.Helper()
	z, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return z
}

func reminderKeys(rs []Reminder) []string {
	var ks []string
	for _, r := range rs {
		ks = append(ks, r.Key)
	}
	return ks
}

// Sydney's clocks go back an hour at 03:00 on 2027-04-04 and forward an
// hour at 02:00 on 2027-10-03.
func TestLeadSendAtAcrossDST(t *testing.T) {
	syd := reminderTestZone(t, "Australia/Sydney")
	at := func(m time.Month, d, h, min int) time.Time { return time.Date(2027, m, d, h, min, 0, 0, syd) }
	tests := []struct {
		name        string
		start       time.Time
		lead        time.Duration
		want        time.Time
		wantElapsed time.Duration
	}{
		{"48h before autumn change, none between", at(4, 3, 10, 0), 48 * time.Hour, at(4, 1, 10, 0), 48 * time.Hour},
		{"48h over autumn change keeps wall clock", at(4, 5, 10, 0), 48 * time.Hour, at(4, 3, 10, 0), 49 * time.Hour},
		{"48h to the day of autumn change", at(4, 4, 10, 0), 48 * time.Hour, at(4, 2, 10, 0), 49 * time.Hour},
		{"48h from the day after autumn change", at(4, 6, 10, 0), 48 * time.Hour, at(4, 4, 10, 0), 48 * time.Hour},
		{"2h over autumn change is elapsed time", at(4, 4, 3, 30), 2 * time.Hour, time.Date(2027, 4, 3, 15, 30, 0, 0, time.UTC), 2 * time.Hour},
		{"2h after autumn change", at(4, 5, 10, 0), 2 * time.Hour, at(4, 5, 8, 0), 2 * time.Hour},
		{"48h over spring change keeps wall clock", at(10, 4, 10, 0), 48 * time.Hour, at(10, 2, 10, 0), 47 * time.Hour},
		{"48h to the day of spring change", at(10, 3, 10, 0), 48 * time.Hour, at(10, 1, 10, 0), 47 * time.Hour},
		{"48h after spring change, none between", at(10, 6, 10, 0), 48 * time.Hour, at(10, 4, 10, 0), 48 * time.Hour},
		{"2h over spring change is elapsed time", at(10, 3, 3, 30), 2 * time.Hour, at(10, 3, 0, 30), 2 * time.Hour},
		{"2h before spring change", at(10, 2, 10, 0), 2 * time.Hour, at(10, 2, 8, 0), 2 * time.Hour},
	}
	for _, tt := range tests {
		got := LeadSendAt(tt.start, tt.lead, syd)
		if !got.Equal(tt.want) {
			t.Errorf("%s: got %s, want %s", tt.name, got.In(syd), tt.want.In(syd))
		}
		if el := tt.start.Sub(got); el != tt.wantElapsed {
			t.Errorf("%s: %s elapsed, want %s", tt.name, el, tt.wantElapsed)
		}
		if got.Location() != time.UTC {
			t.Errorf("%s: got zone %s, want UTC", tt.name, got.Location())
		}
	}
	// The 2h reminder over the autumn change shows 02:30 on a clock that
	// will show 02:00-03:00 twice: the first pass, still daylight time.
	got := LeadSendAt(at(4, 4, 3, 30), 2*time.Hour, syd).In(syd)
	if name, _ := got.Zone(); got.Hour() != 2 || got.Minute() != 30 || name != "AEDT" {
		t.Errorf("got %s, want 02:30 AEDT", got)
	}
}

func TestAppointmentReminders(t *testing.T) {
	syd := reminderTestZone(t, "Australia/Sydney")
	s := DefaultReminderSettings(syd)
	start := time.Date(2027, 4, 5, 10, 0, 0, 0, syd)
	appt := AppointmentFacts{ID: 42, Version: 3, Start: start, Status: "booked", CourseIndex: 2, CourseSize: 4}
	tests := []struct {
		name string
		a    AppointmentFacts
		now  time.Time
		want []string
	}{
		{"booked a week ahead", appt, start.AddDate(0, 0, -7), []string{"reminder48:appt:42:v3", "reminder2:appt:42:v3"}},
		{"booked 30 hours ahead", appt, start.Add(-30 * time.Hour), []string{"reminder2:appt:42:v3"}},
		{"booked an hour ahead", appt, start.Add(-time.Hour), nil},
		{"moved appointment gets new keys", func() AppointmentFacts { a := appt; a.Version = 4; return a }(), start.AddDate(0, 0, -7), []string{"reminder48:appt:42:v4", "reminder2:appt:42:v4"}},
		{"cancelled", func() AppointmentFacts { a := appt; a.Status = "cancelled_by_client"; return a }(), start.AddDate(0, 0, -7), nil},
		{"requested, not yet booked", func() AppointmentFacts { a := appt; a.Status = "requested"; return a }(), start.AddDate(0, 0, -7), nil},
	}
	for _, tt := range tests {
		rs := AppointmentReminders(tt.a, s, tt.now)
		if got := reminderKeys(rs); !slices.Equal(got, tt.want) {
			t.Errorf("%s: got %v, want %v", tt.name, got, tt.want)
		}
		for _, r := range rs {
			if r.Kind != ReminderUpcoming || r.To != RecipientClient || r.CourseIndex != 2 || r.CourseSize != 4 || !r.Subject.Equal(start) {
				t.Errorf("%s: got %+v", tt.name, r)
			}
		}
	}
	rs := AppointmentReminders(appt, s, start.AddDate(0, 0, -7))
	if want := time.Date(2027, 4, 3, 10, 0, 0, 0, syd); !rs[0].SendAt.Equal(want) || rs[0].Lead != 48*time.Hour {
		t.Errorf("48h reminder: got %s, want %s", rs[0].SendAt.In(syd), want)
	}
	s.Leads = []time.Duration{90 * time.Minute}
	if got := reminderKeys(AppointmentReminders(appt, s, start.AddDate(0, 0, -1))); !slices.Equal(got, []string{"reminder90m:appt:42:v3"}) {
		t.Errorf("90 minute lead: got %v", got)
	}
}

func TestNoticeKeys(t *testing.T) {
	now := time.Date(2027, 3, 1, 1, 0, 0, 0, time.UTC)
	slot := time.Date(2027, 4, 5, 0, 0, 0, 0, time.UTC)
	course := []AppointmentFacts{{ID: 42, Version: 1}, {ID: 43, Version: 1}, {ID: 44, Version: 2}, {ID: 45, Version: 1}}
	confirm := func(appts []AppointmentFacts) Reminder {
		r, ok := BookingConfirmation(appts, now)
		if !ok {
			t.Fatalf("BookingConfirmation(%d appointments) reported nothing to send", len(appts))
		}
		return r
	}
	if _, ok := BookingConfirmation(nil, now); ok {
		t.Error("BookingConfirmation(nil): got a message, want none")
	}
	tests := []struct {
		r       Reminder
		kind    ReminderKind
		wantKey string
	}{
		{confirm(course), ReminderConfirmation, "confirmation:appt:42:v1,43:v1,44:v2,45:v1"},
		{confirm(course[:1]), ReminderConfirmation, "confirmation:appt:42:v1"},
		{CancellationNotice(AppointmentFacts{ID: 42, Version: 3}, now), ReminderCancellation, "cancellation:appt:42:v3"},
		{RescheduleNotice(AppointmentFacts{ID: 42, Version: 4}, now), ReminderReschedule, "reschedule:appt:42:v4"},
		{WaitlistOffer(9, slot, now), ReminderWaitlistOffer, "waitlist_offer:entry:9:slot:20270405T000000Z"},
	}
	for _, tt := range tests {
		if tt.r.Key != tt.wantKey || tt.r.Kind != tt.kind || !tt.r.SendAt.Equal(now) || tt.r.To != RecipientClient {
			t.Errorf("got %+v, want key %q kind %s sent now to the client", tt.r, tt.wantKey, tt.kind)
		}
	}
}

func TestCourseReminders(t *testing.T) {
	syd := reminderTestZone(t, "Australia/Sydney")
	s := DefaultReminderSettings(syd)
	done := time.Date(2027, 4, 3, 11, 0, 0, 0, syd) // the day before the autumn change
	c := CourseFacts{CourseID: 7, PlanID: 5, TherapistID: 3, SessionsDone: 2, PlannedSessions: 4, LastSessionEnd: done, MaxDays: 10}
	nudge := done.Add(24 * time.Hour)              // 10:00 AEST, exactly a day later
	gap := time.Date(2027, 4, 14, 9, 0, 0, 0, syd) // day 11, morning
	tests := []struct {
		name     string
		c        CourseFacts
		now      time.Time
		wantKeys []string
		wantAt   []time.Time
	}{
		{"just done", c, done, []string{"book_next:course:7:after:2", "gap_warning:course:7:after:2:client", "gap_warning:course:7:after:2:therapist"}, []time.Time{nudge, gap, gap}},
		{"computed late: nudge goes now", c, done.Add(30 * time.Hour), []string{"book_next:course:7:after:2", "gap_warning:course:7:after:2:client", "gap_warning:course:7:after:2:therapist"}, []time.Time{done.Add(30 * time.Hour), gap, gap}},
		{"a week past the gap", c, gap.AddDate(0, 0, 8), nil, nil},
		{"course finished", func() CourseFacts { x := c; x.SessionsDone = 4; return x }(), done, nil, nil},
	}
	for _, tt := range tests {
		rs := CourseReminders(tt.c, s, tt.now)
		if got := reminderKeys(rs); !slices.Equal(got, tt.wantKeys) {
			t.Errorf("%s: got %v, want %v", tt.name, got, tt.wantKeys)
			continue
		}
		for i, r := range rs {
			if !r.SendAt.Equal(tt.wantAt[i]) {
				t.Errorf("%s: %s at %s, want %s", tt.name, r.Key, r.SendAt.In(syd), tt.wantAt[i].In(syd))
			}
		}
	}
	rs := CourseReminders(c, s, done)
	if got := []Recipient{rs[0].To, rs[1].To, rs[2].To}; !slices.Equal(got, []Recipient{RecipientClient, RecipientClient, RecipientTherapist}) {
		t.Errorf("got recipients %v", got)
	}
	if rs[0].CourseIndex != 3 || rs[0].CourseSize != 4 {
		t.Errorf("nudge is for session %d of %d, want 3 of 4", rs[0].CourseIndex, rs[0].CourseSize)
	}
}

func TestReassessmentReminders(t *testing.T) {
	syd := reminderTestZone(t, "Australia/Sydney")
	s := DefaultReminderSettings(syd)
	due := planTestDay(2027, 4, 22)
	local := func(d, h int) time.Time { return time.Date(2027, 4, d, h, 0, 0, 0, syd) }
	tests := []struct {
		name    string
		session time.Time
		now     time.Time
		want    map[string]time.Time
	}{
		{"no session booked", time.Time{}, local(1, 9), map[string]time.Time{
			"reassessment_due:plan:5:2027-04-22:client":    local(19, 9),
			"reassessment_due:plan:5:2027-04-22:therapist": local(19, 9),
			"outcome_request:plan:5:2027-04-22":            local(21, 9),
		}},
		{"review session at 14:00", local(22, 14), local(1, 9), map[string]time.Time{
			"reassessment_due:plan:5:2027-04-22:client":    local(19, 9),
			"reassessment_due:plan:5:2027-04-22:therapist": local(19, 9),
			"outcome_request:plan:5:2027-04-22":            local(21, 14),
		}},
		{"planned late: notices go now", time.Time{}, local(20, 12), map[string]time.Time{
			"reassessment_due:plan:5:2027-04-22:client":    local(20, 12),
			"reassessment_due:plan:5:2027-04-22:therapist": local(20, 12),
			"outcome_request:plan:5:2027-04-22":            local(21, 9),
		}},
		{"review morning, session later that day", local(22, 14), local(22, 10), map[string]time.Time{
			"outcome_request:plan:5:2027-04-22": local(22, 10),
		}},
		{"review day already here", time.Time{}, local(22, 10), map[string]time.Time{}},
	}
	for _, tt := range tests {
		rs := ReassessmentReminders(ReassessmentFacts{PlanID: 5, TherapistID: 3, Due: due, SessionStart: tt.session}, s, tt.now)
		if len(rs) != len(tt.want) {
			t.Errorf("%s: got %v, want %d reminders", tt.name, reminderKeys(rs), len(tt.want))
		}
		for _, r := range rs {
			if want, ok := tt.want[r.Key]; !ok || !r.SendAt.Equal(want) {
				t.Errorf("%s: got %s at %s, want %s", tt.name, r.Key, r.SendAt.In(syd), want.In(syd))
			}
		}
	}
}

func TestMaintenanceAndDayList(t *testing.T) {
	syd := reminderTestZone(t, "Australia/Sydney")
	s := DefaultReminderSettings(syd)
	now := time.Date(2027, 3, 1, 0, 0, 0, 0, syd)

	m, ok := MaintenanceReminder(5, planTestDay(2027, 5, 3), s, now)
	if want := time.Date(2027, 5, 3, 9, 0, 0, 0, syd); !ok || !m.SendAt.Equal(want) || m.Key != "maintenance_due:plan:5:2027-05-03" {
		t.Errorf("maintenance: got %+v, %v; want key maintenance_due:plan:5:2027-05-03 at %s", m, ok, want)
	}
	if _, ok := MaintenanceReminder(5, planTestDay(2027, 2, 1), s, now); ok {
		t.Error("maintenance due a month ago: got a reminder, want none")
	}

	// The list for Monday 4 October goes on Sunday evening, the day clocks go forward.
	l, ok := DayListReminder(3, planTestDay(2027, 10, 4), s, now)
	if want := time.Date(2027, 10, 3, 18, 0, 0, 0, syd); !ok || !l.SendAt.Equal(want) || l.To != RecipientTherapist {
		t.Errorf("day list: got %s, %v; want %s to the therapist", l.SendAt.In(syd), ok, want)
	}
	if l.Key != "day_list:therapist:3:2027-10-04" {
		t.Errorf("day list key: got %q", l.Key)
	}
	if _, ok := DayListReminder(3, planTestDay(2027, 10, 4), s, time.Date(2027, 10, 4, 7, 0, 0, 0, syd)); ok {
		t.Error("day list made on the day itself: got one, want none")
	}
}

// TestStillWanted covers the send-time rule for every kind the outbox holds. Each row is one
// change since the message was queued and whether the message still goes.
func TestStillWanted(t *testing.T) {
	reminder := Reminder{Kind: ReminderUpcoming, ApptID: 7, Version: 3}
	confirmation := Reminder{Kind: ReminderConfirmation, ApptID: 7, Version: 1}
	courseConfirmation := Reminder{Kind: ReminderConfirmation, CourseID: 2}
	moved := Reminder{Kind: ReminderReschedule, ApptID: 7, Version: 4}
	review := Reminder{Kind: ReminderReassessmentDue, Subject: planTestDay(2027, 4, 22)}
	outcome := Reminder{Kind: ReminderOutcomeRequest, Subject: planTestDay(2027, 4, 22)}
	nudge := Reminder{Kind: ReminderBookNext, To: RecipientClient}
	gap := Reminder{Kind: ReminderGapWarning, To: RecipientClient}
	gapTherapist := Reminder{Kind: ReminderGapWarning, To: RecipientTherapist}
	tests := []struct {
		name string
		r    Reminder
		st   SendState
		want bool
	}{
		{"reminder, unchanged", reminder, SendState{ApptStatus: ApptBooked, ApptVersion: 3}, true},
		{"reminder, appointment moved", reminder, SendState{ApptStatus: ApptBooked, ApptVersion: 4}, false},
		{"reminder, appointment cancelled", reminder, SendState{ApptStatus: ApptCancelled, ApptVersion: 4}, false},
		{"reminder, client already checked in", reminder, SendState{ApptStatus: ApptCheckedIn, ApptVersion: 3}, false},
		{"confirmation, still booked", confirmation, SendState{ApptStatus: ApptBooked, ApptVersion: 1}, true},
		{"confirmation, cancelled at once", confirmation, SendState{ApptStatus: ApptCancelled, ApptVersion: 2}, false},
		{"confirmation, moved before it went", confirmation, SendState{ApptStatus: ApptBooked, ApptVersion: 2}, false},
		{"course confirmation, a session still booked", courseConfirmation, SendState{CourseBooked: true}, true},
		{"course confirmation, every session cancelled", courseConfirmation, SendState{}, false},
		{"reschedule, latest move", moved, SendState{ApptStatus: ApptBooked, ApptVersion: 4}, true},
		{"reschedule, moved again since", moved, SendState{ApptStatus: ApptBooked, ApptVersion: 5}, false},
		{"reschedule, cancelled since", moved, SendState{ApptStatus: ApptCancelled, ApptVersion: 5}, false},
		{"cancellation", Reminder{Kind: ReminderCancellation}, SendState{ApptStatus: ApptCancelled}, true},
		{"waitlist offer: its expiry stops it, not this rule", Reminder{Kind: ReminderWaitlistOffer}, SendState{}, true},
		{"a sign-in link", Reminder{Kind: "signin_link"}, SendState{}, true},
		{"nudge, nothing booked", nudge, SendState{CourseOpen: true}, true},
		{"nudge, next session booked", nudge, SendState{CourseOpen: true, NextSessionBooked: true}, false},
		{"nudge, course done", nudge, SendState{}, false},
		{"nudge, client opted out", nudge, SendState{CourseOpen: true, NudgesOptedOut: true}, false},
		{"gap warning, nothing booked", gap, SendState{CourseOpen: true}, true},
		{"gap warning, booked since", gap, SendState{CourseOpen: true, NextSessionBooked: true}, false},
		{"gap warning, client opted out", gap, SendState{CourseOpen: true, NudgesOptedOut: true}, false},
		{"gap warning to the therapist, client opted out", gapTherapist, SendState{CourseOpen: true, NudgesOptedOut: true}, true},
		{"gap warning to the therapist, booked since", gapTherapist, SendState{CourseOpen: true, NextSessionBooked: true}, false},
		{"review, same day", review, SendState{PlanStatus: PlanActive, ReassessmentDue: planTestDay(2027, 4, 22)}, true},
		{"review, plan already reviewing", review, SendState{PlanStatus: PlanReassessDue, ReassessmentDue: planTestDay(2027, 4, 22)}, true},
		{"review, date moved", review, SendState{PlanStatus: PlanActive, ReassessmentDue: planTestDay(2027, 4, 29)}, false},
		{"review, plan discontinued", review, SendState{PlanStatus: PlanDiscontinued, ReassessmentDue: planTestDay(2027, 4, 22)}, false},
		{"outcome request, not yet answered", outcome, SendState{PlanStatus: PlanExtended, ReassessmentDue: planTestDay(2027, 4, 22)}, true},
		{"outcome request, already answered", outcome, SendState{PlanStatus: PlanActive, ReassessmentDue: planTestDay(2027, 4, 22), OutcomeRecorded: true}, false},
		{"maintenance, nothing booked", Reminder{Kind: ReminderMaintenanceDue}, SendState{PlanStatus: PlanCompleted}, true},
		{"maintenance, visit booked", Reminder{Kind: ReminderMaintenanceDue}, SendState{PlanStatus: PlanCompleted, MaintenanceBooked: true}, false},
		{"maintenance, plan reopened in error", Reminder{Kind: ReminderMaintenanceDue}, SendState{PlanStatus: PlanEnteredInError}, false},
		{"maintenance, client opted out", Reminder{Kind: ReminderMaintenanceDue}, SendState{PlanStatus: PlanCompleted, NudgesOptedOut: true}, false},
		{"day list with appointments", Reminder{Kind: ReminderDayList}, SendState{DayListOn: true, DayAppointments: 5}, true},
		{"day list, empty day", Reminder{Kind: ReminderDayList}, SendState{DayListOn: true}, false},
		{"day list, turned off", Reminder{Kind: ReminderDayList}, SendState{DayAppointments: 5}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := StillWanted(tt.r, tt.st); got != tt.want {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

// A reminder made by the scheduling rules passes StillWanted when nothing
// changed, and fails once the appointment moves.
func TestScheduledReminderRoundTrip(t *testing.T) {
	syd := reminderTestZone(t, "Australia/Sydney")
	a := AppointmentFacts{ID: 1, Version: 1, Start: time.Date(2027, 10, 4, 10, 0, 0, 0, syd), Status: ApptBooked}
	for _, r := range AppointmentReminders(a, DefaultReminderSettings(syd), a.Start.AddDate(0, 0, -7)) {
		if !StillWanted(r, SendState{ApptStatus: ApptBooked, ApptVersion: 1}) {
			t.Errorf("%s: unchanged appointment not wanted", r.Key)
		}
		if StillWanted(r, SendState{ApptStatus: ApptBooked, ApptVersion: 2}) {
			t.Errorf("%s: moved appointment still wanted", r.Key)
		}
	}
}
