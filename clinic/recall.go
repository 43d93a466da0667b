package clinic

import "time"

// RecallReason is why a client is on reception's recall list.
type RecallReason string

// Recall reasons, in the order the list groups them.
const (
	// RecallReassessDue: the plan's course is done or its review date has come; the
	// reassessment visit is not booked.
	RecallReassessDue RecallReason = "reassess_due"
	// RecallStalled: a course's last session is further back than its longest gap, nothing is
	// booked ahead and sessions remain (a session missed and not rebooked).
	RecallStalled RecallReason = "stalled"
	// RecallMaintenanceDue: a completed plan's next maintenance visit has come, none booked.
	RecallMaintenanceDue RecallReason = "maintenance_due"
	// RecallLapsed: discharged without maintenance, and not seen for LapsedAfterDays.
	RecallLapsed RecallReason = "lapsed"
)

// LapsedAfterDays is how long after their last visit a discharged client counts as lapsed.
const LapsedAfterDays = 90

var recallReasonLabels = map[RecallReason]string{
	RecallReassessDue:    "Reassessment due",
	RecallStalled:        "Course stalled",
	RecallMaintenanceDue: "Maintenance due",
	RecallLapsed:         "Lapsed after discharge",
}

// Label is the reason as reception reads it.
func (r RecallReason) Label() string {
	if l, ok := recallReasonLabels[r]; ok {
		return l
	}
	return string(r)
}

// Valid reports whether r is a recall reason.
func (r RecallReason) Valid() bool { _, ok := recallReasonLabels[r]; return ok }

// RecallMark is what reception did about an entry.
type RecallMark string

// Recall marks. A contacted entry stays on the list, marked, until the client books; a
// snoozed one comes back on its day; a dismissed one does not come back.
const (
	RecallContacted RecallMark = "contacted"
	RecallSnoozed   RecallMark = "snoozed"
	RecallDismissed RecallMark = "dismissed"
)

// Valid reports whether m is a recall mark.
func (m RecallMark) Valid() bool {
	return m == RecallContacted || m == RecallSnoozed || m == RecallDismissed
}

// RecallSnoozeDays is how long "snooze" puts an entry away.
const RecallSnoozeDays = 14

// RecallCourse is one entry of the recall list: a client, why they are on it, and the course
// or plan it is about. Stalled entries carry the course's numbers; the others the plan's.
type RecallCourse struct {
	Reason                               RecallReason
	CourseID, PlanID                     int64 // the course (stalled) or the plan the entry is about
	ClientID, TherapistID, ServiceID     int64
	ClientName, ClientPhone, ClientEmail string
	TherapistName, ServiceName           string
	Sessions, Done, SpacingMax           int
	LastAt                               time.Time // the last session held; zero when none
	Due                                  Date      // the review or maintenance date; zero for a stalled course
	Mark                                 RecallMark
	MarkedAt                             time.Time
	SnoozedUntil                         Date
}

// RefID is the record the entry is about: the course for a stalled course, else the plan.
func (r RecallCourse) RefID() int64 {
	if r.Reason == RecallStalled {
		return r.CourseID
	}
	return r.PlanID
}

// Shown reports whether the entry belongs on today's list: not dismissed, and not snoozed
// past today.
func (r RecallCourse) Shown(today Date) bool {
	switch r.Mark {
	case RecallDismissed:
		return false
	case RecallSnoozed:
		return !today.Before(r.SnoozedUntil)
	}
	return true
}
