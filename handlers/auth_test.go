package handlers_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"allium/clinic"
	"allium/handlers"
	"allium/store"
)

func TestSignInAndOut(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	p := ta.seedPeople(t)
	tc := ta.client(t)

	r := tc.postForm("/signin", "/signin", url.Values{"email": {"SAM@clinic.test"}, "password": {testPassword}})
	r.wantRedirect("/")
	tc.get("/").wantRedirect("/therapist")
	r = tc.get("/therapist")
	r.wantStatus(http.StatusOK)
	if !strings.Contains(r.text(), p.Therapist.Name) {
		t.Errorf("therapist's page does not show who is signed in (%q)", p.Therapist.Name)
	}

	tc.postForm("/signout", "/therapist", nil).wantRedirect("/signin?signed_out=1")
	tc.get("/therapist").wantRedirect("/signin?next=%2Ftherapist")
}

func TestSignInReturnsOnlyToLocalPages(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	p := ta.seedPeople(t)
	for _, tc := range []struct{ next, want string }{
		{"/desk?day=2026-03-10", "/desk?day=2026-03-10"},
		{"", "/"},
		{"//evil.example/phish", "/"},
		{"/\\evil.example", "/"},
		{"https://evil.example/", "/"},
	} {
		t.Run(tc.next, func(t *testing.T) {
			c := ta.client(t)
			r := c.postForm("/signin", "/signin", url.Values{"email": {p.Reception.Email}, "password": {testPassword}, "next": {tc.next}})
			r.wantRedirect(tc.want)
		})
	}
}

func TestWrongPasswordAndUnknownEmailAnswerAlike(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	p := ta.seedPeople(t)
	tc := ta.client(t)

	wrong := tc.postForm("/signin", "/signin", url.Values{"email": {p.Owner.Email}, "password": {"not the password"}})
	wrong.wantStatus(http.StatusUnprocessableEntity)
	unknown := tc.postForm("/signin", "/signin", url.Values{"email": {"nobody@clinic.test"}, "password": {"not the password"}})
	unknown.wantStatus(http.StatusUnprocessableEntity)

	msg := wrong.fieldError("password")
	if msg == "" || msg != unknown.fieldError("password") {
		t.Errorf("messages differ or are missing: wrong password %q, unknown email %q; want the same message beside the password", msg, unknown.fieldError("password"))
	}
	if strings.Contains(wrong.Body, "not the password") {
		t.Error("the page echoes the password back")
	}
	tc.get("/admin").wantSignIn()
}

func TestSignInThrottlesAnAccountAfterFiveFailures(t *testing.T) {
	t.Parallel()
	for _, forged := range []bool{false, true} {
		t.Run(fmt.Sprintf("forged X-Forwarded-For %v", forged), func(t *testing.T) {
			ta := newTestApp(t)
			p := ta.seedPeople(t)
			tc := ta.client(t)
			attempt := func(i int, password string) *resp {
				v := url.Values{"email": {p.Owner.Email}, "password": {password}, "csrf": {tc.csrf("/signin")}}
				req := tc.newRequest(http.MethodPost, "/signin", strings.NewReader(v.Encode()))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				if forged {
					req.Header.Set("X-Forwarded-For", fmt.Sprintf("203.0.113.%d", i+1))
					req.Header.Set("X-Real-Ip", fmt.Sprintf("198.51.100.%d", i+1))
				}
				return tc.do(req)
			}
			for i := range 5 {
				attempt(i, "wrong password").wantStatus(http.StatusUnprocessableEntity)
			}
			r := attempt(5, testPassword)
			r.wantStatus(http.StatusTooManyRequests)
			if !strings.Contains(r.text(), "Too many attempts") {
				t.Errorf("429 page does not say why: %s", r.text())
			}
			tc.get("/admin").wantSignIn()

			ta.Clock.Advance(16 * time.Minute)
			tc.signIn(p.Owner.Email, testPassword)
		})
	}
}

// TestSignInThrottlesAnAddressDespiteForgedHeaders tries many accounts from one address, each
// request claiming another client address: only the real peer address may count.
func TestSignInThrottlesAnAddressDespiteForgedHeaders(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t, func(c *handlers.Config) {
		c.Throttle = store.Throttle{Window: 15 * time.Minute, PerAccount: 5, PerAddress: 6}
	})
	p := ta.seedPeople(t)
	tc := ta.client(t)
	token := tc.csrf("/signin")
	attempt := func(i int, email, password string) *resp {
		v := url.Values{"email": {email}, "password": {password}, "csrf": {token}}
		req := tc.newRequest(http.MethodPost, "/signin", strings.NewReader(v.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("X-Forwarded-For", fmt.Sprintf("203.0.113.%d", i+1))
		req.Header.Set("X-Real-Ip", fmt.Sprintf("198.51.100.%d", i+1))
		req.Header.Set("Forwarded", fmt.Sprintf("for=192.0.2.%d", i+1))
		return tc.do(req)
	}
	for i := range 6 {
		attempt(i, fmt.Sprintf("guess%d@clinic.test", i), "wrong password").wantStatus(http.StatusUnprocessableEntity)
	}
	attempt(6, p.Therapist.Email, testPassword).wantStatus(http.StatusTooManyRequests)
}

func TestOldSessionCookieIsDeadAfterSignOut(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	p := ta.seedPeople(t)
	tc := ta.client(t)
	tc.signIn(p.Owner.Email, testPassword)
	old := tc.cookie("allium_session")
	if old == nil {
		t.Fatal("no session cookie after sign in")
	}
	tc.postForm("/signout", "/admin", nil).wantRedirect("/signin?signed_out=1")

	thief := ta.client(t)
	req := thief.newRequest(http.MethodGet, "/admin", nil)
	req.AddCookie(&http.Cookie{Name: old.Name, Value: old.Value})
	r := thief.do(req)
	r.wantRedirect("/signin?next=%2Fadmin")
}

func TestPasswordResetLinkWorksOnce(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	p := ta.seedPeople(t)
	tc := ta.client(t)

	tc.postForm("/forgot", "/forgot", url.Values{"email": {p.Therapist.Email}}).wantRedirect("/signin")
	tok := ta.lastToken(t, "password_reset", p.Therapist.Email)
	tc.get("/reset/" + tok).wantStatus(http.StatusOK)
	r := tc.postForm("/reset/"+tok, "/reset/"+tok, url.Values{"password": {"short"}})
	r.wantStatus(http.StatusUnprocessableEntity)
	if r.fieldError("password") == "" {
		t.Error("a too-short new password has no message beside the field")
	}
	tc.postForm("/reset/"+tok, "/reset/"+tok, url.Values{"password": {"a brand new password"}}).wantRedirect("/signin")
	tc.signIn(p.Therapist.Email, "a brand new password")

	again := ta.client(t)
	for _, r := range []*resp{
		again.get("/reset/" + tok),
		again.postForm("/reset/"+tok, "/forgot", url.Values{"password": {"someone else's password"}}),
	} {
		r.wantStatus(http.StatusNotFound)
		if !strings.Contains(r.text(), "This link no longer works") {
			t.Errorf("%s of a used link: %s; want \"This link no longer works\"", r.Request.Method, r.text())
		}
	}
	if _, err := ta.Store.Authenticate(context.Background(), p.Therapist.Email, "a brand new password"); err != nil {
		t.Errorf("the second use changed the password: %v", err)
	}
}

func TestPasswordResetLinkExpiresAfterAnHour(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	p := ta.seedPeople(t)
	tc := ta.client(t)
	tc.postForm("/forgot", "/forgot", url.Values{"email": {p.Client.Email}}).wantRedirect("/signin")
	tok := ta.lastToken(t, "password_reset", p.Client.Email)

	ta.Clock.Advance(59 * time.Minute)
	tc.get("/reset/" + tok).wantStatus(http.StatusOK)
	ta.Clock.Advance(time.Minute)
	r := tc.get("/reset/" + tok)
	r.wantStatus(http.StatusNotFound)
	if !strings.Contains(r.text(), "This link no longer works") {
		t.Errorf("expired link page: %s", r.text())
	}
	tc.postForm("/reset/"+tok, "/forgot", url.Values{"password": {"a brand new password"}}).wantStatus(http.StatusNotFound)
	tc.signIn(p.Client.Email, testPassword)
}

func TestForgotSaysTheSameForUnknownEmails(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	p := ta.seedPeople(t)
	flash := func(email string) string {
		tc := ta.client(t)
		tc.postForm("/forgot", "/forgot", url.Values{"email": {email}}).wantRedirect("/signin")
		text := tc.get("/signin").text()
		return strings.ReplaceAll(text, email, "EMAIL")
	}
	known, unknown := flash(p.Owner.Email), flash("nobody@clinic.test")
	if known != unknown || !strings.Contains(known, "If EMAIL has an account") {
		t.Errorf("pages differ:\nknown:   %s\nunknown: %s", known, unknown)
	}
	rows, _ := ta.Store.Outbox(context.Background(), ownerActor, store.OutboxFilter{})
	if len(rows) != 1 {
		t.Errorf("outbox has %d messages; want 1 (none for the unknown email)", len(rows))
	}
}

// TestRouteGuards walks the route table: every guarded route answers 404 to a signed-in role
// it does not admit and sends anonymous visitors to sign in, and every admitted role gets in.
func TestRouteGuards(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	p := ta.seedPeople(t)
	browsers := map[clinic.Role]*testClient{}
	for _, u := range []store.User{p.Owner, p.Therapist, p.Reception, p.Client} {
		tc := ta.client(t)
		tc.signIn(u.Email, testPassword)
		browsers[u.Role] = tc
	}
	anon := ta.client(t)
	fill := strings.NewReplacer(":id", "1", ":token", "x", ":date", "2026-04-03", ":payment", "1")
	for _, route := range ta.App.Routes() {
		if route.Allow == nil {
			continue
		}
		path := fill.Replace(route.Path)
		if strings.Contains(path, ":") {
			t.Errorf("%s %s: the test does not know what to put in the path", route.Method, route.Path)
			continue
		}
		t.Run(route.Method+" "+route.Path, func(t *testing.T) {
			send := func(tc *testClient) *resp {
				if route.Method == http.MethodGet {
					return tc.get(path)
				}
				form := "/account"
				if tc.hc == anon.hc {
					form = "/signin"
				}
				return tc.postForm(path, form, nil)
			}
			r := send(anon.in(t))
			want := "/signin?next=" + url.QueryEscape(path)
			if route.Method != http.MethodGet {
				want = "/signin?next=%2F"
			}
			r.wantRedirect(want)
			for role, tc := range browsers {
				admitted := false
				for _, a := range route.Allow {
					admitted = admitted || a == role
				}
				if admitted && route.Method != http.MethodGet {
					continue // it would really do it (sign out everywhere, say)
				}
				r := send(tc.in(t))
				switch {
				case !admitted && r.StatusCode != http.StatusNotFound:
					t.Errorf("%s: status %d; want 404", role, r.StatusCode)
				case !admitted && !strings.Contains(r.text(), "Page not found"):
					t.Errorf("%s: 404 without the not-found page: %s", role, r.text())
				case admitted && route.Method == http.MethodGet && !strings.Contains(route.Path, ":") && r.StatusCode >= 400:
					t.Errorf("%s: status %d; want to be let in", role, r.StatusCode)
				}
			}
		})
	}
}

func TestRoleHomePages(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	p := ta.seedPeople(t)
	for _, tc := range []struct {
		who         store.User
		home        string
		notFound    []string
		anonymousTo string
	}{
		{p.Client, "/my", []string{"/desk", "/therapist", "/admin", "/admin/settings", "/admin/staff", "/admin/mail", "/admin/audit"}, ""},
		{p.Reception, "/desk", []string{"/therapist", "/admin", "/admin/settings", "/admin/staff", "/admin/mail", "/admin/audit", "/my"}, ""},
		{p.Therapist, "/therapist", []string{"/desk", "/admin", "/admin/mail", "/my"}, ""},
		{p.Owner, "/admin", []string{"/my"}, ""},
	} {
		t.Run(string(tc.who.Role), func(t *testing.T) {
			c := ta.client(t)
			c.signIn(tc.who.Email, testPassword)
			c.get("/").wantRedirect(tc.home)
			c.get(tc.home).wantStatus(http.StatusOK)
			for _, path := range tc.notFound {
				c.get(path).wantStatus(http.StatusNotFound)
			}
		})
	}
	anon := ta.client(t)
	anon.get("/admin/settings").wantRedirect("/signin?next=%2Fadmin%2Fsettings")
	anon.get("/desk?day=2026-03-10").wantRedirect("/signin?next=%2Fdesk%3Fday%3D2026-03-10")
}

func TestPostWithoutCSRFTokenChangesNothing(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	p := ta.seedPeople(t)
	tc := ta.client(t)
	tc.signIn(p.Owner.Email, testPassword)
	before := ta.App.Settings()
	values := validSettings(before)
	values.Set("name", "Hijacked Clinic")

	cases := map[string]func(tc *testClient) *resp{
		"no token": func(tc *testClient) *resp { return tc.post("/admin/settings", values) },
		"wrong token": func(tc *testClient) *resp {
			v := url.Values{"csrf": {"forged-token-forged-token-forged!"}}
			for k, vs := range values {
				v[k] = vs
			}
			return tc.post("/admin/settings", v)
		},
		"cross-site": func(tc *testClient) *resp {
			req := tc.newRequest(http.MethodPost, "/admin/settings", strings.NewReader(values.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("Sec-Fetch-Site", "cross-site")
			return tc.do(req)
		},
	}
	for name, send := range cases {
		t.Run(name, func(t *testing.T) {
			r := send(tc.in(t))
			r.wantStatus(http.StatusForbidden)
			if name != "cross-site" && !strings.Contains(r.text(), "nothing was changed") {
				t.Errorf("403 page does not say nothing changed: %s", r.text())
			}
		})
	}
	after, err := ta.Store.Settings(context.Background())
	if err != nil || after.Name != before.Name || ta.App.Settings().Name != before.Name {
		t.Errorf("clinic name after forged posts = %q (app %q), %v; want %q", after.Name, ta.App.Settings().Name, err, before.Name)
	}
	tc.postForm("/signout", "/admin", nil) // the token itself still works
	if tc.get("/admin").StatusCode != http.StatusSeeOther {
		t.Error("sign out with a proper token did not sign out")
	}
}

func TestErrorPagesRevealNothing(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	p := ta.seedPeople(t)
	owner := ta.client(t)
	owner.signIn(p.Owner.Email, testPassword)
	leaks := []string{"goroutine", ".go:", "sql", "SQL", "no rows", "code=", "message=", "echo", "Not Found", "database"}

	check := func(r *resp, status int, heading string) {
		t.Helper()
		r.wantStatus(status)
		if !strings.Contains(r.text(), heading) {
			t.Errorf("%s: page lacks %q: %s", r.Request.URL.Path, heading, r.text())
		}
		for _, l := range leaks {
			if strings.Contains(r.text(), l) {
				t.Errorf("%s: page contains %q: %s", r.Request.URL.Path, l, r.text())
			}
		}
	}
	check(ta.client(t).get("/no/such/page"), http.StatusNotFound, "Page not found")
	check(owner.get("/admin/mail/999"), http.StatusNotFound, "Page not found")
	check(owner.get("/admin/mail/abc"), http.StatusNotFound, "Page not found")
	check(owner.get("/admin/staff/1/active"), http.StatusMethodNotAllowed, "Page not found")

	ta.Store.Close() // every query now fails with a driver error
	r := ta.client(t).get("/healthz")
	check(r, http.StatusInternalServerError, "Something went wrong")
	if id := r.Header.Get("X-Request-Id"); id == "" || !strings.Contains(r.Body, id) {
		t.Errorf("500 page does not quote the request id %q for the log", id)
	}
	if !strings.Contains(ta.logs(), "database is closed") {
		t.Error("the real error did not reach the log")
	}
}

func TestSetupOnlyWhileThereIsNoOwner(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	tc := ta.client(t)
	tc.get("/").wantRedirect("/setup")
	tc.get("/signin").wantRedirect("/setup")
	tc.get("/setup").wantStatus(http.StatusOK)

	r := tc.postForm("/setup", "/setup", url.Values{"clinic": {""}, "name": {"Mei Lin"}, "email": {"mei@clinic.test"}, "password": {"short"}})
	r.wantStatus(http.StatusUnprocessableEntity)
	if r.fieldError("clinic") == "" || r.fieldError("password") == "" {
		t.Errorf("setup errors: clinic %q, password %q; want both fields marked", r.fieldError("clinic"), r.fieldError("password"))
	}
	if has, _ := ta.Store.HasOwner(context.Background()); has {
		t.Fatal("an invalid setup made an owner")
	}

	tc.postForm("/setup", "/setup", url.Values{"clinic": {"Wattle Lane Remedial"}, "name": {"Mei Lin"},
		"email": {"mei@clinic.test"}, "password": {testPassword}}).wantRedirect("/admin/settings?setup=1")
	r = tc.get("/admin")
	r.wantStatus(http.StatusOK)
	if !strings.Contains(r.text(), "Wattle Lane Remedial") || !strings.Contains(r.text(), "Mei Lin") {
		t.Errorf("owner's page after setup: %s", r.text())
	}

	tc.get("/setup").wantStatus(http.StatusNotFound)
	late := ta.client(t)
	late.get("/setup").wantStatus(http.StatusNotFound)
	late.postForm("/setup", "/signin", url.Values{"clinic": {"Evil"}, "name": {"Eve"}, "email": {"eve@evil.test"},
		"password": {testPassword}}).wantStatus(http.StatusNotFound)
	if _, err := ta.Store.UserByEmail(context.Background(), "eve@evil.test"); err == nil {
		t.Error("a second setup made an account")
	}
	if ta.App.Settings().Name != "Wattle Lane Remedial" {
		t.Errorf("clinic name = %q after a refused setup", ta.App.Settings().Name)
	}
}

func TestSignOutEverywhere(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	p := ta.seedPeople(t)
	phone, laptop, other := ta.client(t), ta.client(t), ta.client(t)
	phone.signIn(p.Reception.Email, testPassword)
	laptop.signIn(p.Reception.Email, testPassword)
	other.signIn(p.Owner.Email, testPassword)

	laptop.postForm("/account/signout-everywhere", "/account", nil).wantRedirect("/signin?signed_out=1")
	phone.get("/desk").wantRedirect("/signin?next=%2Fdesk")
	laptop.get("/desk").wantRedirect("/signin?next=%2Fdesk")
	other.get("/admin").wantStatus(http.StatusOK)
}

func TestChangePasswordSignsOutOtherDevices(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	p := ta.seedPeople(t)
	here, there := ta.client(t), ta.client(t)
	here.signIn(p.Therapist.Email, testPassword)
	there.signIn(p.Therapist.Email, testPassword)

	r := here.postForm("/account/password", "/account", url.Values{"current": {"wrong"}, "password": {"a brand new password"}})
	r.wantStatus(http.StatusUnprocessableEntity)
	if r.fieldError("current") == "" {
		t.Error("a wrong current password has no message beside the field")
	}
	here.postForm("/account/password", "/account", url.Values{"current": {testPassword}, "password": {"a brand new password"}}).wantRedirect("/account")
	here.get("/account").wantStatus(http.StatusOK)
	there.get("/account").wantSignIn()
	ta.client(t).signIn(p.Therapist.Email, "a brand new password")
}

func TestStaffSessionEndsAfterTheAbsoluteLimit(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	p := ta.seedPeople(t)
	tc := ta.client(t)
	tc.signIn(p.Reception.Email, testPassword)
	// Busy all day: a request every hour keeps the session from going idle.
	for h := 1; h <= 12; h++ {
		ta.Clock.Advance(time.Hour)
		if r := tc.get("/desk"); r.StatusCode != http.StatusOK {
			t.Fatalf("after %d hours: status %d; want still signed in", h, r.StatusCode)
		}
	}
	ta.Clock.Advance(time.Hour)
	tc.get("/desk").wantRedirect("/signin?next=%2Fdesk")
	tc.signIn(p.Reception.Email, testPassword)
	tc.get("/desk").wantStatus(http.StatusOK)
}

func TestSessionsEndAfterTheIdleTimeout(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	p := ta.seedPeople(t)
	staff, client := ta.client(t), ta.client(t)
	staff.signIn(p.Therapist.Email, testPassword)
	client.signIn(p.Client.Email, testPassword)

	ta.Clock.Advance(2*time.Hour - time.Minute) // the default staff idle timeout is 2 hours
	staff.get("/therapist").wantStatus(http.StatusOK)
	ta.Clock.Advance(2*time.Hour + time.Minute)
	staff.get("/therapist").wantSignIn()

	ta.Clock.Advance(13 * 24 * time.Hour) // clients stay signed in for 14 idle days
	client.get("/my").wantStatus(http.StatusOK)
	ta.Clock.Advance(14*24*time.Hour + time.Minute)
	client.get("/my").wantSignIn()
}

func TestSecurityHeaders(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	p := ta.seedPeople(t)
	tc := ta.client(t)
	anon := tc.get("/signin")
	if csp := anon.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'self'") || !strings.Contains(csp, "frame-ancestors 'none'") {
		t.Errorf("Content-Security-Policy = %q; want a strict policy", csp)
	}
	tc.signIn(p.Owner.Email, testPassword)
	for _, path := range []string{"/admin", "/admin/settings", "/account", "/no/such/page"} {
		r := tc.get(path)
		if got := r.Header.Get("Cache-Control"); got != "no-store" {
			t.Errorf("%s: Cache-Control = %q; want no-store on a signed-in page", path, got)
		}
		if r.Header.Get("Content-Security-Policy") == "" || r.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s: security headers missing: %v", path, r.Header)
		}
	}
	if !strings.Contains(tc.cookie("allium_session").String(), "allium_session") {
		t.Error("no session cookie")
	}
}

func TestStaffIdleTimeoutFollowsTheSetting(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	p := ta.seedPeople(t)
	owner := ta.client(t)
	owner.signIn(p.Owner.Email, testPassword)
	v := validSettings(ta.App.Settings())
	v.Set("staff_idle", "30")
	owner.postForm("/admin/settings", "/admin/settings", v).wantRedirect("/admin/settings")

	desk := ta.client(t)
	desk.signIn(p.Reception.Email, testPassword)
	ta.Clock.Advance(29 * time.Minute)
	desk.get("/desk").wantStatus(http.StatusOK)
	ta.Clock.Advance(31 * time.Minute)
	desk.get("/desk").wantRedirect("/signin?next=%2Fdesk")
}

// TestSignInWithAnEndedSessionStillSignsIn submits a sign-in form from a tab opened before the
// browser's last session passed its absolute limit: the new session must hold.
func TestSignInWithAnEndedSessionStillSignsIn(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	p := ta.seedPeople(t)
	owner := ta.client(t)
	owner.signIn(p.Owner.Email, testPassword)
	v := validSettings(ta.App.Settings())
	v.Set("staff_absolute", "1")
	owner.postForm("/admin/settings", "/admin/settings", v).wantRedirect("/admin/settings")

	tc := ta.client(t)
	token := tc.csrf("/signin") // the tab with the sign-in form
	tc.signIn(p.Reception.Email, testPassword)
	ta.Clock.Advance(61 * time.Minute)
	tc.post("/signin", url.Values{"csrf": {token}, "email": {p.Reception.Email}, "password": {testPassword}}).wantRedirect("/")
	tc.get("/desk").wantStatus(http.StatusOK)
}

// TestPasswordResetLiftsTheAccountBlock follows the advice on the "too many attempts" page.
func TestPasswordResetLiftsTheAccountBlock(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	p := ta.seedPeople(t)
	tc := ta.client(t)
	for range 5 {
		tc.postForm("/signin", "/signin", url.Values{"email": {p.Therapist.Email}, "password": {"forgotten"}}).wantStatus(http.StatusUnprocessableEntity)
	}
	r := tc.postForm("/signin", "/signin", url.Values{"email": {p.Therapist.Email}, "password": {testPassword}})
	r.wantStatus(http.StatusTooManyRequests)
	if !strings.Contains(r.text(), "or reset your password") {
		t.Fatalf("429 page: %s", r.text())
	}
	tc.postForm("/forgot", "/forgot", url.Values{"email": {p.Therapist.Email}}).wantRedirect("/signin")
	tok := ta.lastToken(t, "password_reset", p.Therapist.Email)
	tc.postForm("/reset/"+tok, "/reset/"+tok, url.Values{"password": {"a brand new password"}}).wantRedirect("/signin")
	tc.signIn(p.Therapist.Email, "a brand new password")
}

// A form's message reaches the next page once, travels sealed in its own cookie, and costs the
// visitor no server-side session.
func TestFlashShowsOnceAndNeedsNoSession(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	p := ta.seedPeople(t)
	tc := ta.client(t)
	tc.postForm("/forgot", "/forgot", url.Values{"email": {p.Client.Email}}).wantRedirect("/signin")
	ck := tc.cookie("allium_flash")
	if ck == nil {
		t.Fatal("no flash cookie after the form")
	}
	if strings.Contains(ck.Value, "account") || strings.Contains(ck.Value, "@") {
		t.Errorf("flash cookie is readable: %q", ck.Value)
	}
	if sc := tc.cookie("allium_session"); sc != nil {
		t.Errorf("a visitor who only sent a form got a session: %v", sc)
	}
	if text := tc.get("/signin").text(); !strings.Contains(text, "If "+p.Client.Email+" has an account") {
		t.Errorf("first page after the form has no message: %s", text)
	}
	if text := tc.get("/signin").text(); strings.Contains(text, "has an account") {
		t.Errorf("message shown twice: %s", text)
	}

	forged := ta.client(t)
	req := forged.newRequest(http.MethodGet, "/signin", nil)
	req.AddCookie(&http.Cookie{Name: "allium_flash", Value: ck.Value[:len(ck.Value)-4] + "AAAA"})
	if text := forged.do(req).text(); strings.Contains(text, "has an account") {
		t.Errorf("a tampered flash cookie was shown: %s", text)
	}
}
