package clinic

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// ReminderKind is the kind of message a rule schedules.
type ReminderKind string

// Reminder kinds.
const (
	ReminderConfirmation    ReminderKind = "confirmation"     // on booking, listing every session booked
	ReminderUpcoming        ReminderKind = "reminder"         // a lead time before an appointment
	ReminderCancellation    ReminderKind = "cancellation"     // an appointment was cancelled
	ReminderReschedule      ReminderKind = "reschedule"       // an appointment was moved
	ReminderWaitlistOffer   ReminderKind = "waitlist_offer"   // a freed slot offered to a waiting client
	ReminderBookNext        ReminderKind = "book_next"        // course session done, next one not booked
	ReminderGapWarning      ReminderKind = "gap_warning"      // course past its maximum spacing
	ReminderReassessmentDue ReminderKind = "reassessment_due" // plan review coming up
	ReminderOutcomeRequest  ReminderKind = "outcome_request"  // PSFS and pain score before the review
	ReminderMaintenanceDue  ReminderKind = "maintenance_due"  // maintenance visit due after a plan
	ReminderDayList         ReminderKind = "day_list"         // a therapist's list for tomorrow
)

// Recipient says who a reminder goes to.
type Recipient string

// Recipients.
const (
	RecipientClient    Recipient = "client"
	RecipientTherapist Recipient = "therapist"
)

// Reminder is one message to schedule. Key is stable for the same message
// and changes when what it is about changes (an appointment's version), so
// an outbox with a unique key neither duplicates nor loses a message.
// Subject is the instant or calendar day the message is about.
type Reminder struct {
	Kind    ReminderKind
	To      Recipient
	SendAt  time.Time // UTC
	Key     string
	Subject time.Time
	Lead    time.Duration // upcoming only

	ApptID, CourseID, PlanID, TherapistID, WaitlistEntryID int64
	Version                                                int // appointment version the message was made for
	CourseIndex, CourseSize                                int // session k of n, for the message text
}

// ReminderSettings are the clinic's reminder choices. Use
// DefaultReminderSettings and change what the clinic changes.
type ReminderSettings struct {
	Zone               *time.Location  // the clinic's zone; nil means UTC
	Leads              []time.Duration // before each appointment
	MorningHour        int             // local hour for messages about a day
	DayListHour        int             // local hour, the evening before, for a therapist's list
	NudgeAfter         time.Duration   // after a course session, before "book your next"
	ReassessNoticeDays int             // days before a review that client and therapist hear of it
}

// DefaultReminderSettings: 48 h and 2 h before, mornings at 09:00, the
// therapist's list at 18:00, a nudge 24 h after a session, reviews 3 days out.
func DefaultReminderSettings(zone *time.Location) ReminderSettings {
	return ReminderSettings{
		Zone:               zone,
		Leads:              []time.Duration{48 * time.Hour, 2 * time.Hour},
		MorningHour:        9,
		DayListHour:        18,
		NudgeAfter:         24 * time.Hour,
		ReassessNoticeDays: 3,
	}
}

func (s ReminderSettings) zone() *time.Location {
	if s.Zone == nil {
		return time.UTC
	}
	return s.Zone
}

// AppointmentFacts is what the reminder rules read about an appointment.
// Version goes up every time the appointment moves.
type AppointmentFacts struct {
	ID, TherapistID, CourseID int64
	Version                   int
	Start                     time.Time
	Status                    ApptStatus
	CourseIndex, CourseSize   int // session k of n; 0 when not in a course
}

// LeadSendAt is when a reminder lead before start should go.
//
// A lead of whole days (48 h) counts calendar days in the clinic zone: the
// reminder goes at the same wall-clock time that many days earlier, even when
// clocks change in between and that is 47 or 49 real hours. People read "48
// hours before" a 10:00 Monday visit as 10:00 Saturday; a reminder that
// drifted to 09:00 or 11:00 would look like a fault. Any other lead (2 h) is
// exact elapsed time: two hours before is two real hours, whatever the wall
// clock shows. If the wall-clock time does not exist on the earlier day (the
// skipped hour), Go's normalisation moves it by that hour.
func LeadSendAt(start time.Time, lead time.Duration, zone *time.Location) time.Time {
	if zone == nil {
		zone = time.UTC
	}
	if lead > 0 && lead%(24*time.Hour) == 0 {
		return start.In(zone).AddDate(0, 0, -int(lead/(24*time.Hour))).UTC()
	}
	return start.Add(-lead).UTC()
}

// AppointmentReminders returns the lead reminders for a live appointment
// whose send time is still ahead of now, earliest first. A lead already
// passed at booking is skipped: the confirmation covers it.
func AppointmentReminders(a AppointmentFacts, s ReminderSettings, now time.Time) []Reminder {
	if a.Status != ApptBooked {
		return nil
	}
	var rs []Reminder
	for _, lead := range s.Leads {
		at := LeadSendAt(a.Start, lead, s.zone())
		if !at.After(now) {
			continue
		}
		r := newApptReminder(ReminderUpcoming, a, at)
		r.Lead = lead
		r.Key = fmt.Sprintf("reminder%s:appt:%d:v%d", reminderLeadCode(lead), a.ID, a.Version)
		rs = append(rs, r)
	}
	slices.SortFunc(rs, func(x, y Reminder) int { return x.SendAt.Compare(y.SendAt) })
	return rs
}

// reminderLeadCode names a lead in hours ("48", "2"), or minutes ("90m") if uneven.
func reminderLeadCode(d time.Duration) string {
	if d%time.Hour == 0 {
		return strconv.Itoa(int(d / time.Hour))
	}
	return strconv.Itoa(int(d/time.Minute)) + "m"
}

func newApptReminder(k ReminderKind, a AppointmentFacts, at time.Time) Reminder {
	return Reminder{
		Kind: k, To: RecipientClient, SendAt: at.UTC(), Subject: a.Start,
		ApptID: a.ID, Version: a.Version, TherapistID: a.TherapistID, CourseID: a.CourseID,
		CourseIndex: a.CourseIndex, CourseSize: a.CourseSize,
	}
}

// BookingConfirmation is the one message sent when appointments are booked
// together; a course booking lists every session in it. It reports false
// for an empty list.
func BookingConfirmation(appts []AppointmentFacts, now time.Time) (Reminder, bool) {
	if len(appts) == 0 {
		return Reminder{}, false
	}
	ids := make([]string, len(appts))
	for i, a := range appts {
		ids[i] = fmt.Sprintf("%d:v%d", a.ID, a.Version)
	}
	r := newApptReminder(ReminderConfirmation, appts[0], now)
	r.Key = "confirmation:appt:" + strings.Join(ids, ",")
	return r, true
}

// CancellationNotice tells the client an appointment is cancelled.
func CancellationNotice(a AppointmentFacts, now time.Time) Reminder {
	r := newApptReminder(ReminderCancellation, a, now)
	r.Key = fmt.Sprintf("cancellation:appt:%d:v%d", a.ID, a.Version)
	return r
}

// RescheduleNotice tells the client where an appointment moved; a is the
// appointment after the move, with its new version.
func RescheduleNotice(a AppointmentFacts, now time.Time) Reminder {
	r := newApptReminder(ReminderReschedule, a, now)
	r.Key = fmt.Sprintf("reschedule:appt:%d:v%d", a.ID, a.Version)
	return r
}

// WaitlistOffer offers a freed slot to a waiting client.
func WaitlistOffer(entryID int64, slotStart, now time.Time) Reminder {
	return Reminder{
		Kind: ReminderWaitlistOffer, To: RecipientClient, SendAt: now.UTC(), Subject: slotStart,
		WaitlistEntryID: entryID,
		Key:             fmt.Sprintf("waitlist_offer:entry:%d:slot:%s", entryID, slotStart.UTC().Format("20060102T150405Z")),
	}
}

// CourseFacts is what the course rules read after a course session is done.
type CourseFacts struct {
	CourseID, PlanID, TherapistID int64
	SessionsDone, PlannedSessions int
	LastSessionEnd                time.Time
	MaxDays                       int // the plan's maximum spacing
}

// CourseReminders schedules, after a course session, the "book your next
// session" nudge and the gap warnings to client and therapist. Both are
// checked with StillWanted at send time, so booking the next session in the
// meantime cancels them. A finished course gets none.
func CourseReminders(c CourseFacts, s ReminderSettings, now time.Time) []Reminder {
	if c.SessionsDone >= c.PlannedSessions {
		return nil
	}
	var rs []Reminder
	key := fmt.Sprintf("course:%d:after:%d", c.CourseID, c.SessionsDone)
	base := Reminder{CourseID: c.CourseID, PlanID: c.PlanID, TherapistID: c.TherapistID,
		CourseIndex: c.SessionsDone + 1, CourseSize: c.PlannedSessions}

	nudgeAt := c.LastSessionEnd.Add(s.NudgeAfter)
	gapDay := reminderDay(c.LastSessionEnd, s.zone()).AddDate(0, 0, c.MaxDays+1)
	gapAt := reminderAt(gapDay, s.MorningHour, s.zone())
	if at, ok := reminderSendTime(nudgeAt, gapAt, now); ok {
		r := base
		r.Kind, r.To, r.SendAt, r.Subject, r.Key = ReminderBookNext, RecipientClient, at, nudgeAt, "book_next:"+key
		rs = append(rs, r)
	}
	// A week past the gap the course counts as interrupted; warning later is noise.
	if at, ok := reminderSendTime(gapAt, gapAt.AddDate(0, 0, 7), now); ok {
		for _, to := range []Recipient{RecipientClient, RecipientTherapist} {
			r := base
			r.Kind, r.To, r.SendAt, r.Subject = ReminderGapWarning, to, at, gapDay
			r.Key = "gap_warning:" + key + ":" + string(to)
			rs = append(rs, r)
		}
	}
	return rs
}

// ReassessmentFacts is a plan's coming review. Due is a calendar day;
// SessionStart is the review appointment when one is booked.
type ReassessmentFacts struct {
	PlanID, TherapistID int64
	Due                 time.Time
	SessionStart        time.Time
}

// ReassessmentReminders tells client and therapist that a review is due
// (ReassessNoticeDays ahead, mornings) and asks the client for outcome
// scores the day before: at the review appointment's wall-clock time when it
// is booked, otherwise in the morning. A notice whose time has passed goes
// now if the review is still ahead.
func ReassessmentReminders(r ReassessmentFacts, s ReminderSettings, now time.Time) []Reminder {
	z := s.zone()
	due := planDay(r.Due)
	dueStart := reminderAt(due, 0, z)
	base := Reminder{PlanID: r.PlanID, TherapistID: r.TherapistID, Subject: due}
	var rs []Reminder
	if at, ok := reminderSendTime(reminderAt(due.AddDate(0, 0, -s.ReassessNoticeDays), s.MorningHour, z), dueStart, now); ok {
		for _, to := range []Recipient{RecipientClient, RecipientTherapist} {
			m := base
			m.Kind, m.To, m.SendAt = ReminderReassessmentDue, to, at
			m.Key = fmt.Sprintf("reassessment_due:plan:%d:%s:%s", r.PlanID, due.Format(time.DateOnly), to)
			rs = append(rs, m)
		}
	}
	askAt, deadline := reminderAt(due.AddDate(0, 0, -1), s.MorningHour, z), dueStart
	if !r.SessionStart.IsZero() {
		askAt, deadline = LeadSendAt(r.SessionStart, 24*time.Hour, z), r.SessionStart
	}
	if at, ok := reminderSendTime(askAt, deadline, now); ok {
		m := base
		m.Kind, m.To, m.SendAt = ReminderOutcomeRequest, RecipientClient, at
		m.Key = fmt.Sprintf("outcome_request:plan:%d:%s", r.PlanID, due.Format(time.DateOnly))
		rs = append(rs, m)
	}
	return rs
}

// MaintenanceReminder prompts a client to book maintenance on the morning
// of the due day (a calendar day), or now if that passed within the week.
func MaintenanceReminder(planID int64, due time.Time, s ReminderSettings, now time.Time) (Reminder, bool) {
	day := planDay(due)
	at := reminderAt(day, s.MorningHour, s.zone())
	at, ok := reminderSendTime(at, at.AddDate(0, 0, 7), now)
	return Reminder{
		Kind: ReminderMaintenanceDue, To: RecipientClient, SendAt: at, Subject: day, PlanID: planID,
		Key: fmt.Sprintf("maintenance_due:plan:%d:%s", planID, day.Format(time.DateOnly)),
	}, ok
}

// DayListReminder sends a therapist the list for a calendar day at
// DayListHour the evening before; it is not made once that day has begun.
func DayListReminder(therapistID int64, day time.Time, s ReminderSettings, now time.Time) (Reminder, bool) {
	d := planDay(day)
	at, ok := reminderSendTime(reminderAt(d.AddDate(0, 0, -1), s.DayListHour, s.zone()), reminderAt(d, 0, s.zone()), now)
	return Reminder{
		Kind: ReminderDayList, To: RecipientTherapist, SendAt: at, Subject: d, TherapistID: therapistID,
		Key: fmt.Sprintf("day_list:therapist:%d:%s", therapistID, d.Format(time.DateOnly)),
	}, ok
}

// reminderSendTime returns at if it is still ahead, now if at has passed but the
// deadline has not (late is better than never), and false after that.
func reminderSendTime(at, deadline, now time.Time) (time.Time, bool) {
	switch {
	case at.After(now):
		return at.UTC(), true
	case now.Before(deadline):
		return now.UTC(), true
	}
	return time.Time{}, false
}

// reminderDay is the calendar day of instant t in zone z.
func reminderDay(t time.Time, z *time.Location) time.Time { return planDay(t.In(z)) }

// reminderAt is hour:00 local time in z on calendar day d.
func reminderAt(d time.Time, hour int, z *time.Location) time.Time {
	y, m, day := d.Date()
	return time.Date(y, m, day, hour, 0, 0, 0, z).UTC()
}

// SendState is what is true when a queued message comes up for sending. The sender fills
// the fields the message's kind reads.
type SendState struct {
	ApptStatus        ApptStatus // confirmation of one session, reminder, reschedule: the appointment now
	ApptVersion       int        // the same: its version now; the message carries the one it was made for
	CourseBooked      bool       // confirmation of a course: one of its sessions is still booked
	NudgesOptedOut    bool       // book_next, gap_warning, maintenance_due: the client asked for no more
	CourseOpen        bool       // book_next, gap_warning: sessions done fewer than planned
	NextSessionBooked bool       // book_next, gap_warning: a session booked after the last one
	PlanStatus        PlanStatus // reassessment_due, outcome_request, maintenance_due
	ReassessmentDue   time.Time  // reassessment_due, outcome_request: the plan's current review day
	OutcomeRecorded   bool       // outcome_request: scores already in
	MaintenanceBooked bool       // maintenance_due: a visit is already booked
	DayListOn         bool       // day_list: the therapist still asks for the list
	DayAppointments   int        // day_list: booked appointments on the day
}

// StillWanted is the check at send time: a message is dropped when what it is about has
// changed since it was queued. A message about an appointment (its confirmation, a reminder,
// the notice of a move) goes only while the appointment is still booked at the version it
// was made for: cancelled, moved again or already attended, it would mislead. A course's
// confirmation goes while any of its sessions is booked. Nudges stop once the client has
// booked or asked for no more. A kind with no condition here is news of something already
// done (a cancellation, a waitlist offer, a sign-in link) and always goes; when such news
// goes stale, its expiry in the outbox stops it.
func StillWanted(r Reminder, st SendState) bool {
	switch r.Kind {
	case ReminderConfirmation:
		if r.ApptID == 0 {
			return st.CourseBooked
		}
		return reminderApptUnchanged(r, st)
	case ReminderUpcoming, ReminderReschedule:
		return reminderApptUnchanged(r, st)
	case ReminderBookNext, ReminderGapWarning:
		optedOut := r.To == RecipientClient && st.NudgesOptedOut
		return !optedOut && st.CourseOpen && !st.NextSessionBooked
	case ReminderReassessmentDue:
		return reminderReviewPending(r, st)
	case ReminderOutcomeRequest:
		return reminderReviewPending(r, st) && !st.OutcomeRecorded
	case ReminderMaintenanceDue:
		return !st.NudgesOptedOut && st.PlanStatus == PlanCompleted && !st.MaintenanceBooked
	case ReminderDayList:
		return st.DayListOn && st.DayAppointments > 0
	}
	return true
}

// reminderApptUnchanged: the appointment is still booked, at the version the message names.
func reminderApptUnchanged(r Reminder, st SendState) bool {
	return st.ApptStatus == ApptBooked && st.ApptVersion == r.Version
}

func reminderReviewPending(r Reminder, st SendState) bool {
	switch st.PlanStatus {
	case PlanActive, PlanExtended, PlanReassessDue:
		return planDay(st.ReassessmentDue).Equal(planDay(r.Subject))
	}
	return false
}
