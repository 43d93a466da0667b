package handlers_test

// The front door: each test here reproduces an attack from the security review (issue
// "The front door holds") and shows it fail.

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"allium/clinic"
	"allium/handlers"
	"allium/store"
)

// visitorBooks sends the course page's form as a visitor booking one session at start.
func visitorBooks(tc *testClient, bc bookingClinic, start time.Time, name, email, phone, password string) *resp {
	tc.t.Helper()
	form := url.Values{"service": {strconv.FormatInt(bc.Course, 10)}, "start_1": {slotValue(bc.Therapist.ID, start)},
		"name": {name}, "email": {email}, "phone": {phone}, "consent": {"1"}, "reminders": {"1"}}
	if password != "" {
		form.Set("password", password)
	}
	// The token comes from the sign-in page: a browser whose booking pages are closed has one too.
	return tc.postForm("/book/confirm", "/signin", form)
}

// Finding 1: reception made Kim's record and booked her; a stranger books online with Kim's
// email and a password of their own. They are not signed in as Kim, see nothing of hers, and
// Kim's record is joined only when Kim follows the link emailed to her.
func TestBookingWithAClientsEmailDoesNotHandOverTheirRecord(t *testing.T) {
	ta, bc := newBookingApp(t)
	ctx := context.Background()
	kim, err := ta.Store.AddClient(ctx, store.System, store.ClientDetails{Name: "Kim Park", Email: "kim@example.com",
		Phone: "0400 000 001", Cautions: "Pregnant, 20 weeks"})
	if err != nil {
		t.Fatal(err)
	}
	ta.book(t, kim.ID, bc.Course, bc.Therapist.ID, bc.local(2026, 3, 16, 10, 0))

	stranger := ta.client(t)
	r := visitorBooks(stranger, bc, bc.local(2026, 3, 17, 11, 0), "Not Kim", "kim@example.com", "0499 999 999", "stranger's own password")
	r.wantRedirect("/book/sent")
	if c := stranger.cookie("allium_session"); c != nil && c.Value != "" {
		stranger.get("/my").wantSignIn()
	}
	stranger.get("/my").wantSignIn()
	stranger.get("/my/plan").wantSignIn()
	if _, err := ta.Store.UserByEmail(ctx, "kim@example.com"); err == nil {
		t.Fatal("an account with Kim's email exists before Kim followed any link")
	}
	tc := ta.client(t)
	tc.postForm("/signin", "/signin", url.Values{"email": {"kim@example.com"}, "password": {"stranger's own password"}}).
		wantStatus(http.StatusUnprocessableEntity)
	if got := ta.mails(t, "booking_hold", "kim@example.com"); len(got) != 1 {
		t.Fatalf("links to confirm sent to Kim = %d; want 1", len(got))
	}

	// Kim, in her own browser, follows the link: the booking joins the record reception made.
	kimBrowser := ta.client(t)
	kimBrowser.followHold(ta, "kim@example.com").wantRedirect("/my")
	page := kimBrowser.get("/my").text()
	for _, want := range []string{"Mon 16 Mar", "Tue 17 Mar"} {
		if !strings.Contains(page, want) {
			t.Errorf("Kim's bookings lack %s: %s", want, page)
		}
	}
	u, err := ta.Store.UserByEmail(ctx, "kim@example.com")
	if err != nil {
		t.Fatal(err)
	}
	if id := ta.clientID(t, u); id != kim.ID {
		t.Errorf("Kim's account is joined to client %d; want reception's record %d", id, kim.ID)
	}
	// The link works once.
	again := ta.client(t)
	path := "/book/hold/" + ta.lastToken(t, "booking_hold", "kim@example.com")
	again.get(path).wantStatus(http.StatusNotFound)

	// An account that exists keeps its password: typing it with another password books nothing.
	r = visitorBooks(stranger, bc, bc.local(2026, 3, 18, 11, 0), "Not Alex", bc.Client.Email, "0499 999 999", "another made-up password")
	r.wantRedirect("/book/sent")
	stranger.get("/my").wantSignIn()
	ta.client(t).signIn(bc.Client.Email, testPassword)
}

// The held times are taken for everyone else until the hold expires; an expired hold frees
// them and its link no longer works.
func TestAHoldKeepsItsTimesUntilItExpires(t *testing.T) {
	ta, bc := newBookingApp(t)
	at := bc.local(2026, 3, 17, 11, 0)
	first, second := ta.client(t), ta.client(t)
	visitorBooks(first, bc, at, "Riley Park", "riley@example.com", "0400 111 222", "").wantRedirect("/book/sent")

	times := fmt.Sprintf("/book/times?service=%d&therapist=%d&date=2026-03-17", bc.Course, bc.Therapist.ID)
	if containsString(offeredSlots(second.get(times).Body), slotValue(bc.Therapist.ID, at)) {
		t.Error("the times page offers a held time")
	}
	r := visitorBooks(second, bc, at, "Sam Lee", "sam.lee@example.com", "0400 333 444", "")
	r.wantStatus(http.StatusConflict)
	other := ta.client(t)
	other.signIn(bc.Client.Email, testPassword)
	r = other.postForm("/book/confirm", "/my", url.Values{"service": {strconv.FormatInt(bc.Course, 10)}, "consent": {"1"},
		"start_1": {slotValue(bc.Therapist.ID, at)}})
	r.wantStatus(http.StatusConflict)

	ta.Clock.Advance(16 * time.Minute) // the default hold is 15 minutes
	if !containsString(offeredSlots(second.get(times).Body), slotValue(bc.Therapist.ID, at)) {
		t.Error("the times page does not offer the time once its hold expired")
	}
	path := "/book/hold/" + ta.lastToken(t, "booking_hold", "riley@example.com")
	first.get(path).wantStatus(http.StatusNotFound)
	visitorBooks(second, bc, at, "Sam Lee", "sam.lee@example.com", "0400 333 444", "").wantRedirect("/book/sent")
	second.followHold(ta, "sam.lee@example.com").wantRedirect("/my")
	if got := ta.countAppointments(t); got != 1 {
		t.Errorf("appointments = %d; want 1", got)
	}
}

// A visitor whose email did not come books again: the new hold replaces the old, whose link
// stops working.
func TestBookingAgainReplacesTheEmailsHold(t *testing.T) {
	ta, bc := newBookingApp(t)
	at := bc.local(2026, 3, 17, 11, 0)
	tc := ta.client(t)
	visitorBooks(tc, bc, at, "Riley Park", "riley@example.com", "0400 111 222", "").wantRedirect("/book/sent")
	old := "/book/hold/" + ta.lastToken(t, "booking_hold", "riley@example.com")
	visitorBooks(tc, bc, at, "Riley Park", "riley@example.com", "0400 111 222", "").wantRedirect("/book/sent")
	tc.get(old).wantStatus(http.StatusNotFound)
	tc.followHold(ta, "riley@example.com").wantRedirect("/my")
}

// The hold's length is the owner's setting.
func TestTheHoldFollowsTheSetting(t *testing.T) {
	ta, bc := newBookingApp(t)
	owner := ta.client(t)
	owner.signIn(bc.Owner.Email, testPassword)
	form := validSettings(ta.App.Settings())
	form.Set("booking_hold", "30")
	owner.postForm("/admin/settings", "/admin/settings", form).wantRedirect("/admin/settings")
	at := bc.local(2026, 3, 17, 11, 0)
	visitorBooks(ta.client(t), bc, at, "Riley Park", "riley@example.com", "0400 111 222", "").wantRedirect("/book/sent")
	ta.Clock.Advance(25 * time.Minute)
	ta.client(t).followHold(ta, "riley@example.com").wantRedirect("/my")
}

// Finding 2: signing in from the course page returns to the same choices.
func TestSignInFromTheCoursePageReturnsToTheSameChoices(t *testing.T) {
	ta, bc := newBookingApp(t)
	tc := ta.client(t)
	first := bc.local(2026, 3, 16, 10, 0)
	coursePath := fmt.Sprintf("/book/course?service=%d&therapist=%d&sessions=4&spacing=7&slot=%s", bc.Course, bc.Therapist.ID,
		url.QueryEscape(slotValue(bc.Therapist.ID, first)))
	before := tc.get(coursePath)
	before.wantStatus(http.StatusOK)
	m := regexp.MustCompile(`<a href="(/signin\?next=[^"]+)">Sign in</a>`).FindStringSubmatch(before.Body)
	if m == nil {
		t.Fatalf("the course page has no sign-in link that returns to it")
	}
	signin := strings.ReplaceAll(m[1], "&amp;", "&")
	u, _ := url.Parse(signin)
	next := u.Query().Get("next")
	r := tc.postForm("/signin", signin, url.Values{"email": {bc.Client.Email}, "password": {testPassword}, "next": {next}})
	r.wantStatus(http.StatusSeeOther)
	after := tc.get(r.Header.Get("Location"))
	after.wantStatus(http.StatusOK)
	want, got := proposedStarts(before.Body), proposedStarts(after.Body)
	if len(want) != 4 || fmt.Sprint(want) != fmt.Sprint(got) {
		t.Errorf("after signing in the course page proposes %v; want the same %v", got, want)
	}
	if !strings.Contains(after.text(), "Book 4 sessions") || strings.Contains(after.Body, `name="email"`) {
		t.Errorf("after signing in, the page is not the signed-in client's course page: %s", after.text())
	}
	// The navigation's sign-in link on the times page returns there too.
	times := fmt.Sprintf("/book/times?service=%d&date=2026-03-16", bc.Course)
	if page := ta.client(t).get(times); !strings.Contains(page.Body, `href="`+strings.ReplaceAll(signInPath(times), "&", "&amp;")+`"`) {
		t.Errorf("the times page's sign-in link does not return to it")
	}
}

func signInPath(next string) string { return "/signin?next=" + url.QueryEscape(next) }

// Finding 3: a booking with a known email and one with an unknown email get the same answer:
// status, body and headers (but the date and the request's id).
func TestBookingAnswersAlikeForKnownAndUnknownEmails(t *testing.T) {
	ta, bc := newBookingApp(t)
	answer := func(email string, at time.Time) *resp {
		return visitorBooks(ta.client(t), bc, at, "Robin Tran", email, "0400 111 222", "a long enough password")
	}
	known, unknown := answer(bc.Client.Email, bc.local(2026, 3, 17, 10, 0)), answer("nobody@example.com", bc.local(2026, 3, 17, 13, 0))
	if known.StatusCode != unknown.StatusCode || known.Body != unknown.Body {
		t.Errorf("known email: %d %q; unknown: %d %q", known.StatusCode, known.Body, unknown.StatusCode, unknown.Body)
	}
	headers := func(r *resp) string {
		h := r.Header.Clone()
		h.Del("Date")
		h.Del("X-Request-Id")
		return fmt.Sprint(h)
	}
	if headers(known) != headers(unknown) {
		t.Errorf("headers differ:\nknown   %s\nunknown %s", headers(known), headers(unknown))
	}
	for _, form := range []string{"/forgot", "/signin/link"} {
		k := ta.client(t).postForm(form, form, url.Values{"email": {bc.Client.Email}})
		u := ta.client(t).postForm(form, form, url.Values{"email": {"nobody@example.com"}})
		if k.StatusCode != u.StatusCode || k.Header.Get("Location") != u.Header.Get("Location") {
			t.Errorf("%s: known %d to %q, unknown %d to %q", form, k.StatusCode, k.Header.Get("Location"), u.StatusCode, u.Header.Get("Location"))
		}
	}
}

// signInFrom posts the sign-in form as a browser behind the clinic's proxy at addr.
func signInFrom(tc *testClient, addr, email, password string) *resp {
	tc.t.Helper()
	v := url.Values{"email": {email}, "password": {password}, "csrf": {tc.csrf("/signin")}}
	req := tc.newRequest(http.MethodPost, "/signin", strings.NewReader(v.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Forwarded-For", addr)
	return tc.do(req)
}

// Finding 4: a guesser's wrong passwords make only the guesser wait, longer each time; the
// owner with the right password from their own address signs in, and a sign-in link works.
func TestAGuesserCannotLockTheOwnerOut(t *testing.T) {
	proxies, err := handlers.ParseTrustedProxies("127.0.0.1, ::1")
	if err != nil {
		t.Fatal(err)
	}
	ta := newTestApp(t, func(c *handlers.Config) { c.TrustedProxies = proxies })
	p := ta.seedPeople(t)
	guesser := ta.client(t)
	for i := range 5 {
		signInFrom(guesser, "203.0.113.7", p.Client.Email, fmt.Sprintf("guess %d", i)).wantStatus(http.StatusUnprocessableEntity)
	}
	r := signInFrom(guesser, "203.0.113.7", p.Client.Email, "guess 5")
	r.wantStatus(http.StatusTooManyRequests)
	if !strings.Contains(r.text(), "Please wait a minute") {
		t.Errorf("429 page: %s", r.text())
	}
	ta.Clock.Advance(time.Minute)
	signInFrom(guesser, "203.0.113.7", p.Client.Email, "guess 6").wantStatus(http.StatusUnprocessableEntity)
	if r := signInFrom(guesser, "203.0.113.7", p.Client.Email, "guess 7"); !strings.Contains(r.text(), "Please wait 2 minutes") {
		t.Errorf("the second wait does not grow: %d %s", r.StatusCode, r.text())
	}
	// Even the right password waits from the guesser's address...
	signInFrom(guesser, "203.0.113.7", p.Client.Email, testPassword).wantStatus(http.StatusTooManyRequests)
	// ...but not from the owner's.
	owner := ta.client(t)
	signInFrom(owner, "198.51.100.20", p.Client.Email, testPassword).wantRedirect("/")
	owner.get("/my").wantStatus(http.StatusOK)
	// And the emailed sign-in link always works.
	phone := ta.client(t)
	phone.postForm("/signin/link", "/signin/link", url.Values{"email": {p.Client.Email}}).wantRedirect("/signin")
	link := "/signin/link/" + ta.lastToken(t, "signin_link", p.Client.Email)
	phone.get(link).wantStatus(http.StatusOK)
	phone.postForm(link, link, url.Values{}).wantRedirect("/")
	phone.get("/my").wantStatus(http.StatusOK)
}

// Finding 5: sign-in returns only to a page of this site.
func TestSignInRefusesToReturnAnywhereElse(t *testing.T) {
	ta := newTestApp(t)
	p := ta.seedPeople(t)
	for _, tc := range []struct{ next, want string }{
		{"/\t/evil.com", "/"},
		{"/%09/evil.com", "/"},
		{"/\n/evil.com", "/"},
		{"/ /evil.com", "/"},
		{"//evil.com", "/"},
		{"/\\evil.com", "/"},
		{"/%2F/evil.com", "/"},
		{"https://evil.com/", "/"},
		{"/\u202e/moc.live", "/"},
		{"/no/such/page", "/"},
		{"/my", "/my"},
		{"/book/times?service=1&date=2026-03-16", "/book/times?service=1&date=2026-03-16"},
		{"/my/appointments/12", "/my/appointments/12"},
	} {
		c := ta.client(t)
		r := c.postForm("/signin", "/signin", url.Values{"email": {p.Client.Email}, "password": {testPassword}, "next": {tc.next}})
		if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != tc.want {
			t.Errorf("next %q: %d to %q; want %q", tc.next, r.StatusCode, r.Header.Get("Location"), tc.want)
		}
		// The query string the guard writes is read the same way.
		page := c.get("/signin?next=" + url.QueryEscape(tc.next))
		if tc.want == "/" && strings.Contains(page.Body, "evil") {
			t.Errorf("the sign-in page carries next %q", tc.next)
		}
	}
}

// Finding 6: forty requests to the mail-sending forms send a handful of emails, then a calm 429.
func TestMailSendingFormsAreLimited(t *testing.T) {
	ta, bc := newBookingApp(t)
	for _, form := range []struct{ path, kind string }{{"/forgot", "password_reset"}, {"/signin/link", "signin_link"}} {
		tc := ta.client(t)
		limited := 0
		for range 40 {
			r := tc.postForm(form.path, form.path, url.Values{"email": {bc.Client.Email}})
			if r.StatusCode == http.StatusTooManyRequests {
				limited++
				if !strings.Contains(r.text(), "Please try again in a little while") {
					t.Fatalf("%s 429 page: %s", form.path, r.text())
				}
			}
		}
		if got := len(ta.mails(t, form.kind, bc.Client.Email)); got != 3 || limited != 37 {
			t.Errorf("%s: 40 requests sent %d emails and were refused %d times; want 3 and 37", form.path, got, limited)
		}
		// Another address still gets its own, up to the per-address limit.
		limited = 0
		for i := range 15 {
			if tc.postForm(form.path, form.path, url.Values{"email": {fmt.Sprintf("someone%d@example.com", i)}}).StatusCode == http.StatusTooManyRequests {
				limited++
			}
		}
		if limited != 8 { // 10 an address per 15 minutes, 3 already spent on Alex's
			t.Errorf("%s: %d of 15 requests for different emails refused; want 8", form.path, limited)
		}
		ta.Clock.Advance(16 * time.Minute)
	}
	// Booking confirmation: three links to one email, then 429.
	tc := ta.client(t)
	for i := range 4 {
		r := visitorBooks(tc, bc, bc.local(2026, 3, 17, 9+2*i, 0), "Riley Park", "riley@example.com", "0400 111 222", "")
		if want := map[bool]int{true: http.StatusSeeOther, false: http.StatusTooManyRequests}[i < 3]; r.StatusCode != want {
			t.Errorf("booking %d: %d; want %d", i+1, r.StatusCode, want)
		}
	}
	// Assessment start: thirty an hour from one address.
	for i := range 31 {
		r := tc.postForm("/assessment/start", "/assessment", url.Values{})
		if want := map[bool]int{true: http.StatusSeeOther, false: http.StatusTooManyRequests}[i < 30]; r.StatusCode != want {
			t.Fatalf("assessment start %d: %d; want %d", i+1, r.StatusCode, want)
		}
	}
}

// Finding 7: no secret token reaches the log; a short hash of it does.
func TestTokensAreRedactedInTheLog(t *testing.T) {
	ta, bc := newBookingApp(t)
	ctx := context.Background()
	b := ta.book(t, ta.clientID(t, bc.Client), bc.Course, bc.Therapist.ID, bc.local(2026, 3, 16, 10, 0))
	manage, err := ta.Store.ManagePath(ctx, b.Appointments[0].ID, 1)
	if err != nil {
		t.Fatal(err)
	}
	draft, _, err := ta.Store.CreateAssessmentDraft(ctx)
	if err != nil {
		t.Fatal(err)
	}
	tc := ta.client(t)
	tc.postForm("/forgot", "/forgot", url.Values{"email": {bc.Client.Email}})
	reset := ta.lastToken(t, "password_reset", bc.Client.Email)
	paths := []string{manage, "/assessment/d/" + draft + "/1", "/reset/" + reset, "/signin/link/made-up-token-1234567890",
		"/invite/made-up-token-1234567890", "/book/hold/made-up-token-1234567890", "/ical/made-up-token-1234567890.ics",
		strings.Replace(ta.Store.UnsubscribePath(1), "/unsubscribe/", "/unsubscribe/", 1)}
	for _, p := range paths {
		tc.get(p)
	}
	logs := ta.logs()
	for _, p := range paths {
		tok := p[strings.LastIndex(strings.TrimSuffix(strings.TrimSuffix(p, "/1"), "/"), "/")+1:]
		tok = strings.TrimSuffix(strings.TrimSuffix(tok, "/1"), ".ics")
		if len(tok) > 8 && strings.Contains(logs, tok) {
			t.Errorf("the log holds the token of %s", p)
		}
	}
	if n := strings.Count(logs, "path=/reset/~"); n == 0 {
		t.Errorf("the log does not keep a short hash of the reset link:\n%s", logs)
	}
}

// Finding 8: token pages are never cached; HSTS over https; the CSRF token is bound to the
// session and renewed at sign-in; a POST from another site is refused; a right-to-left override
// in a name cannot reorder the reception board, and cannot be typed.
func TestTokenPagesHeadersCSRFAndNames(t *testing.T) {
	ta, bc := newBookingApp(t)
	ctx := context.Background()
	b := ta.book(t, ta.clientID(t, bc.Client), bc.Course, bc.Therapist.ID, bc.local(2026, 3, 16, 10, 0))
	manage, _ := ta.Store.ManagePath(ctx, b.Appointments[0].ID, 1)
	draft, _, _ := ta.Store.CreateAssessmentDraft(ctx)
	tc := ta.client(t)
	for _, p := range []string{manage, "/assessment/d/" + draft + "/1"} {
		r := tc.get(p)
		r.wantStatus(http.StatusOK)
		if got := r.Header.Get("Cache-Control"); got != "no-store" {
			t.Errorf("%s: Cache-Control %q; want no-store", p, got)
		}
	}
	if h := tc.get("/").Header.Get("Strict-Transport-Security"); h != "" {
		t.Errorf("HSTS over http: %q", h)
	}
	secure := newTestApp(t, func(c *handlers.Config) { c.BaseURL = "https://clinic.example" })
	if h := secure.client(t).get("/").Header.Get("Strict-Transport-Security"); !strings.Contains(h, "max-age=") {
		t.Errorf("no HSTS when the base URL is https: %q", h)
	}

	// A token from before sign-in is worthless after it; the page's token changes.
	before := tc.csrf("/signin")
	tc.signIn(bc.Client.Email, testPassword)
	after := tc.csrf("/account")
	if before == after {
		t.Error("the CSRF token did not change at sign-in")
	}
	tc.post("/account/signout-everywhere", url.Values{"csrf": {before}}).wantStatus(http.StatusForbidden)
	// Another browser's token does not fit this one.
	other := ta.client(t)
	other.signIn(bc.Reception.Email, testPassword)
	tc.post("/account/signout-everywhere", url.Values{"csrf": {other.csrf("/account")}}).wantStatus(http.StatusForbidden)
	// A form on another site, even with this browser's token, is refused by its Origin.
	v := url.Values{"csrf": {after}}
	req := tc.newRequest(http.MethodPost, "/account/signout-everywhere", strings.NewReader(v.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "https://evil.example")
	tc.do(req).wantStatus(http.StatusForbidden)
	tc.get("/my").wantStatus(http.StatusOK)
	req = tc.newRequest(http.MethodPost, "/account/signout-everywhere", strings.NewReader(v.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", ta.URL)
	tc.do(req).wantRedirect("/signin?signed_out=1")

	// A name with a right-to-left override, made before such names were refused, is shown
	// isolated on the board; typing one now is refused beside the field.
	evil, err := ta.Store.AddClient(ctx, store.System, store.ClientDetails{Name: "Eve \u202eKcolb", Phone: "0400 000 009"})
	if err != nil {
		t.Fatal(err)
	}
	ta.book(t, evil.ID, bc.Course, bc.Therapist.ID, bc.local(2026, 3, 16, 12, 0))
	desk := ta.client(t)
	desk.signIn(bc.Reception.Email, testPassword)
	board := desk.get("/desk?date=2026-03-16")
	if !strings.Contains(board.Body, "<bdi>Eve \u202eKcolb</bdi>") {
		t.Errorf("the name is not isolated on the board")
	}
	r := desk.postForm("/desk/clients", "/desk/clients", url.Values{"name": {"Mallory \u202egnirts"}, "phone": {"0400 000 010"}})
	r.wantStatus(http.StatusUnprocessableEntity)
	if r.fieldError("name") == "" {
		t.Error("a name with a right-to-left override is refused without a message beside it")
	}
}

// allClearSteps is one form per assessment step: a desk worker's local, movement-linked neck,
// nothing on the safety step. The body map's field is named "regions", as on the page.
func allClearSteps() []url.Values {
	ans := clinic.AssessmentAnswers{
		"caution_list": {"none"}, "where_regions": {"neck"}, "where_main": {"neck"}, "where_side": {"right"},
		"where_point": {"finger"}, "story_duration": {"3_14d"}, "story_onset": {"gradual_with_desk_or_repetitive_task"},
		"story_pattern": {"first_time"}, "story_prior_massage": {"never_had"},
		"behaviour_provoked": {"reliably"}, "behaviour_eases": {"yes"}, "behaviour_headaches": {"never"},
		"behaviour_weakness": {"no"}, "behaviour_pins_needles": {"no"},
		"training_sessions": {"1_2"}, "training_load_change": {"same"}, "training_recent": {"none"},
		"recovery_sleep": {"2"}, "recovery_fatigue": {"3"}, "recovery_soreness": {"2"},
		"stress_worse": {"sometimes"}, "stress_control": {"2"}, "stress_overload": {"1"},
		"sleep_unrefreshing": {"no"}, "stress_signs": {"none"},
		"function_pain_worst": {"3"}, "function_activity": {"sitting at my desk"},
		"function_activity_score": {"8"}, "function_goals": {"pain_relief"},
		"outlook_beliefs": {"none"}, "outlook_bother": {"slightly"},
	}
	q := clinic.AssessmentV1()
	for _, it := range q.Steps[0].Items {
		ans[it.ID] = []string{"no"}
	}
	out := make([]url.Values, len(q.Steps))
	for i, st := range q.Steps {
		out[i] = url.Values{}
		for _, it := range st.Items {
			name := it.ID
			if it.Kind == clinic.AssessmentKindRegions {
				name = "regions"
			}
			if v, ok := ans[it.ID]; ok {
				out[i][name] = v
			}
		}
	}
	return out
}

// emergencyStep answers the assessment's safety step with chest pain, as a visitor, without
// ever loading the result page.
func emergencyStep(tc *testClient) {
	tc.t.Helper()
	r := tc.postForm("/assessment/start", "/assessment", url.Values{})
	r.wantStatus(http.StatusSeeOther)
	step := r.Header.Get("Location")
	f := allClearSteps()[0]
	f.Set("safety_chest_pain", "yes")
	r = tc.postForm(step, step, f)
	if r.StatusCode != http.StatusSeeOther || !strings.HasSuffix(r.Header.Get("Location"), "/result") {
		tc.t.Fatalf("safety step: %d to %q; want the result", r.StatusCode, r.Header.Get("Location"))
	}
}

// Finding 9: the block after an emergency answer is recorded when the safety step is answered,
// is not lifted by a second, all-clear assessment in the same browser, follows the email and
// phone to another browser, and ends only when a clinician clears it on the chart.
func TestSafetyBlockBelongsToThePerson(t *testing.T) {
	ta, bc := newBookingApp(t)
	tc := ta.client(t)
	emergencyStep(tc) // the result page is never loaded
	if r := tc.get("/book"); r.StatusCode != http.StatusForbidden || !strings.Contains(r.text(), "Please call us") {
		t.Fatalf("/book after an emergency answer: %d", r.StatusCode)
	}
	// A second, all-clear assessment in the same browser.
	r := tc.postForm("/assessment/start", "/assessment", url.Values{})
	step := r.Header.Get("Location")
	for i, f := range allClearSteps() {
		path := strings.TrimSuffix(step, "1") + strconv.Itoa(i+1)
		tc.postForm(path, path, f).wantStatus(http.StatusSeeOther)
	}
	tc.get(strings.TrimSuffix(step, "1") + "result").wantStatus(http.StatusOK)
	if r := tc.get("/book"); r.StatusCode != http.StatusForbidden {
		t.Errorf("/book after a second, all-clear assessment: %d; want still 403", r.StatusCode)
	}
	// Trying to book here ties the block to the email and phone typed.
	r = visitorBooks(tc, bc, bc.local(2026, 3, 17, 11, 0), "Pat Doe", "pat@example.com", "0400 123 456", "")
	r.wantStatus(http.StatusForbidden)
	// Another browser, the same email; another browser, the same phone.
	for _, who := range []struct{ email, phone string }{{"pat@example.com", "0499 000 000"}, {"pat.doe@work.example", "(04) 0012-3456"}} {
		r := visitorBooks(ta.client(t), bc, bc.local(2026, 3, 17, 13, 0), "Pat Doe", who.email, who.phone, "")
		if r.StatusCode != http.StatusForbidden || !strings.Contains(r.text(), "Please call us") {
			t.Errorf("booking from another browser as %s / %s: %d; want 403 asking to call", who.email, who.phone, r.StatusCode)
		}
	}
	if got := ta.mails(t, "booking_hold", "pat@example.com"); len(got) != 0 {
		t.Errorf("%d booking links sent to a blocked email", len(got))
	}

	// The clinic speaks with Pat; reception makes Pat's record; the therapist clears the block.
	ctx := context.Background()
	pat, err := ta.Store.AddClient(ctx, store.System, store.ClientDetails{Name: "Pat Doe", Email: "pat@example.com", Phone: "0400 123 456"})
	if err != nil {
		t.Fatal(err)
	}
	ta.book(t, pat.ID, bc.Course, bc.Therapist.ID, bc.local(2026, 3, 12, 10, 0)) // seen in the clinic
	sam := ta.client(t)
	sam.signIn(bc.Therapist.Email, testPassword)
	chart := fmt.Sprintf("/clients/%d/chart", pat.ID)
	if page := sam.get(chart); !strings.Contains(page.text(), "Online booking is closed") {
		t.Fatalf("the chart does not show the block: %s", page.text())
	}
	sam.postForm(fmt.Sprintf("/clients/%d/booking-block/clear", pat.ID), chart, url.Values{}).wantRedirect(chart)
	if page := sam.get(chart); strings.Contains(page.text(), "Online booking is closed") {
		t.Error("the chart still shows the block after clearing it")
	}
	visitorBooks(ta.client(t), bc, bc.local(2026, 3, 17, 13, 0), "Pat Doe", "pat@example.com", "0400 123 456", "").wantRedirect("/book/sent")
	if !strings.Contains(auditActions(t, ta), "clear_safety_block") {
		t.Error("clearing the block is not in the audit log")
	}
}

func auditActions(t *testing.T, ta *testApp) string {
	t.Helper()
	rows, err := ta.Store.AuditLog(context.Background(), ownerActor, store.AuditFilter{Limit: 200})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, r := range rows {
		out = append(out, r.Action)
	}
	return strings.Join(out, " ")
}
