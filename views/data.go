package views

import (
	"net/url"
	"strings"
	"time"

	"allium/backups"
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
	Today     clinic.Date // the clinic's today: a date in another year is written with its year
	Nav       []NavLink
	Errors    map[string]string // field name -> message shown beside it
	Wide      bool              // reception's screens use the full width
	Assets    func(string) string
}

// The one way pages write dates and times (clinic.Dates): {{.Page.When .Start}} is
// "Mon 7 Dec, 10:30", {{.Page.Day .Date}} "Mon 7 Dec", {{.Page.DayOf .Start}} the day of an
// instant, {{.Page.Clock .End}} "11:30". ISO dates belong in form values and links only.
func (p Page) dates() clinic.Dates      { return clinic.Dates{Loc: p.Loc, Today: p.Today} }
func (p Page) When(t time.Time) string  { return p.dates().When(t) }
func (p Page) Day(d clinic.Date) string { return p.dates().Day(d) }
func (p Page) DayOf(t time.Time) string { return p.dates().DayOf(t) }

// ErrorsUnder reports whether a field whose name starts with prefix has a message, so the
// folded section holding it opens.
func (p Page) ErrorsUnder(prefix string) bool {
	for k := range p.Errors {
		if strings.HasPrefix(k, prefix) {
			return true
		}
	}
	return false
}

// DayText and Born write a YYYY-MM-DD string kept as text; anything else is shown as it is.
func (p Page) DayText(iso string) string {
	if d, err := clinic.ParseDate(iso); err == nil {
		return p.dates().Day(d)
	}
	return iso
}
func (p Page) Born(iso string) string {
	if d, err := clinic.ParseDate(iso); err == nil {
		return p.dates().Born(d)
	}
	return iso
}
func (p Page) Clock(t time.Time) string { return p.dates().Clock(t) }

// User is the signed-in person as the layout shows them.
type User struct {
	ID   int64
	Name string
	Role string
}

// Clinic is the clinic's public face.
type Clinic struct {
	Name           string
	Address        string
	Phone          string
	Email          string
	BusinessNumber string
	// Policy is the change-and-cancel sentence derived from the window the clinic enforces;
	// Terms is the owner's own wording after it (a late fee, say).
	Policy string
	Terms  string
}

// ClinicOf is the one place the public face is made from the settings, for pages and emails
// alike, so they cannot say different things.
func ClinicOf(set clinic.Settings) Clinic {
	return Clinic{Name: set.Name, Address: set.Address, Phone: set.Phone, Email: set.Email,
		BusinessNumber: set.BusinessNumber, Policy: clinic.ChangePolicy(set.CancelWindow), Terms: set.CancelTerms}
}

// MapURL links the clinic's address to a map search; empty without an address.
func (c Clinic) MapURL() string {
	if c.Address == "" {
		return ""
	}
	return "https://www.openstreetmap.org/search?query=" + url.QueryEscape(c.Address)
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
	Blockers     []clinic.Blocker // what keeps online booking closed; empty when it is open
	MailProblems []store.OutboxRow
	Staff        []store.User
	Settings     clinic.Settings
	Copies       backups.Status // the nightly backups and Litestream's replica
}

// SettingsPage is the clinic settings form.
type SettingsPage struct {
	Page      Page
	Form      map[string]string
	TimeZones []string
	Setup     SetupSteps // set while the owner walks through the first setup
}

// Currencies are the currencies the settings offer.
func (SettingsPage) Currencies() []string {
	out := make([]string, len(clinic.Currencies))
	for i, c := range clinic.Currencies {
		out[i] = string(c)
	}
	return out
}

// StaffPage lists staff with the invite form.
type StaffPage struct {
	Page  Page
	Setup SetupSteps
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
