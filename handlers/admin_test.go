package handlers_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"allium/clinic"
	"allium/store"
)

// validSettings is the settings form filled in with s, as the owner would find it.
func validSettings(s clinic.Settings) url.Values {
	return url.Values{"name": {s.Name}, "address": {s.Address}, "phone": {s.Phone}, "email": {s.Email},
		"time_zone": {s.TimeZone}, "cancel_window": {"24"}, "min_notice": {"12"}, "horizon": {"90"},
		"reminder_leads": {"48 2"}, "staff_idle": {"120"}, "staff_absolute": {"12"}, "client_idle": {"14"},
		"retention_years": {"7"}, "currency": {"AUD"}, "check_in_lead": {"60"}}
}

func TestSaveSettings(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	p := ta.seedPeople(t)
	tc := ta.client(t)
	tc.signIn(p.Owner.Email, testPassword)

	v := validSettings(ta.App.Settings())
	v.Set("name", "Wattle Lane Remedial & Tui Na")
	v.Set("email", "hello@wattle.example")
	v.Set("time_zone", "Australia/Perth")
	v.Set("reminder_leads", "24")
	v.Set("retention_years", "10")
	v.Set("release_notes", "1")
	v.Set("currency", "NZD")
	v.Set("gst_registered", "1")
	v.Set("late_cancel_fee", "30")
	v.Set("no_show_fee", "50%")
	tc.postForm("/admin/settings", "/admin/settings", v).wantRedirect("/admin/settings")
	r := tc.get("/admin/settings")
	if !strings.Contains(r.text(), "Settings saved.") {
		t.Errorf("no confirmation after saving: %s", r.text())
	}
	got, err := ta.Store.Settings(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != "Wattle Lane Remedial & Tui Na" || got.TimeZone != "Australia/Perth" || len(got.ReminderLeads) != 1 || got.ReminderLeads[0] != 24*time.Hour {
		t.Errorf("saved settings = %q %q %v", got.Name, got.TimeZone, got.ReminderLeads)
	}
	if got.RetentionYears != 10 || !got.ReleaseNotes {
		t.Errorf("records kept %d years, notes released %v; want 10 and true", got.RetentionYears, got.ReleaseNotes)
	}
	if got.Currency != "NZD" || !got.GSTRegistered || got.LateCancelFee != (clinic.Fee{Amount: 3000}) || got.NoShowFee != (clinic.Fee{Percent: 50}) {
		t.Errorf("money settings: %s gst=%v late %+v no-show %+v", got.Currency, got.GSTRegistered, got.LateCancelFee, got.NoShowFee)
	}
	if ta.App.Loc().String() != "Australia/Perth" {
		t.Errorf("the app's zone = %s; want the new one at once", ta.App.Loc())
	}
	if !strings.Contains(r.Body, `value="Wattle Lane Remedial &amp; Tui Na"`) {
		t.Error("the form does not show the saved name")
	}
}

func TestSettingsValidation(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	p := ta.seedPeople(t)
	tc := ta.client(t)
	tc.signIn(p.Owner.Email, testPassword)
	before := ta.App.Settings()

	for _, tc2 := range []struct {
		name, field, value, want string
	}{
		{"unknown time zone", "time_zone", "Australia/Atlantis", "Please choose time zone from the list."},
		{"Local is not a zone", "time_zone", "Local", "Please choose time zone from the list."},
		{"10 KB name", "name", strings.Repeat("Wattle ", 1500), "Clinic name is too long: at most 100 characters."},
		{"invalid UTF-8", "name", "Clinic \xff\xfe name", "Clinic name contains characters we cannot read. Please retype it."},
		{"control character", "name", "Clinic\x07 name", "Clinic name contains invisible control characters. Please retype it."},
		{"newline in a line", "address", "12 Wattle Lane\r\nBcc: x@evil.test", "Address contains invisible control characters. Please retype it."},
		{"empty name", "name", "   ", "Please enter clinic name."},
		{"malformed email", "email", "hello at clinic", "Please enter an email address like name@example.com."},
		{"email with a display name", "email", "Clinic <hello@clinic.test>", "Please enter an email address like name@example.com."},
		{"number out of range", "staff_absolute", "48", "Staff session limit must be a whole number from 1 to 24."},
		{"unknown currency", "currency", "XBT", "Please choose currency from the list."},
		{"negative fee", "late_cancel_fee", "-5", clinic.ErrFeeFormat.Error()},
		{"fee over 100%", "no_show_fee", "150%", clinic.ErrFeeFormat.Error()},
		{"reminder list", "reminder_leads", "48 two", "Reminder times: whole hours from 1 to 336, separated by spaces, such as 48 2."},
	} {
		t.Run(tc2.name, func(t *testing.T) {
			v := validSettings(before)
			v.Set("name", "Changed Clinic Name") // would be saved if the form were accepted
			v.Set(tc2.field, tc2.value)
			r := tc.in(t).postForm("/admin/settings", "/admin/settings", v)
			r.wantStatus(http.StatusUnprocessableEntity)
			if got := r.fieldError(tc2.field); got != tc2.want {
				t.Errorf("message beside %s = %q; want %q", tc2.field, got, tc2.want)
			}
			got, err := ta.Store.Settings(context.Background())
			if err != nil || got.Name != before.Name || got.TimeZone != before.TimeZone || got.Email != before.Email {
				t.Errorf("saved settings changed to %q %q %q (%v); want nothing saved", got.Name, got.TimeZone, got.Email, err)
			}
			if ta.App.Settings().Name != before.Name {
				t.Errorf("the app's settings changed to %q", ta.App.Settings().Name)
			}
		})
	}
}

func TestInviteStaffThroughTheMailbox(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	p := ta.seedPeople(t)
	owner := ta.client(t)
	owner.signIn(p.Owner.Email, testPassword)

	invite := url.Values{"name": {"Priya Raman"}, "email": {"priya@clinic.test"}, "role": {"therapist"}}
	owner.postForm("/admin/staff/invite", "/admin/staff", invite).wantRedirect("/admin/staff")
	r := owner.get("/admin/staff")
	if !strings.Contains(r.text(), "Invitation sent to priya@clinic.test.") || !strings.Contains(r.text(), "Priya Raman") {
		t.Errorf("staff page after inviting: %s", r.text())
	}
	r = owner.postForm("/admin/staff/invite", "/admin/staff", invite)
	r.wantStatus(http.StatusUnprocessableEntity)
	if got := r.fieldError("email"); got != "Someone already has an account with this email." {
		t.Errorf("second invitation: message beside email = %q", got)
	}
	bad := url.Values{"name": {"X"}, "email": {"x@clinic.test"}, "role": {"client"}}
	if r := owner.postForm("/admin/staff/invite", "/admin/staff", bad); r.StatusCode != http.StatusUnprocessableEntity || r.fieldError("role") == "" {
		t.Errorf("inviting a client as staff: %d, role message %q; want 422 beside the role", r.StatusCode, r.fieldError("role"))
	}

	rows, err := ta.Store.Outbox(context.Background(), ownerActor, store.OutboxFilter{})
	if err != nil || len(rows) != 1 || rows[0].Kind != "staff_invite" || rows[0].To != "priya@clinic.test" || rows[0].Status != "queued" {
		t.Fatalf("outbox = %+v, %v; want one queued invitation to Priya", rows, err)
	}
	if n := ta.drainMail(t); n != 1 {
		t.Fatalf("drainMail sent %d; want 1", n)
	}

	// The owner reads the message in the built-in mailbox, as in a clinic without SMTP.
	r = owner.get("/admin/mail")
	r.wantStatus(http.StatusOK)
	link := regexp.MustCompile(`href="/admin/mail/(\d+)">([^<]*)<`).FindStringSubmatch(r.Body)
	if link == nil || !strings.Contains(link[2], "You are invited to join") {
		t.Fatalf("mailbox page does not list the invitation: %s", r.text())
	}
	if !strings.Contains(r.text(), "sent") {
		t.Errorf("outbox table does not show the message as sent: %s", r.text())
	}
	r = owner.get("/admin/mail/" + link[1])
	r.wantStatus(http.StatusOK)
	// The HTML part is shown as the client sees it, in a frame that runs no script, beside the text.
	frame := regexp.MustCompile(`<iframe class="mail-html" sandbox=""[^>]* srcdoc="([^"]*)"`).FindStringSubmatch(r.Body)
	if frame == nil || !strings.Contains(frame[1], "&lt;html") || strings.Contains(frame[1], "<") {
		t.Errorf("the message's HTML part is not in a sandboxed frame, escaped: %.300s", r.Body)
	}
	if csp := r.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "allow-scripts") {
		t.Errorf("mail page policy %q", csp)
	}
	m := regexp.MustCompile(regexp.QuoteMeta(ta.URL) + `(/invite/[A-Za-z0-9_-]+)`).FindStringSubmatch(r.Body)
	if m == nil {
		t.Fatalf("the invitation has no link to %s/invite/...: %s", ta.URL, r.text())
	}
	invitePath := m[1]

	priya := ta.client(t)
	r = priya.get(invitePath)
	r.wantStatus(http.StatusOK)
	if !strings.Contains(r.text(), "Join the team") {
		t.Errorf("invite page: %s", r.text())
	}
	priya.postForm(invitePath, invitePath, url.Values{"password": {"priya's own password"}}).wantRedirect("/")
	priya.get("/").wantRedirect("/therapist")
	if r := priya.get("/therapist"); !strings.Contains(r.text(), "Welcome, Priya Raman.") {
		t.Errorf("first page after accepting: %s", r.text())
	}
	if _, err := ta.Store.Authenticate(context.Background(), "priya@clinic.test", "priya's own password"); err != nil {
		t.Errorf("sign in with the chosen password: %v", err)
	}
	later := ta.client(t)
	if r := later.get(invitePath); r.StatusCode != http.StatusNotFound || !strings.Contains(r.text(), "This link no longer works") {
		t.Errorf("used invitation: %d %s", r.StatusCode, r.text())
	}
}

func TestDeactivatedStaffAreSignedOut(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	p := ta.seedPeople(t)
	owner, sam := ta.client(t), ta.client(t)
	owner.signIn(p.Owner.Email, testPassword)
	sam.signIn(p.Therapist.Email, testPassword)

	path := "/admin/staff/" + itoa(p.Therapist.ID) + "/active"
	owner.postForm(path, "/admin/staff", url.Values{"active": {"0"}}).wantRedirect("/admin/staff")
	sam.get("/therapist").wantSignIn()
	r := sam.postForm("/signin", "/signin", url.Values{"email": {p.Therapist.Email}, "password": {testPassword}})
	r.wantStatus(http.StatusUnprocessableEntity)

	owner.postForm("/admin/staff/"+itoa(p.Owner.ID)+"/active", "/admin/staff", url.Values{"active": {"0"}}).wantRedirect("/admin/staff")
	if r := owner.get("/admin/staff"); !strings.Contains(r.text(), "You cannot deactivate your own account.") {
		t.Errorf("deactivating oneself: %s", r.text())
	}
	owner.postForm(path, "/admin/staff", url.Values{"active": {"1"}}).wantRedirect("/admin/staff")
	sam.signIn(p.Therapist.Email, testPassword)
}

func TestAuditLogPage(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	p := ta.seedPeople(t)
	owner := ta.client(t)
	owner.signIn(p.Owner.Email, testPassword)
	owner.postForm("/admin/settings", "/admin/settings", validSettings(ta.App.Settings())).wantRedirect("/admin/settings")
	r := owner.get("/admin/audit")
	r.wantStatus(http.StatusOK)
	if !strings.Contains(r.text(), "Mei Lin") || !strings.Contains(r.text(), "settings") {
		t.Errorf("audit page does not show the owner's settings change: %s", r.text())
	}
}

func TestResendFromTheOwnersPage(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	p := ta.seedPeople(t)
	ctx := context.Background()
	if err := ta.Store.Enqueue(ctx, store.Email{Kind: "password_reset", To: "gone@example.com", DedupeKey: "k",
		Payload: store.TokenMail{Name: "Gone", Token: "t"}}); err != nil {
		t.Fatal(err)
	}
	rows, _ := ta.Store.ClaimDue(ctx, 1, time.Minute)
	if err := ta.Store.MarkFailed(ctx, rows[0].ID, "550 mailbox unavailable"); err != nil {
		t.Fatal(err)
	}
	owner := ta.client(t)
	owner.signIn(p.Owner.Email, testPassword)
	r := owner.get("/admin")
	if !strings.Contains(r.text(), "Messages that did not go out") || !strings.Contains(r.text(), "550 mailbox unavailable") {
		t.Errorf("owner's overview does not show the failed message: %s", r.text())
	}
	owner.postForm("/admin/outbox/"+itoa(rows[0].ID)+"/resend", "/admin", url.Values{"back": {"/admin"}}).wantRedirect("/admin")
	list, _ := ta.Store.Outbox(ctx, ownerActor, store.OutboxFilter{})
	if list[0].Status != "queued" {
		t.Errorf("status after resend = %q; want queued", list[0].Status)
	}
	owner.postForm("/admin/outbox/"+itoa(rows[0].ID)+"/resend", "/admin", nil).wantStatus(http.StatusNotFound)
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
