package handlers

import (
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"allium/clinic"
	"allium/store"
	"allium/views"
)

// AdminHome is the owner's overview: mail problems first, because they need action.
func (a *App) AdminHome(c echo.Context) error {
	ctx := c.Request().Context()
	problems, err := a.Store.Outbox(ctx, actor(c), store.OutboxFilter{Problems: true, Limit: 20})
	if err != nil {
		return err
	}
	staffList, err := a.Store.Staff(ctx)
	if err != nil {
		return err
	}
	blockers, err := a.blockers(c)
	if err != nil {
		return err
	}
	page := views.AdminHome{Page: a.page(c, "Clinic"), Blockers: blockers, MailProblems: problems, Staff: staffList,
		Settings: a.Settings()}
	if a.Copies != nil {
		page.Copies = a.Copies(a.Now())
	}
	return a.render(c, "admin_home", page)
}

func (a *App) SettingsForm(c echo.Context) error {
	return a.render(c, "admin_settings", views.SettingsPage{Page: a.page(c, "Settings"), Form: settingsValues(a.Settings()),
		TimeZones: clinic.TimeZoneChoices(a.Settings().TimeZone), Setup: setupSteps(c, "/admin/settings")})
}

func settingsValues(s clinic.Settings) map[string]string {
	h := func(d time.Duration) string { return strconv.Itoa(int(d / time.Hour)) }
	leads := make([]string, len(s.ReminderLeads))
	for i, d := range s.ReminderLeads {
		leads[i] = h(d)
	}
	return map[string]string{"name": s.Name, "address": s.Address, "phone": s.Phone, "email": s.Email,
		"time_zone": s.TimeZone, "business_number": s.BusinessNumber, "cancel_terms": s.CancelTerms, "cancel_window": h(s.CancelWindow), "min_notice": h(s.MinNotice),
		"horizon": strconv.Itoa(int(s.Horizon / (24 * time.Hour))), "reminder_leads": strings.Join(leads, " "),
		"staff_idle": strconv.Itoa(int(s.StaffIdle / time.Minute)), "staff_absolute": h(s.StaffAbsolute),
		"client_idle": strconv.Itoa(int(s.ClientIdle / (24 * time.Hour))), "retention_years": strconv.Itoa(s.RetentionYears),
		"release_notes": map[bool]string{true: "1"}[s.ReleaseNotes], "booking_hold": strconv.Itoa(int(s.BookingHold / time.Minute)),
		"staff_two_factor": map[bool]string{true: "1"}[s.StaffTwoFactor], "currency": string(s.Currency),
		"gst_registered": map[bool]string{true: "1"}[s.GSTRegistered], "late_cancel_fee": s.LateCancelFee.String(),
		"no_show_fee": s.NoShowFee.String(), "check_in_lead": strconv.Itoa(int(s.CheckInLead / time.Minute))}
}

// SaveSettings validates every field, then saves them all or none.
func (a *App) SaveSettings(c echo.Context) error {
	f := newForm(c)
	s := a.Settings()
	s.Name = f.Text("name", "Clinic name", 100, true)
	s.Address = f.Text("address", "Address", 200, false)
	s.Phone = f.Text("phone", "Phone", 40, false)
	s.Email = f.Text("email", "Clinic email", 254, false)
	if s.Email != "" {
		f.Email("email")
	}
	s.TimeZone = f.OneOf("time_zone", "Time zone", clinic.TimeZoneChoices(a.Settings().TimeZone)...)
	s.BusinessNumber = f.Text("business_number", "Business number", 40, false)
	s.CancelTerms = f.Multiline("cancel_terms", "Cancellation policy", 1000, false)
	s.CancelWindow = time.Duration(f.Int("cancel_window", "Cancellation window", 0, 168)) * time.Hour
	s.MinNotice = time.Duration(f.Int("min_notice", "Minimum notice", 0, 168)) * time.Hour
	s.Horizon = time.Duration(f.Int("horizon", "Booking horizon", 1, 365)) * 24 * time.Hour
	s.ReminderLeads = f.hourList("reminder_leads", "Reminder times", 1, 336)
	s.StaffTwoFactor = f.Bool("staff_two_factor")
	if s.StaffTwoFactor && !currentUser(c).TwoFactor {
		// Requiring it first would send the owner to set it up in the middle of saving.
		f.fail("staff_two_factor", "Please set up two-step sign-in for yourself first (under Account), then require it of everyone.")
	}
	if c.FormValue("booking_hold") != "" { // a form from before the setting existed keeps it
		s.BookingHold = time.Duration(f.Int("booking_hold", "Time held while a visitor confirms", 5, 120)) * time.Minute
	}
	s.StaffIdle = time.Duration(f.Int("staff_idle", "Staff idle timeout", 5, 720)) * time.Minute
	s.StaffAbsolute = time.Duration(f.Int("staff_absolute", "Staff session limit", 1, 24)) * time.Hour
	s.ClientIdle = time.Duration(f.Int("client_idle", "Client idle timeout", 1, 90)) * 24 * time.Hour
	s.RetentionYears = f.Int("retention_years", "Keep records for", clinic.MinRetentionYears, 100)
	s.ReleaseNotes = f.Bool("release_notes")
	if cur := f.OneOf("currency", "Currency", views.SettingsPage{}.Currencies()...); clinic.Currency(cur).Valid() {
		s.Currency = clinic.Currency(cur)
	}
	s.GSTRegistered = f.Bool("gst_registered")
	s.LateCancelFee = f.fee("late_cancel_fee", "Late cancellation fee")
	s.NoShowFee = f.fee("no_show_fee", "No-show fee")
	if !f.Valid() {
		p := a.page(c, "Settings")
		p.Errors = f.Errors
		return a.invalid(c, "admin_settings", views.SettingsPage{Page: p, Form: f.Values,
			TimeZones: clinic.TimeZoneChoices(a.Settings().TimeZone), Setup: setupSteps(c, "/admin/settings")})
	}
	ctx := c.Request().Context()
	if err := a.Store.SaveSettings(ctx, actor(c), s); err != nil {
		return err
	}
	if err := a.reloadSettings(ctx); err != nil {
		return err
	}
	if next := setupSteps(c, "/admin/settings").Next; inSetup(c) {
		return a.flash(c, next.Href, "Clinic details saved. Next: the services you offer.")
	}
	return a.flash(c, "/admin/settings", "Settings saved.")
}

// hourList reads space-separated whole hours, such as "48 2".
func (f *form) hourList(name, label string, min, max int) []time.Duration {
	v := f.Text(name, label, 60, false)
	var out []time.Duration
	for _, w := range strings.Fields(v) {
		n, err := strconv.Atoi(w)
		if err != nil || n < min || n > max {
			f.fail(name, label+": whole hours from "+strconv.Itoa(min)+" to "+strconv.Itoa(max)+", separated by spaces, such as 48 2.")
			return nil
		}
		out = append(out, time.Duration(n)*time.Hour)
	}
	return out
}

func (a *App) StaffList(c echo.Context) error {
	return a.staffPage(c, views.StaffPage{Page: a.page(c, "Staff")})
}

func (a *App) staffPage(c echo.Context, data views.StaffPage) error {
	list, err := a.Store.Staff(c.Request().Context())
	if err != nil {
		return err
	}
	data.Staff, data.Setup = list, setupSteps(c, "/admin/staff")
	if len(data.Page.Errors) > 0 {
		return a.invalid(c, "admin_staff", data)
	}
	return a.render(c, "admin_staff", data)
}

// StaffInvite makes the account and emails the invitation through the outbox.
func (a *App) StaffInvite(c echo.Context) error {
	f := newForm(c)
	name := f.Text("name", "Name", 100, true)
	email := f.Email("email")
	role := f.OneOf("role", "Role", string(clinic.RoleTherapist), string(clinic.RoleReception), string(clinic.RoleOwner))
	if f.Valid() {
		_, err := a.Store.InviteStaff(c.Request().Context(), actor(c), clinic.Role(role), email, name)
		if errors.Is(err, store.ErrConflict) {
			f.fail("email", "Someone already has an account with this email.")
		} else if err != nil {
			return err
		} else {
			return a.flash(c, backTo(c, "/admin/staff"), "Invitation sent to "+email+".")
		}
	}
	p := a.page(c, "Staff")
	p.Errors = f.Errors
	return a.staffPage(c, views.StaffPage{Page: p, Form: f.Values})
}

func (a *App) StaffSetActive(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	active := c.FormValue("active") == "1"
	err = a.Store.SetActive(c.Request().Context(), actor(c), id, active)
	if errors.Is(err, store.ErrConflict) {
		return a.flashKind(c, "/admin/staff", "You cannot deactivate your own account.", "error")
	}
	if err != nil {
		return err
	}
	msg := "Account deactivated; they are signed out everywhere."
	if active {
		msg = "Account active again."
	}
	return a.flash(c, "/admin/staff", msg)
}

// MailList shows the built-in mailbox and the outbox's recent messages with their state.
func (a *App) MailList(c echo.Context) error {
	ctx := c.Request().Context()
	box, err := a.Store.Mailbox(ctx, actor(c), c.QueryParam("to"), 100)
	if err != nil {
		return err
	}
	out, err := a.Store.Outbox(ctx, actor(c), store.OutboxFilter{Limit: 100})
	if err != nil {
		return err
	}
	return a.render(c, "admin_mail", views.MailPage{Page: a.page(c, "Mail"), Mailbox: box, Outbox: out})
}

func (a *App) MailShow(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	m, err := a.Store.MailboxMessageByID(c.Request().Context(), actor(c), id)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Content-Security-Policy", mailPreviewPolicy)
	return a.render(c, "admin_mail_show", views.MailMessagePage{Page: a.page(c, m.Subject), Message: m})
}

// OutboxResend queues a failed or expired message again; reception may do it from the desk.
func (a *App) OutboxResend(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	if err := a.Store.Resend(c.Request().Context(), actor(c), id); err != nil {
		return err
	}
	back := a.safeNext(c.FormValue("back"))
	if back == "" {
		back = "/"
	}
	return a.flash(c, back, "The message is queued to send again.")
}

func (a *App) AuditList(c echo.Context) error {
	var f store.AuditFilter
	f.ClientID, _ = strconv.ParseInt(c.QueryParam("client"), 10, 64)
	entries, err := a.Store.AuditLog(c.Request().Context(), actor(c), f)
	if err != nil {
		return err
	}
	return a.render(c, "admin_audit", views.AuditPage{Page: a.page(c, "Audit log"), Entries: entries})
}

// AssessmentsOverview shows the owner the results that need a call and how often the computed
// class matched the class therapists confirmed.
func (a *App) AssessmentsOverview(c echo.Context) error {
	ctx := c.Request().Context()
	alerts, err := a.Store.AssessmentAlerts(ctx, actor(c))
	if err != nil {
		return err
	}
	rows, err := a.Store.AssessmentAgreement(ctx, actor(c), "")
	if err != nil {
		return err
	}
	data := views.AssessmentsOverview{Page: a.page(c, "Assessments"), Alerts: alerts, Agreement: rows}
	for _, r := range rows {
		data.Total += r.Count
		if r.Computed == r.Confirmed {
			data.Agreed += r.Count
		}
	}
	return a.render(c, "admin_assessments", data)
}
