package clinic

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// ServiceKind says what a service is for, which decides how the booking pages offer it.
type ServiceKind string

const (
	KindFirstVisit  ServiceKind = "first_visit" // a first visit with assessment
	KindFollowUp    ServiceKind = "follow_up"
	KindCourse      ServiceKind = "course" // a session of a short course, booked together
	KindMaintenance ServiceKind = "maintenance"
)

// ServiceKinds lists the kinds in the order the owner's form offers them.
var ServiceKinds = []ServiceKind{KindFirstVisit, KindFollowUp, KindCourse, KindMaintenance}

// Label is the kind as the owner reads it.
func (k ServiceKind) Label() string {
	switch k {
	case KindFirstVisit:
		return "First visit with assessment"
	case KindFollowUp:
		return "Follow-up"
	case KindCourse:
		return "Course session"
	case KindMaintenance:
		return "Maintenance"
	}
	return string(k)
}

// Booked as a course: the kinds whose course defaults (sessions, spacing) apply.
func (k ServiceKind) Course() bool { return k == KindCourse }

// ServiceSpec is a service as the owner edits it.
type ServiceSpec struct {
	Name, Description string
	Duration, Buffer  time.Duration
	PriceCents        int
	NeedsRoom         bool
	Kind              ServiceKind
	CourseSessions    int // course kinds only; 1 otherwise
	SpacingDays       int // course kinds only
	PackageDiscount   int // course kinds only: percent off a course sold as a prepaid package
	Sort              int
	Active            bool
}

// Limits of a service, shared by the form and the schema's checks.
const (
	ServiceGrid        = 5 * time.Minute
	MaxServiceDuration = 8 * time.Hour
	MaxServiceBuffer   = 2 * time.Hour
	MaxPriceCents      = 10_000_00
	MaxCourseSessions  = 6
)

// Validate returns a message for each field that is wrong, keyed by the form's field names,
// and fills the course defaults of a service that is not a course. Empty means valid.
func (s *ServiceSpec) Validate() map[string]string {
	errs := map[string]string{}
	switch {
	case s.Duration < ServiceGrid || s.Duration > MaxServiceDuration:
		errs["duration"] = "Length must be from 5 minutes to 8 hours."
	case s.Duration%ServiceGrid != 0:
		errs["duration"] = "Length must be a multiple of 5 minutes, such as 30, 45 or 60."
	}
	switch {
	case s.Buffer < 0:
		errs["buffer"] = "The time after cannot be negative."
	case s.Buffer%ServiceGrid != 0:
		errs["buffer"] = "The time after must be a multiple of 5 minutes."
	case s.Buffer > MaxServiceBuffer:
		errs["buffer"] = "The time after can be at most 2 hours."
	case s.Buffer > s.Duration && errs["duration"] == "":
		errs["buffer"] = "The time after cannot be longer than the session itself."
	}
	switch {
	case s.PriceCents < 0:
		errs["price"] = "The price cannot be negative."
	case s.PriceCents > MaxPriceCents:
		errs["price"] = "The price can be at most $10,000."
	}
	if !validKind(s.Kind) {
		errs["kind"] = "Please choose the kind of service from the list."
	}
	if s.Kind.Course() {
		if s.CourseSessions < 2 || s.CourseSessions > MaxCourseSessions {
			errs["course_sessions"] = fmt.Sprintf("A course has from 2 to %d sessions.", MaxCourseSessions)
		}
		if s.SpacingDays < MinSpacingDays || s.SpacingDays > MaxSpacingDays {
			errs["spacing_days"] = fmt.Sprintf("Sessions of a course are %d to %d days apart.", MinSpacingDays, MaxSpacingDays)
		}
		if s.PackageDiscount < 0 || s.PackageDiscount > MaxPackageDiscount {
			errs["package_discount"] = ErrPackageDiscount.Error()
		}
	} else {
		s.CourseSessions, s.SpacingDays, s.PackageDiscount = 1, DefaultSpacing().Target, 0
	}
	return errs
}

func validKind(k ServiceKind) bool {
	for _, x := range ServiceKinds {
		if x == k {
			return true
		}
	}
	return false
}

// ParsePrice reads dollars and cents as a person types them ("85", "85.50", "$1,200") into
// integer cents; money never passes through a float.
func ParsePrice(s string) (int, error) {
	s = strings.TrimSpace(strings.NewReplacer("$", "", ",", "", " ", "").Replace(s))
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	whole, frac, dot := strings.Cut(s, ".")
	if whole == "" && !dot || !isDigits(whole) && whole != "" || dot && (len(frac) == 0 || len(frac) > 2 || !isDigits(frac)) || len(whole) > 9 {
		return 0, fmt.Errorf("price %q: want dollars and cents such as 85.00", s)
	}
	n := 0
	for _, r := range whole {
		n = n*10 + int(r-'0')
	}
	n *= 100
	if len(frac) == 1 {
		frac += "0"
	}
	for i, r := range frac {
		n += int(r-'0') * []int{10, 1}[i]
	}
	if neg {
		n = -n
	}
	return n, nil
}

// FormatPrice writes cents as dollars: 8500 -> "$85.00".
func FormatPrice(cents int) string {
	sign := ""
	if cents < 0 {
		sign, cents = "-", -cents
	}
	return fmt.Sprintf("%s$%d.%02d", sign, cents/100, cents%100)
}

// ReadinessFacts are what decides whether online booking can open: gathered by the store,
// judged by BookingBlockers.
type ReadinessFacts struct {
	Phone      string
	Rooms      int
	Services   []ServiceFact // active services
	Therapists []TherapistFact
}

// ServiceFact is one active service as readiness sees it.
type ServiceFact struct {
	ID        int64
	Name      string
	NeedsRoom bool
}

// TherapistFact is one active therapist as readiness sees it.
type TherapistFact struct {
	ID       int64
	Name     string
	Offers   []int64
	HasHours bool
}

// Blocker is one thing that keeps online booking closed, with where to fix it.
type Blocker struct {
	Text string
	Href string
}

// BookingOpen reports whether a client could book anything online: some active service that a
// therapist with hours offers, with a room if it needs one. Until then the booking pages say
// "not open yet". Once it is open, what is left on the checklist (a therapist who joined
// without hours, say) does not close it again for everyone else.
func BookingOpen(f ReadinessFacts) bool {
	for _, s := range f.Services {
		if s.NeedsRoom && f.Rooms == 0 {
			continue
		}
		for _, t := range f.Therapists {
			if t.HasHours && slices.Contains(t.Offers, s.ID) {
				return true
			}
		}
	}
	return false
}

// BookingBlockers is the owner's checklist: in the order an owner would fix them, what keeps
// online booking closed or some service or therapist from being booked. Every item names the
// thing to fix in words, so the checklist needs no other explanation.
func BookingBlockers(f ReadinessFacts) []Blocker {
	var out []Blocker
	add := func(href, format string, args ...any) {
		out = append(out, Blocker{Text: fmt.Sprintf(format, args...), Href: href})
	}
	if strings.TrimSpace(f.Phone) == "" {
		add("/admin/settings", "The clinic has no phone number yet")
	}
	if len(f.Services) == 0 {
		add("/admin/services", "No service yet")
	}
	needsRoom := false
	for _, s := range f.Services {
		needsRoom = needsRoom || s.NeedsRoom
	}
	if needsRoom && f.Rooms == 0 {
		add("/admin/rooms", "No treatment room yet")
	}
	if len(f.Therapists) == 0 {
		add("/admin/staff", "No therapist yet")
	}
	for _, s := range f.Services {
		offered := false
		for _, t := range f.Therapists {
			for _, id := range t.Offers {
				offered = offered || id == s.ID
			}
		}
		if !offered && len(f.Therapists) > 0 {
			add(fmt.Sprintf("/admin/therapists/%d", f.Therapists[0].ID), "No therapist offers %s", s.Name)
		}
	}
	for _, t := range f.Therapists {
		if !t.HasHours {
			add(fmt.Sprintf("/desk/therapists/%d/hours", t.ID), "%s has no hours", t.Name)
		}
	}
	return out
}

// Messages about the clinic's set-up that a person reads.
const (
	MsgServiceInUse = "This service has bookings, so it is kept for their history. Retire it instead: " +
		"it is no longer offered, and the bookings made keep it."
	MsgRoomInUse = "This room has bookings to come, so it cannot be retired yet. Move them to another room " +
		"first; they are listed below."
	MsgRoomNameTaken  = "Another room already has this name."
	MsgLongerOverlaps = "Saved. Bookings already made keep their length; the new length applies to new bookings. " +
		"At the new length these bookings would run into the next one:"
)

// Messages about closures and one-off hours.
const (
	MsgDateInPast    = "Please choose today or a later date: the past cannot be changed."
	MsgDateFormat    = "Please give the date like 2026-12-25."
	MsgClosedBooked  = "The clinic is closed that day. These bookings stay booked until someone moves or cancels them:"
	MsgHoursDayShort = "These bookings that day no longer fit the hours; they stay booked until someone moves or cancels them:"
)
