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
)

// apptEventDone is an event as "it cannot be ..." and "<client> is ..." finish it.
var apptEventDone = map[ApptEvent]string{
	ApptCheckIn:    "checked in",
	ApptComplete:   "marked completed",
	ApptMarkNoShow: "marked as a no-show",
	ApptCancel:     "cancelled",
	ApptMove:       "moved",
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
		if t.to == to && t.event != ApptMove && t.event != ApptCancel {
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

// ErrApptTooLate says a client asked inside the cancellation window: the clinic takes the
// change by phone, where the policy can be explained.
var ErrApptTooLate = errors.New("It is too close to the appointment to change it online.")

type apptTransition struct {
	event ApptEvent
	from  []ApptStatus
	to    ApptStatus
	// who reports whether role may make the change; when, given the facts, whether it may
	// happen now. nil allows anyone or any time.
	who  func(Role) bool
	when func(ApptChange) error
}

var apptMachine = []apptTransition{
	{ApptCheckIn, []ApptStatus{ApptBooked}, ApptCheckedIn, staffOnly, nil},
	{ApptComplete, []ApptStatus{ApptBooked, ApptCheckedIn}, ApptCompleted, staffOnly, nil},
	{ApptMarkNoShow, []ApptStatus{ApptBooked}, ApptNoShow, staffOnly, nil},
	{ApptCancel, []ApptStatus{ApptBooked}, ApptCancelled, staffOrClient, clientOutsideWindow},
	{ApptMove, []ApptStatus{ApptBooked}, ApptBooked, staffOrClient, clientOutsideWindow},
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
// refuses with *ErrApptNotYours, *ErrApptStatus or ErrApptTooLate, each a sentence a person
// reads.
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
	return t.to, nil
}

// ApptAllows reports whether NextApptStatus would accept c, so a page offers only what works.
func ApptAllows(c ApptChange) bool {
	_, err := NextApptStatus(c)
	return err == nil
}
