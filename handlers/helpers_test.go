package handlers_test

// Helpers for testing the real app over HTTP. Every test gets its own SQLite file in
// t.TempDir(), the real views, assets, middleware and route table behind an httptest server,
// and a clock it moves by hand (the store and the app share it):
//
//	ta := newTestApp(t)                      // no users yet: / and /signin lead to /setup
//	p := ta.seedPeople(t)                    // owner, therapist, reception and a client; password testPassword
//	u := ta.mustUser(t, clinic.RoleTherapist, "sam@clinic.test", "Sam Okafor", testPassword)
//	ta.Clock.Advance(13 * time.Hour)         // time passes for the store and the app
//
//	tc := ta.client(t)                       // a browser: its own cookie jar, does not follow redirects
//	tc.signIn(p.Owner.Email, testPassword)   // fails the test unless the sign-in succeeds
//	r := tc.get("/admin")                    // *resp: the *http.Response with Body read into a string
//	r.wantStatus(http.StatusOK)
//	r = tc.postForm("/admin/settings", "/admin/settings", url.Values{"name": {"..."}})
//	    // GETs the form page first (the second argument), scrapes its name="csrf" hidden input
//	    // and sends it along with the values, as a browser submitting that form would
//	r.wantRedirect("/admin/settings")        // 303 to exactly this location
//	r.wantSignIn()                           // 303 to /signin...
//	r.text()                                 // the page as a person reads it: tags gone, spaces collapsed
//	r.fieldError("name")                     // the message shown beside a field, "" if none
//	tc.post("/admin/settings", values)       // a POST with no CSRF token at all
//	tc.in(t).get("/desk")                    // the same browser inside a subtest (failures go to t)
//	tc.csrf("/signin")                       // just the CSRF token, from the form on that page
//	tc.do(tc.newRequest("HEAD", "/", nil))   // any request, e.g. with extra headers
//	tc.cookie("allium_session")              // the browser's cookie, or nil
//
//	ta.lastToken(t, "staff_invite", email)   // the single-use token of the newest queued email
//	ta.drainMail(t)                          // runs the outbox worker once into the built-in mailbox
//	ta.logs()                                // what the app logged so far
//
// The clock starts at testEpoch. ownerActor reads through the store as an owner. The app's log
// is printed when a test fails. newTestApp(t, func(c *handlers.Config) {...}) changes the config
// (the throttle, say) before the app is built.

import (
	"bytes"
	"context"
	"encoding/json"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"allium/clinic"
	"allium/handlers"
	"allium/internal/testclinic"
	"allium/internal/testkit"
	"allium/mail"
	"allium/store"
	"allium/views"
)

// testPassword is the password seedPeople gives everyone.
const testPassword = "correct horse battery"

// testEpoch is where the test clock starts (testkit.Epoch).
var testEpoch = testkit.Epoch

// testApp is one running app.
type testApp struct {
	Store  *store.Store
	App    *handlers.App
	Views  *views.Views
	Clock  *testkit.Clock
	Server *httptest.Server
	URL    string // http://127.0.0.1:PORT, also the app's BaseURL
	log    *syncBuffer
}

// newTestApp starts the app on a fresh database. Options adjust the handlers' Config before
// the app is built.
func newTestApp(t *testing.T, opts ...func(*handlers.Config)) *testApp {
	t.Helper()
	ctx := context.Background()
	st, clock := testclinic.OpenStore(t)
	as, vs := testclinic.MustViews(t)
	srv := httptest.NewUnstartedServer(nil)
	ta := &testApp{Store: st, Views: vs, Clock: clock, Server: srv, URL: "http://" + srv.Listener.Addr().String(), log: &syncBuffer{}}
	cfg := handlers.Config{Store: st, Views: vs, Assets: as, BaseURL: ta.URL, Now: clock.Now,
		Log:        slog.New(slog.NewTextHandler(ta.log, &slog.HandlerOptions{Level: slog.LevelDebug})),
		SessionKey: []byte("test-session-key-0123456789abcdef-0123456789")}
	for _, o := range opts {
		o(&cfg)
	}
	e, app, err := handlers.New(ctx, cfg)
	if err != nil {
		t.Fatalf("handlers.New: %v", err)
	}
	ta.App = app
	srv.Config.Handler = e
	srv.Start()
	t.Cleanup(srv.Close)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("app log:\n%s", ta.logs())
		}
	})
	return ta
}

func (ta *testApp) logs() string { return ta.log.String() }

// people are the members of a seeded clinic; everyone's password is testPassword.
type people struct {
	Owner, Therapist, Reception, Client store.User
}

// seedPeople makes the clinic's owner, a therapist, reception and a client who signs in.
func (ta *testApp) seedPeople(t *testing.T) people {
	t.Helper()
	return people{
		Owner:     ta.mustUser(t, clinic.RoleOwner, "mei@clinic.test", "Mei Lin", testPassword),
		Therapist: ta.mustUser(t, clinic.RoleTherapist, "sam@clinic.test", "Sam Okafor", testPassword),
		Reception: ta.mustUser(t, clinic.RoleReception, "jo@clinic.test", "Jo Baker", testPassword),
		Client:    ta.mustUser(t, clinic.RoleClient, "alex.chen@example.com", "Alex Chen", testPassword),
	}
}

// mustUser adds a person (password may be empty for none).
func (ta *testApp) mustUser(t *testing.T, role clinic.Role, email, name, password string) store.User {
	t.Helper()
	return testclinic.MustCreateUser(t, ta.Store, store.NewUser{Role: role, Email: email, Name: name, Password: password})
}

// ownerActor acts as an owner towards the store, for reading what the app wrote.
var ownerActor = store.Actor{Role: clinic.RoleOwner}

// lastToken returns the single-use token in the newest queued email of this kind to this address.
func (ta *testApp) lastToken(t *testing.T, kind, to string) string {
	t.Helper()
	rows, err := ta.Store.Outbox(context.Background(), ownerActor, store.OutboxFilter{Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows { // newest first
		if r.Kind != kind || !strings.EqualFold(r.To, to) {
			continue
		}
		var p store.TokenMail
		if err := json.Unmarshal(r.Payload, &p); err != nil || p.Token == "" {
			t.Fatalf("%s email to %s carries no token: %s", kind, to, r.Payload)
		}
		return p.Token
	}
	t.Fatalf("no %s email to %s in the outbox", kind, to)
	return ""
}

// drainMail sends everything due through the outbox worker into the built-in mailbox.
func (ta *testApp) drainMail(t *testing.T) int {
	t.Helper()
	w := &mail.Worker{Store: ta.Store, Views: ta.Views, Transport: mail.Mailbox{Store: ta.Store},
		From: "Clinic <hello@clinic.test>", BaseURL: ta.URL, Now: ta.Clock.Now,
		Log: slog.New(slog.NewTextHandler(ta.log, nil))}
	n, err := w.Drain(context.Background())
	if err != nil {
		t.Fatalf("drain outbox: %v", err)
	}
	return n
}

// testClient is one browser.
type testClient struct {
	t  *testing.T
	ta *testApp
	hc *http.Client
}

// client returns a new browser with an empty cookie jar that reports redirects instead of following them.
func (ta *testApp) client(t *testing.T) *testClient {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &testClient{t: t, ta: ta, hc: &http.Client{Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// in returns the same browser reporting failures to t, for use inside a subtest.
func (tc *testClient) in(t *testing.T) *testClient {
	c := *tc
	c.t = t
	return &c
}

// resp is a response with its body read.
type resp struct {
	*http.Response
	Body string
	t    *testing.T
}

// do sends a request and reads the whole response.
func (tc *testClient) do(req *http.Request) *resp {
	tc.t.Helper()
	r, err := tc.hc.Do(req)
	if err != nil {
		tc.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer r.Body.Close()
	b, err := io.ReadAll(r.Body)
	if err != nil {
		tc.t.Fatalf("read %s %s: %v", req.Method, req.URL, err)
	}
	return &resp{Response: r, Body: string(b), t: tc.t}
}

func (tc *testClient) newRequest(method, path string, body io.Reader) *http.Request {
	tc.t.Helper()
	req, err := http.NewRequest(method, tc.ta.URL+path, body)
	if err != nil {
		tc.t.Fatal(err)
	}
	return req
}

// get fetches a path.
func (tc *testClient) get(path string) *resp {
	tc.t.Helper()
	return tc.do(tc.newRequest(http.MethodGet, path, nil))
}

// post sends a form exactly as given, without adding a CSRF token.
func (tc *testClient) post(path string, values url.Values) *resp {
	tc.t.Helper()
	req := tc.newRequest(http.MethodPost, path, strings.NewReader(values.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return tc.do(req)
}

var csrfInput = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// csrf loads formPath and returns the CSRF token of its form.
func (tc *testClient) csrf(formPath string) string {
	tc.t.Helper()
	r := tc.get(formPath)
	m := csrfInput.FindStringSubmatch(r.Body)
	if m == nil {
		tc.t.Fatalf("GET %s: %d, no csrf input in the page (is there an owner yet? /signin leads to /setup until there is)\n%s",
			formPath, r.StatusCode, r.Body)
	}
	return html.UnescapeString(m[1])
}

// postForm submits values to path as the form on formPath would, CSRF token included.
func (tc *testClient) postForm(path, formPath string, values url.Values) *resp {
	tc.t.Helper()
	v := url.Values{}
	for k, vs := range values {
		v[k] = vs
	}
	v.Set("csrf", tc.csrf(formPath))
	return tc.post(path, v)
}

// signIn signs in through the sign-in form and fails the test unless it works.
func (tc *testClient) signIn(email, password string) {
	tc.t.Helper()
	r := tc.postForm("/signin", "/signin", url.Values{"email": {email}, "password": {password}})
	if r.StatusCode != http.StatusSeeOther {
		tc.t.Fatalf("sign in as %s: status %d; want 303\n%s", email, r.StatusCode, r.Body)
	}
}

// cookie returns the browser's cookie with this name, or nil.
func (tc *testClient) cookie(name string) *http.Cookie {
	u, _ := url.Parse(tc.ta.URL)
	for _, c := range tc.hc.Jar.Cookies(u) {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// wantStatus fails the test unless the response has this status.
func (r *resp) wantStatus(code int) {
	r.t.Helper()
	if r.StatusCode != code {
		r.t.Fatalf("%s %s: status %d; want %d\n%s", r.Request.Method, r.Request.URL.Path, r.StatusCode, code, r.Body)
	}
}

// wantRedirect fails the test unless the response is a 303 to exactly location.
func (r *resp) wantRedirect(location string) {
	r.t.Helper()
	if got := r.Header.Get("Location"); r.StatusCode != http.StatusSeeOther || got != location {
		r.t.Fatalf("%s %s: %d to %q; want 303 to %q\n%s", r.Request.Method, r.Request.URL.Path, r.StatusCode, got, location, r.Body)
	}
}

// wantSignIn fails the test unless the response sends the browser to sign in.
func (r *resp) wantSignIn() {
	r.t.Helper()
	if got := r.Header.Get("Location"); r.StatusCode != http.StatusSeeOther || !strings.HasPrefix(got, "/signin") {
		r.t.Fatalf("%s %s: %d to %q; want 303 to /signin", r.Request.Method, r.Request.URL.Path, r.StatusCode, got)
	}
}

// text is the body with tags removed, entities decoded and whitespace collapsed: what a person reads.
func (r *resp) text() string {
	s := regexp.MustCompile(`</?bdi>`).ReplaceAllString(r.Body, "") // inline: no space where it was
	s = regexp.MustCompile(`(?s)<[^>]*>`).ReplaceAllString(s, " ")
	return strings.Join(strings.Fields(html.UnescapeString(s)), " ")
}

// fieldError returns the message shown beside the named field, or "" if there is none.
func (r *resp) fieldError(name string) string {
	re := regexp.MustCompile(`(?s)<p class="error" id="f-` + regexp.QuoteMeta(name) + `-error">(.*?)</p>`)
	m := re.FindStringSubmatch(r.Body)
	if m == nil {
		return ""
	}
	return html.UnescapeString(m[1])
}

// syncBuffer is a bytes.Buffer the server's goroutines can log into.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
