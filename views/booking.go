package views

import (
	"allium/clinic"
	"allium/store"
)

// BookStart is the first booking step: service and therapist.
type BookStart struct {
	Page       Page
	Services   []store.Service
	Therapists []store.User
	Service    int64
	Therapist  int64
	Sessions   int // set (with Spacing) only when booking a plan's course
	Spacing    int
	Date       string
	ClientID   int64
	PlanID     int64
}

// SlotChoice is one free time offered in a form.
type SlotChoice struct {
	Value     string // therapist@instant
	Time      string
	Therapist string
}

// SlotDay is a day's free times.
type SlotDay struct {
	Label string
	Slots []SlotChoice
}

// BookTimes lists free first-session times for a week.
type BookTimes struct {
	Page        Page
	Service     store.Service
	First       store.Service // the first visit's service, when the course starts with a longer one
	TherapistID int64
	Sessions    int
	Spacing     int
	ClientID    int64
	PlanID      int64
	Days        []SlotDay
	Date        string
	Prev, Next  string
}

// CourseSession is one proposed session with the times it may be swapped for.
type CourseSession struct {
	Index   int
	Found   bool
	Value   string
	When    string
	Window  string
	Options []SlotChoice
}

// BookCourse is the course proposal and confirmation form.
type BookCourse struct {
	Page         Page
	Service      store.Service
	First        store.Service // the first visit's service, when the course starts with a longer one
	TherapistID  int64
	Spacing      int
	ClientID     int64
	PlanID       int64
	Sessions     []CourseSession
	NeedsAccount bool
	SignInHref   string // the sign-in page, returning to these choices
	Form         map[string]string
}

// ClientHome is a client's bookings.
type ClientHome struct {
	Page           Page
	Upcoming       []store.Appointment
	Past           []store.Appointment
	Services       []store.Service
	Receipts       []store.ReceiptLine
	Currency       clinic.Currency
	ReceiptsOptOut bool
}

// AppointmentPage shows one appointment to its client, signed in or through a manage link.
type AppointmentPage struct {
	Page      Page
	Appt      store.Appointment
	Base      string              // "/my/appointments/42" or "/m/TOKEN"
	CanChange bool                // the client may move or cancel it online
	TooLate   bool                // it is booked, but inside the cancellation window: the client must call
	Stale     bool                // a manage link for a moved or cancelled appointment
	Course    []store.Appointment // every session of its course, this one included; nil for a single visit
}

// MovePage lists free times to move an appointment to.
type MovePage struct {
	Page       Page
	Appt       store.Appointment
	Base       string
	Days       []SlotDay
	Date       string
	Prev, Next string
}

// TherapistDay is a therapist's list for a day.
type TherapistDay struct {
	Page         Page
	Date         string
	Prev, Next   string
	Appointments []TherapistAppt
}

// TherapistAppt is a row of the therapist's day: the appointment, and whether its note may be
// written now (clinic.NoteOpen: today's and past sessions that take place).
type TherapistAppt struct {
	store.Appointment
	NoteOpen bool
}
