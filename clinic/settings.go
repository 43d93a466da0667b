package clinic

import (
	"fmt"
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

	CancelWindow     time.Duration // clients change bookings online up to this long before
	MinNotice        time.Duration // the earliest a client can book ahead of now
	Horizon          time.Duration // how far ahead a client can book
	ReminderLeads    []time.Duration
	StaffIdle        time.Duration
	StaffAbsolute    time.Duration
	ClientIdle       time.Duration
	MaintenanceAfter time.Duration
	// BookingHold is how long a visitor's chosen times are kept for them while they confirm
	// their email by the link sent to it.
	BookingHold time.Duration
	// StaffTwoFactor requires every staff member to sign in with a one-time code too.
	StaffTwoFactor bool
}

// DefaultSettings are what a new clinic starts with.
func DefaultSettings() Settings {
	return Settings{
		Name:             "Allium Clinic",
		TimeZone:         "Australia/Sydney",
		CancelWindow:     24 * time.Hour,
		MinNotice:        12 * time.Hour,
		Horizon:          90 * 24 * time.Hour,
		ReminderLeads:    []time.Duration{48 * time.Hour, 2 * time.Hour},
		StaffIdle:        2 * time.Hour,
		StaffAbsolute:    12 * time.Hour,
		ClientIdle:       14 * 24 * time.Hour,
		MaintenanceAfter: 28 * 24 * time.Hour,
		BookingHold:      15 * time.Minute,
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
