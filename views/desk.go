package views

import (
	"html/template"
	"net/url"
	"strconv"

	"allium/clinic"
	"allium/store"
)

// DeskAppt is an appointment as reception's pages show it.
type DeskAppt struct {
	store.Appointment
}

// StatusLabel names the status in words, so colour never carries it alone.
func (d DeskAppt) StatusLabel() string {
	if d.Status == clinic.ApptCancelled && d.LateCancel {
		return "Late cancellation"
	}
	return d.Status.Label()
}

// Progress is "2 of 4" for a session of a course, empty for a single visit.
func (d DeskAppt) Progress() string {
	if d.CourseSize <= 1 {
		return ""
	}
	return strconv.Itoa(d.CourseIndex) + " of " + strconv.Itoa(d.CourseSize)
}

// Href is the appointment's desk page.
func (d DeskAppt) Href() string { return "/desk/appointments/" + strconv.FormatInt(d.ID, 10) }

// DeskAppts wraps appointments for the desk pages.
func DeskAppts(list []store.Appointment) []DeskAppt {
	out := make([]DeskAppt, len(list))
	for i, a := range list {
		out[i] = DeskAppt{a}
	}
	return out
}

// DeskNavLink is one entry of the desk's own navigation.
type DeskNavLink struct {
	Href    Href
	Label   string
	Current bool
}

// deskNav writes the desk's navigation, on every desk page, with htmlWriter: through the
// template each link was three escapers called by reflection, about a fifth of a light
// page's allocations. Empty without links.
func deskNav(links []DeskNavLink) template.HTML {
	if len(links) == 0 {
		return ""
	}
	w := newHTMLWriter(64 + len(links)*96)
	w.m(`<nav aria-label="Reception"><ul class="actions">`)
	for _, l := range links {
		w.navItem(l.Href, l.Label, l.Current)
	}
	w.m(`</ul></nav>`)
	return w.html()
}

// DeskDay is reception's day, or one therapist's week, on one grid.
type DeskDay struct {
	Page       Page
	Nav        []DeskNavLink
	Heading    string
	Date       string // the date shown, YYYY-MM-DD
	Prev, Next string
	Today      string
	ByRoom     bool
	Week       bool
	Therapist  store.User   // the week's therapist
	Therapists []store.User // to switch the week to another therapist
	DeskBoard               // the board and the cancelled list (desk_board.go)
	spare      *htmlWriter  // the render's writer for the board; see Views.Render
}

// withSpare is the day with a writer to use again for its board.
func (d DeskDay) withSpare(w *htmlWriter) any {
	d.spare = w
	return d
}

// DeskMail is a message about an appointment as the desk sees it.
type DeskMail struct {
	store.OutboxRow
}

// KindLabel names the message.
func (m DeskMail) KindLabel() string {
	switch m.Kind {
	case "confirmation":
		return "Booking confirmation"
	case "reminder":
		return "Reminder"
	case "cancellation":
		return "Cancellation notice"
	case "reschedule":
		return "New time notice"
	case "waitlist_offer":
		return "Waiting list offer"
	}
	return m.Kind
}

// CanResend reports whether the message may be queued again.
func (m DeskMail) CanResend() bool {
	return m.Status == "failed" || m.Status == "expired" || m.Status == "sent"
}

// DeskAppointment is one appointment with what reception may do about it.
type DeskAppointment struct {
	Page      Page
	Nav       []DeskNavLink
	Appt      DeskAppt
	Mail      []DeskMail
	LateIfNow bool // cancelling now would count as a late cancellation
	Can       DeskActions
	Form      map[string]string
	Money     *DeskMoney // nil where the page shows no money (not yet read)
}

// DeskActions are the changes clinic's appointment rules let the person at the desk make to
// the appointment now; the page offers only these.
type DeskActions struct {
	CheckIn, Complete, NoShow, Move, Cancel bool
	Undo                                    bool
	UndoTo                                  clinic.ApptStatus // the status an undo returns to
	NotYet                                  string            // why the desk cannot record anything yet, e.g. when check-in opens
}

// DeskSlot is a free time offered for a move.
type DeskSlot struct {
	Value string // the instant, RFC 3339 in UTC, so a repeated wall-clock hour names one moment
	Time  string
}

// DeskSlotDay is one day of free times.
type DeskSlotDay struct {
	Label string
	Slots []DeskSlot
}

// DeskMove lists free times to move an appointment to.
type DeskMove struct {
	Page       Page
	Nav        []DeskNavLink
	Appt       DeskAppt
	Days       []DeskSlotDay
	Date       string
	Prev, Next string
	Message    string // why the last attempt failed
}

// DeskClients is the client search with the add-a-client form.
type DeskClients struct {
	Page     Page
	Nav      []DeskNavLink
	Q        string
	Searched bool
	Results  []clinic.Client
	Existing *clinic.Client // the client already on file with the email just typed
	Form     map[string]string
	Pick     *DeskPick // an empty time chosen on the board, to book for the client chosen here
}

// DeskPick is an empty time reception chose on the board: the client list then books it.
type DeskPick struct {
	Therapist     int64
	TherapistName string
	Slot          string // therapist@instant, as the booking pages send a time
	Day           clinic.Date
	When          string // "Mon 7 Dec, 13:00"
}

// BookHref is the booking page for a client, opened on the chosen therapist and day with
// the chosen time ready (the service is chosen there first).
func (p DeskPick) BookHref(clientID int64) string {
	q := url.Values{}
	q.Set("client", strconv.FormatInt(clientID, 10))
	q.Set("therapist", strconv.FormatInt(p.Therapist, 10))
	q.Set("date", p.Day.String())
	q.Set("day", p.Day.String())
	q.Set("slot", p.Slot)
	return "/book?" + q.Encode()
}

// BookHref is a client's Book link: plain, or carrying the time chosen on the board.
func (d DeskClients) BookHref(clientID int64) string {
	if d.Pick != nil {
		return d.Pick.BookHref(clientID)
	}
	return "/book?client=" + strconv.FormatInt(clientID, 10)
}

// DeskClient is a client's profile at the desk.
type DeskClient struct {
	Page        Page
	Nav         []DeskNavLink
	Client      clinic.Client
	Upcoming    []DeskAppt
	Past        []DeskAppt
	LateCancels int
	NoShows     int
	Duplicates  []clinic.Client   // other records that look like the same person
	Form        map[string]string // the details form, as typed when it was refused
	Balance     clinic.Money      // owed (positive) or credit (negative)
	Receipts    []store.ReceiptLine
	Packages    []store.Package // prepaid courses
	Currency    clinic.Currency
}

// Owes is what the client owes, never below zero; Credit what they hold over.
func (d DeskClient) Owes() clinic.Money   { return max(d.Balance, 0) }
func (d DeskClient) Credit() clinic.Money { return max(-d.Balance, 0) }

// DeskHoursDay is one weekday's line of the hours form.
type DeskHoursDay struct {
	Name  string // form field: "day1" for Monday
	Label string
	Value string // "09:00-12:30, 13:30-18:00"
}

// DeskConflict is a booking that no longer fits the therapist's calendar.
type DeskConflict struct {
	Appt   string // link to the appointment
	Client string
	When   string
	Why    string
}

// DeskTimeOff is one stretch of time off as the hours page lists it.
type DeskTimeOff struct {
	ID     int64
	When   string
	Reason string
}

// DeskHours edits a therapist's weekly hours and time off.
type DeskHours struct {
	Page      Page
	Nav       []DeskNavLink
	Therapist store.User
	Days      []DeskHoursDay
	TimeOff   []DeskTimeOff
	DateHours []DeskDateHours
	Conflicts []DeskConflict
	Form      map[string]string
}

// DeskTherapists lists therapists with links to their week and hours.
type DeskTherapists struct {
	Page       Page
	Setup      SetupSteps
	Nav        []DeskNavLink
	Therapists []store.User
	Today      string
}

// DeskRecallCourse is one stalled course with how long it has waited.
type DeskRecallCourse struct {
	clinic.RecallCourse
	Last      string // the last session held, "" when none
	DaysSince int
	Marked    string // the day reception marked it, "" when not
	BookHref  Href
}

// DeskRecall is the list of courses to call clients about.
type DeskRecall struct {
	Page    Page
	Nav     []DeskNavLink
	Courses []DeskRecallCourse
}

// DeskDateHours is one date with its own hours.
type DeskDateHours struct {
	Date  string // 2026-12-24, for the form
	Label string // Thu 24 Dec 2026
	Hours string // "09:00-13:00" or "Away"
}
