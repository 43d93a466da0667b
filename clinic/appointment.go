package clinic

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// ApptStatus is where an appointment stands. The schema's CHECK lists the same five.
type ApptStatus string

// Appointment statuses. A booking starts booked; the desk records what happened
// (checked in, completed, no-show) and a cancellation frees the time.
const (
	ApptBooked    ApptStatus = "booked"
	ApptCheckedIn ApptStatus = "checked_in"
	ApptCompleted ApptStatus = "completed"
	ApptNoShow    ApptStatus = "no_show"
	ApptCancelled ApptStatus = "cancelled"
)

var apptStatusLabels = map[ApptStatus]string{
	ApptBooked:    "Booked",
	ApptCheckedIn: "Checked in",
	ApptCompleted: "Completed",
	ApptNoShow:    "No-show",
	ApptCancelled: "Cancelled",
}

// Label is the status as a person reads it; unknown statuses echo their code.
func (s ApptStatus) Label() string {
	if l, ok := apptStatusLabels[s]; ok {
		return l
	}
	return string(s)
}

// Valid reports whether s is one of the appointment statuses.
func (s ApptStatus) Valid() bool {
	_, ok := apptStatusLabels[s]
	return ok
}

// HoldsTime reports whether the appointment still takes its therapist's and room's time:
// every status but cancelled. A no-show kept the therapist waiting, so it stays on the day.
func (s ApptStatus) HoldsTime() bool { return s != ApptCancelled }

// Attending reports whether the client is to be, or is, at the clinic for the session:
// booked or checked in. Only these keep a client out of a second session at the same time;
// a missed or finished one does not.
func (s ApptStatus) Attending() bool { return s == ApptBooked || s == ApptCheckedIn }

// TakesPlace reports whether the session happens or is still to happen: booked, checked in
// or completed. A cancelled or missed session has no treatment to write a note about.
func (s ApptStatus) TakesPlace() bool {
	return s == ApptBooked || s == ApptCheckedIn || s == ApptCompleted
}

// ApptEvent is something someone does to an appointment.
type ApptEvent string

// Appointment events.
const (
	ApptCheckIn    ApptEvent = "check_in"
	ApptComplete   ApptEvent = "complete"
	ApptMarkNoShow ApptEvent = "no_show"
	ApptCancel     ApptEvent = "cancel"
	ApptMove       ApptEvent = "move" // to another time; the status stays booked
	// ApptUndo takes back the desk's last record (check-in, completed, no-show) on the day it
	// was made: a mistap at the desk is corrected, not lived with.
	ApptUndo ApptEvent = "undo"
	// The note's events leave the status as it is; they say when a session's note may be
	// written and signed.
	ApptDraftNote ApptEvent = "draft_note"
	ApptSignNote  ApptEvent = "sign_note"
)

// apptEventDone is an event as "it cannot be ..." and "<client> is ..." finish it.
var apptEventDone = map[ApptEvent]string{
	ApptCheckIn:    "checked in",
	ApptComplete:   "marked completed",
	ApptMarkNoShow: "marked as a no-show",
	ApptCancel:     "cancelled",
	ApptMove:       "moved",
	ApptUndo:       "undone",
	ApptDraftNote:  "given a note",
	ApptSignNote:   "given a signed note",
}

// Done is the event in the passive: "checked in", "marked as a no-show".
func (e ApptEvent) Done() string {
	if d, ok := apptEventDone[e]; ok {
		return d
	}
	return string(e)
}

// ApptRecordEvent is the desk event that records an appointment as having reached to:
// checked in, completed or no-show. It reports false for any other status.
func ApptRecordEvent(to ApptStatus) (ApptEvent, bool) {
	for _, t := range apptMachine {
		if t.to == to && slices.Contains(ApptRecordStatuses(), to) {
			return t.event, true
		}
	}
	return "", false
}

// ApptRecordStatuses are the statuses the desk can record, in the order it offers them.
func ApptRecordStatuses() []ApptStatus {
	return []ApptStatus{ApptCheckedIn, ApptCompleted, ApptNoShow}
}

// ApptChange is a change someone asks for, with what is true at the moment they ask. The
// time comes in as a value, so the rules hold on any clock.
type ApptChange struct {
	Event        ApptEvent
	By           Role          // who asks; a manage link acts as the client
	Status       ApptStatus    // the appointment's status now
	Start        time.Time     // when the appointment starts
	Now          time.Time     // when the change is asked for
	CancelWindow time.Duration // the clinic's: inside it a client must call to cancel or move
	CheckInLead  time.Duration // the clinic's: how long before the start check-in opens, on the day
	Zone         *time.Location
	// StatusAt is when the status was last recorded (zero when never since booking); an undo
	// is possible on that day only. CheckedIn says the client was checked in before it, so
	// undoing a completion returns to checked in.
	StatusAt  time.Time
	CheckedIn bool
}

// zone is the clinic's zone, for "on the day"; UTC when not given.
func (c ApptChange) zone() *time.Location { return orUTC(c.Zone) }

// sameDay reports whether a and b fall on one calendar day in the clinic's zone.
func (c ApptChange) sameDay(a, b time.Time) bool {
	return DateOf(a, c.zone()) == DateOf(b, c.zone())
}

// ErrApptNotYours says the person asking may not make this change at all: the desk's
// records are for staff. A store shows it as "not found", so it reveals nothing.
type ErrApptNotYours struct {
	By    Role
	Event ApptEvent
}

func (e *ErrApptNotYours) Error() string {
	return fmt.Sprintf("Only the clinic's staff can mark an appointment %s.", e.Event.Done())
}

// ErrApptStatus says the change does not apply to an appointment in its status.
type ErrApptStatus struct {
	From  ApptStatus
	Event ApptEvent
}

func (e *ErrApptStatus) Error() string {
	return "This appointment is " + strings.ToLower(e.From.Label()) + ", so it cannot be " + e.Event.Done() + "."
}

// ErrApptTiming says the change is not possible at this moment: too early (check-in before it
// opens, a completion or a signature before the start) or too late (an undo on a later day).
// Its message is the sentence the person reads beside the button.
type ErrApptTiming struct {
	Event ApptEvent
	Msg   string
}

func (e *ErrApptTiming) Error() string { return e.Msg }

// ErrApptTooLate says a client asked inside the cancellation window: the clinic takes the
// change by phone, where the policy can be explained.
var ErrApptTooLate = errors.New("It is too close to the appointment to change it online.")

type apptTransition struct {
	event ApptEvent
	from  []ApptStatus
	to    ApptStatus // "" leaves the status as it is; an undo works it out (undoneStatus)
	// who reports whether role may make the change; when, given the facts, whether it may
	// happen now. nil allows anyone or any time.
	who  func(Role) bool
	when func(ApptChange) error
}

// noteStatuses are the statuses of a session that has a note: one that takes place.
var noteStatuses = []ApptStatus{ApptBooked, ApptCheckedIn, ApptCompleted}

var apptMachine = []apptTransition{
	{ApptCheckIn, []ApptStatus{ApptBooked}, ApptCheckedIn, staffOnly, checkInOpen},
	{ApptComplete, []ApptStatus{ApptBooked, ApptCheckedIn}, ApptCompleted, staffOnly, afterStart},
	{ApptMarkNoShow, []ApptStatus{ApptBooked}, ApptNoShow, staffOnly, afterStart},
	{ApptCancel, []ApptStatus{ApptBooked}, ApptCancelled, staffOrClient, clientOutsideWindow},
	{ApptMove, []ApptStatus{ApptBooked}, ApptBooked, staffOrClient, clientOutsideWindow},
	// A cancellation is not undone: its time may be booked by someone else at once, and the
	// client was told. Booking again is the way back.
	{ApptUndo, []ApptStatus{ApptCheckedIn, ApptCompleted, ApptNoShow}, "", staffOnly, undoSameDay},
	{ApptDraftNote, noteStatuses, "", staffOnly, noteDay},
	{ApptSignNote, noteStatuses, "", staffOnly, signAfterStart},
}

// CheckInOpens is when check-in opens for a session starting at start: lead before it, but
// not before the start of its day, so a client is never checked in the day before.
func CheckInOpens(start time.Time, lead time.Duration, loc *time.Location) time.Time {
	opens := start.Add(-lead)
	d := DateOf(start, loc)
	if midnight := time.Date(d.Y, d.M, d.D, 0, 0, 0, 0, orUTC(loc)); opens.Before(midnight) {
		return midnight
	}
	return opens
}

// checkInOpen: check-in opens a set time before the start on the session's day and closes at
// the end of that day; a session on an earlier day is marked completed or a no-show instead.
func checkInOpen(c ApptChange) error {
	opens := CheckInOpens(c.Start, c.CheckInLead, c.zone())
	switch {
	case c.Now.Before(opens):
		return &ErrApptTiming{c.Event, "Check-in opens at " + opens.In(c.zone()).Format("15:04 on Mon 2 Jan") + "."}
	case !c.sameDay(c.Now, c.Start):
		return &ErrApptTiming{c.Event, "This appointment was on an earlier day, so it cannot be checked in; mark it completed or a no-show."}
	}
	return nil
}

// afterStart: whether a session took place, or was missed, is known only once it has started.
func afterStart(c ApptChange) error {
	if c.Now.Before(c.Start) {
		return &ErrApptTiming{c.Event, "This appointment has not started yet, so it cannot be " + c.Event.Done() + "."}
	}
	return nil
}

// undoSameDay: the desk's record can be taken back on the day it was made; after that it is
// the record, and the audit log keeps both.
func undoSameDay(c ApptChange) error {
	if c.StatusAt.IsZero() || !c.sameDay(c.Now, c.StatusAt) {
		return &ErrApptTiming{c.Event, "Only a change made today can be undone."}
	}
	return nil
}

// noteDay: a therapist writes a note from the day of the session, so they may prepare it before
// the client arrives; not days ahead, when the session may still move.
func noteDay(c ApptChange) error {
	if DateOf(c.Now, c.zone()).Before(DateOf(c.Start, c.zone())) {
		return &ErrApptTiming{c.Event, "A note can be written from the day of the session, " +
			c.Start.In(c.zone()).Format("Mon 2 Jan") + "."}
	}
	return nil
}

// signAfterStart: a note records a session that happened; it is signed once it has started.
func signAfterStart(c ApptChange) error {
	if err := noteDay(c); err != nil {
		return err
	}
	if c.Now.Before(c.Start) {
		return &ErrApptTiming{c.Event, "This session starts at " + c.Start.In(c.zone()).Format("15:04") +
			", so its note cannot be signed yet. Save it as a draft and sign it once the session has started."}
	}
	return nil
}

// undoneStatus is the status an undo returns to: checked in for a completion that followed a
// check-in, else booked.
func undoneStatus(c ApptChange) ApptStatus {
	if c.Status == ApptCompleted && c.CheckedIn {
		return ApptCheckedIn
	}
	return ApptBooked
}

func staffOnly(r Role) bool     { return r.Staff() }
func staffOrClient(r Role) bool { return r.Valid() }

// clientOutsideWindow: a client changes online only before the cancellation window; staff
// may change at any time (a late cancellation is marked, see ClassifyCancel).
func clientOutsideWindow(c ApptChange) error {
	if c.By == RoleClient && !CanClientChange(c.Now, c.Start, c.CancelWindow) {
		return ErrApptTooLate
	}
	return nil
}

// NextApptStatus is the one rule for changing an appointment: whether c.Event may happen,
// asked by c.By at c.Now, and the status it leaves. It checks who asks first, so a person
// without the right learns nothing of the appointment; then the status; then the time. It
// refuses with *ErrApptNotYours, *ErrApptStatus, *ErrApptTiming or ErrApptTooLate, each a
// sentence a person reads. The note's events answer the status unchanged.
func NextApptStatus(c ApptChange) (ApptStatus, error) {
	i := slices.IndexFunc(apptMachine, func(t apptTransition) bool { return t.event == c.Event })
	if i < 0 {
		return c.Status, &ErrApptStatus{From: c.Status, Event: c.Event}
	}
	t := apptMachine[i]
	if t.who != nil && !t.who(c.By) {
		return c.Status, &ErrApptNotYours{By: c.By, Event: c.Event}
	}
	if !slices.Contains(t.from, c.Status) {
		return c.Status, &ErrApptStatus{From: c.Status, Event: c.Event}
	}
	if t.when != nil {
		if err := t.when(c); err != nil {
			return c.Status, err
		}
	}
	switch {
	case t.event == ApptUndo:
		return undoneStatus(c), nil
	case t.to == "":
		return c.Status, nil
	}
	return t.to, nil
}

// ApptAllows reports whether NextApptStatus would accept c, so a page offers only what works.
func ApptAllows(c ApptChange) bool {
	_, err := NextApptStatus(c)
	return err == nil
}
