package views

import (
	"allium/clinic"
	"allium/store"
)

// SetupSteps is the guided first setup's progress, shown on each page it walks through. The
// steps are the owner's ordinary settings pages, so every step can be changed again later.
type SetupSteps struct {
	On    bool
	Steps []NavLink
	Next  NavLink // the step after this one, or the owner's home at the end
}

// ServicesPage lists the services with the form to add one.
type ServicesPage struct {
	Page     Page
	Setup    SetupSteps
	Services []store.Service
	Form     map[string]string
	Kinds    []clinic.ServiceKind
}

// ServicePage edits one service; Overlaps are the bookings a change of length would affect.
type ServicePage struct {
	Page     Page
	Service  store.Service
	Form     map[string]string
	Kinds    []clinic.ServiceKind
	Overlaps []store.BookingRef
	Refused  string // why a delete was refused, beside the delete button
}

// RoomsPage lists the rooms with the form to add one; Blocking are the bookings that keep a
// room from being retired.
type RoomsPage struct {
	Page     Page
	Setup    SetupSteps
	Rooms    []store.RoomRow
	Form     map[string]string
	Blocking []store.BookingRef
}

// TherapistProfilePage edits a therapist's profile and the services they offer.
type TherapistProfilePage struct {
	Page     Page
	Profile  store.TherapistProfile
	Services []store.Service
	Form     map[string]string
	Offers   map[int64]bool
}

// PublicHome is the clinic's front page: what a client wants to know before booking.
type PublicHome struct {
	Page       Page
	Services   []store.Service
	Therapists []store.PublicTherapist
	Hours      []DayHours
	Open       bool
}

// DayHours is one weekday's opening hours as the front page shows them.
type DayHours struct {
	Day   string
	Hours string // "9:00–17:00" or "Closed"
}

// ClosuresPage lists the dates the clinic is closed; Conflicts are the bookings on one just added.
type ClosuresPage struct {
	Page      Page
	Closures  []store.Closure
	Conflicts []store.BookingRef
	Form      map[string]string
}

// NotOpen is the booking page while the clinic is still being set up.
type NotOpen struct {
	Page Page
}

// ImportPage is the client import: the upload form, the preview of a file, or the report.
type ImportPage struct {
	Page                    Page
	File                    clinic.ImportFile
	Data                    string // the file's text, carried from the preview to the import
	Fields                  []ImportField
	Preview                 bool
	New, Duplicates, Errors int
	Report                  *store.ImportReport
}

// ImportField is one client field and the column (-1: none) that fills it.
type ImportField struct {
	Name, Label string
	Column      int
}
