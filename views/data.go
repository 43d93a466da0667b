package views

import (
	"time"

	"allium/clinic"
	"allium/store"
)

// Page is what every page needs: the layout reads it as .Page.
type Page struct {
	Title     string
	User      *User
	CSRF      string
	Flash     string
	FlashKind string // "", "error" or "warn"
	Clinic    Clinic
	Loc       *time.Location
	Nav       []NavLink
	Errors    map[string]string // field name -> message shown beside it
	Wide      bool              // reception's screens use the full width
	Assets    func(string) string
}

// User is the signed-in person as the layout shows them.
type User struct {
	ID   int64
	Name string
	Role string
}

// Clinic is the clinic's public face.
type Clinic struct {
	Name    string
	Address string
	Phone   string
	Email   string
}

// NavLink is one entry of the site navigation.
type NavLink struct {
	Href    string
	Label   string
	Current bool
}

// Simple is the data of a page that needs nothing beyond the Page and a form's values.
type Simple struct {
	Page Page
	Form map[string]string
}

// ErrorPage is the calm page shown for 403, 404, 409, 422 and 500. It never carries internal
// error text: a database error can contain a client's name.
type ErrorPage struct {
	Page      Page
	Heading   string
	Message   string
	RequestID string
}

// AdminHome is the owner's overview.
type AdminHome struct {
	Page         Page
	MailProblems []store.OutboxRow
	Staff        []store.User
	Settings     clinic.Settings
}

// SettingsPage is the clinic settings form.
type SettingsPage struct {
	Page Page
	Form map[string]string
}

// StaffPage lists staff with the invite form.
type StaffPage struct {
	Page  Page
	Staff []store.User
	Form  map[string]string
}

// MailPage is the built-in mailbox and the outbox.
type MailPage struct {
	Page    Page
	Mailbox []store.MailboxMessage
	Outbox  []store.OutboxRow
}

// MailMessagePage shows one message of the built-in mailbox.
type MailMessagePage struct {
	Page    Page
	Message store.MailboxMessage
}

// AuditPage is the audit log.
type AuditPage struct {
	Page    Page
	Entries []clinic.AuditEntry
}

// AssessmentsOverview is the owner's view of assessment alerts and scoring agreement.
type AssessmentsOverview struct {
	Page      Page
	Alerts    []clinic.AssessmentAlert
	Agreement []clinic.AgreementRow
	Total     int
	Agreed    int
}

// TwoFactorPage is a staff member's two-step sign-in: setting it up (Secret, shown as a QR code
// and as text), or on, with the recovery codes just made (shown once) or how many are left.
type TwoFactorPage struct {
	Page      Page
	On        bool
	Required  bool
	Secret    string
	Codes     []string
	CodesLeft int
}
