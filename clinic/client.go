package clinic

import "time"

// Client is a person treated at the clinic, with or without an account to sign in.
type Client struct {
	ID                 int64
	UserID             int64 // 0 when the client has no account
	Name               string
	Email              string
	Phone              string
	BirthDate          string
	Cautions           string
	Notes              string
	ConsentTreatmentAt time.Time // zero: not given yet
	ConsentReminders   bool
	NudgesOptOut       bool
	BookingBlocked     bool
	CreatedAt          time.Time
}
