package clinic

import (
	"fmt"
	"slices"
	"time"
)

// Settings are the clinic's own choices, edited by the owner.
type Settings struct {
	Name    string
	Address string
	Phone   string
	Email   string
	// TimeZone is an IANA zone name; working hours and "the day before" are computed in it.
	TimeZone string
	// BusinessNumber is the clinic's registration (an ABN in Australia), printed on receipts.
	BusinessNumber string
	// CancelTerms is the clinic's cancellation policy in its own words (a late fee, say),
	// shown after the window sentence that ChangePolicy derives from CancelWindow.
	CancelTerms string
	// Currency is the one currency the clinic charges in; every amount is cents of it.
	Currency Currency
	// GSTRegistered says the clinic charges GST: its invoices are then "Tax invoice" and show
	// the GST included. A clinic under the registration threshold issues plain invoices.
	GSTRegistered bool
	// LateCancelFee and NoShowFee are what reception charges, with one action, for a late
	// cancellation or a no-show; it may waive one with a reason.
	LateCancelFee Fee
	NoShowFee     Fee

	CancelWindow     time.Duration // clients change bookings online up to this long before
	MinNotice        time.Duration // the earliest a client can book ahead of now
	Horizon          time.Duration // how far ahead a client can book
	ReminderLeads    []time.Duration
	StaffIdle        time.Duration
	StaffAbsolute    time.Duration
	ClientIdle       time.Duration
	MaintenanceAfter time.Duration
	// ReleaseNotes puts signed session notes in the record a client downloads.
	// Off by default: a clinic decides, as notes are written for colleagues.
	ReleaseNotes bool
	// RetentionYears is how long a client's records are kept after their last
	// contact with the clinic (longer for a client seen as a minor; see Retention).
	RetentionYears int
	// BookingHold is how long a visitor's chosen times are kept for them while they confirm
	// their email by the link sent to it.
	BookingHold time.Duration
	// StaffTwoFactor requires every staff member to sign in with a one-time code too.
	StaffTwoFactor bool
	CheckInLead    time.Duration // how long before the start, on the day, the desk can check a client in
}

// DefaultSettings are what a new clinic starts with.
func DefaultSettings() Settings {
	return Settings{
		Name:             "Allium Clinic",
		TimeZone:         "Australia/Sydney",
		Currency:         DefaultCurrency,
		CancelWindow:     24 * time.Hour,
		MinNotice:        12 * time.Hour,
		Horizon:          90 * 24 * time.Hour,
		ReminderLeads:    []time.Duration{48 * time.Hour, 2 * time.Hour},
		StaffIdle:        2 * time.Hour,
		StaffAbsolute:    12 * time.Hour,
		ClientIdle:       14 * 24 * time.Hour,
		MaintenanceAfter: 28 * 24 * time.Hour,
		RetentionYears:   DefaultRetentionYears,
		BookingHold:      15 * time.Minute,
		CheckInLead:      time.Hour,
	}
}

// Location loads the clinic's zone.
func (s Settings) Location() (*time.Location, error) {
	loc, err := time.LoadLocation(s.TimeZone)
	if err != nil {
		return nil, fmt.Errorf("clinic time zone %q: %w", s.TimeZone, err)
	}
	return loc, nil
}

// Record keeping: seven years after the last contact is what Australian
// health records law asks of private practitioners; a record of a child is
// kept until they are 25.
const (
	DefaultRetentionYears = 7
	MinRetentionYears     = 7
	MinorAgeUntil         = 18
	MinorKeptUntilAge     = 25
)

// TimeZones are the zones the settings offer, the clinic's region first. A clinic elsewhere
// is one line away; a typed zone name invites typos that move every booking by hours.
var TimeZones = []string{
	"Australia/Sydney", "Australia/Melbourne", "Australia/Brisbane", "Australia/Adelaide",
	"Australia/Darwin", "Australia/Hobart", "Australia/Perth", "Australia/Lord_Howe",
	"Pacific/Auckland", "Asia/Singapore", "Asia/Hong_Kong", "Asia/Tokyo", "Europe/London",
	"Europe/Dublin", "Europe/Berlin", "America/New_York", "America/Chicago", "America/Denver",
	"America/Los_Angeles", "America/Toronto", "America/Vancouver", "UTC",
}

// TimeZoneChoices is TimeZones with the clinic's current zone added when it is not among
// them, so saving other settings never forces a change of zone.
func TimeZoneChoices(current string) []string {
	if current == "" || slices.Contains(TimeZones, current) {
		return TimeZones
	}
	return append([]string{current}, TimeZones...)
}
