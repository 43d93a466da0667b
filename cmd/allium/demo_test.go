package main

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"allium"
	"allium/clinic"
	"allium/store"
)

// The demo is built for the day it runs on: a database built 40 days ago and started again
// tells the same story from today, and in both every demo account finds its pages filled.
func TestDemoIsLivedInOnTheDayItRuns(t *testing.T) {
	now := time.Now()
	for _, tc := range []struct {
		name    string
		builtOn []time.Time
	}{
		{"built today", []time.Time{now}},
		{"built 40 days ago and started again", []time.Time{now.AddDate(0, 0, -40), now}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			// The configuration a plain `allium demo --db FILE` gets: every other flag at its default.
			c, _, err := parse("demo", []string{"--db", filepath.Join(t.TempDir(), "demo.db"), "--base-url", "http://127.0.0.1:9999"},
				func(string) string { return "" }, nil)
			if err != nil {
				t.Fatal(err)
			}
			var st *store.Store
			for i, day := range tc.builtOn {
				if st != nil {
					st.Close()
				}
				if st, err = openDemo(ctx, c, day, true); err != nil {
					t.Fatalf("open demo %d: %v", i, err)
				}
				if err := seedDemo(ctx, st, c.BaseURL, day); err != nil {
					t.Fatalf("build demo %d: %v", i, err)
				}
			}
			defer st.Close()
			loc, _ := time.LoadLocation(demoZone)
			if got, _ := st.DemoBuiltOn(ctx); got != clinic.DateOf(now, loc).String() {
				t.Fatalf("demo built on %q; want today, %s", got, clinic.DateOf(now, loc))
			}
			srv, _, err := build(ctx, c, st, slog.New(slog.NewTextHandler(io.Discard, nil)))
			if err != nil {
				t.Fatal(err)
			}
			ts := httptest.NewServer(srv.Handler)
			defer ts.Close()
			checkDemoPages(t, ts.URL, st, loc, now)
		})
	}
}

// checkDemoPages signs in as each demo account and reads its main pages.
func checkDemoPages(t *testing.T, base string, st *store.Store, loc *time.Location, now time.Time) {
	ctx := context.Background()
	alex, err := st.UserByEmail(ctx, demoClients[0].email)
	if err != nil {
		t.Fatal(err)
	}
	alexID, _ := st.ClientIDForUser(ctx, alex.ID)
	ahead, err := st.ClientAppointments(ctx, store.Actor{UserID: alex.ID, Role: clinic.RoleClient, ClientID: alexID}, alexID, now)
	if err != nil || len(ahead) == 0 || ahead[0].Status != "booked" {
		t.Fatalf("Alex Chen has %d sessions ahead (%v); want one booked", len(ahead), err)
	}
	nextDay := func(days int) []string {
		var out []string
		for d := range days {
			out = append(out, clinic.DateOf(now, loc).AddDays(d).String())
		}
		return out
	}
	for _, tc := range []struct {
		email string
		pages map[string]string // path -> what the page must show (a regular expression)
		// anyOf: paths of which at least one shows the content (a therapist's days off)
		anyOf []string
		any   string
	}{
		{email: demoClients[0].email, pages: map[string]string{
			"/my":      `href="/my/appointments/`,
			"/my/plan": `<polyline points="`,
		}},
		{email: "sam@demo.allium.test", pages: map[string]string{
			"/clients/" + strconv.FormatInt(alexID, 10) + "/chart": `Plan from (Mon|Tue|Wed|Thu|Fri|Sat|Sun) \d+ [A-Z][a-z]{2}</a>(.|\n)*` +
				`review by (Mon|Tue|Wed|Thu|Fri|Sat|Sun) \d+(.|\n)*Sit through a working day without neck pain`,
		}, anyOf: prefixEach("/therapist?date=", nextDay(7)), any: `/chart">`},
		{email: "priya@demo.allium.test", anyOf: prefixEach("/therapist?date=", nextDay(7)), any: `/chart">`},
		{email: "tom@demo.allium.test", anyOf: prefixEach("/therapist?date=", nextDay(7)), any: `/chart">`},
		{email: "desk@demo.allium.test", pages: map[string]string{
			"/desk/recall":         "Maya Patel",
			"/desk/clients":        "Nina Costa",
			"/desk/clients?q=Chen": "Alex Chen",
		}, anyOf: prefixEach("/desk?date=", nextDay(7)), any: "Alex Chen"},
		{email: "owner@demo.allium.test", pages: map[string]string{
			"/admin/mail":        `href="/admin/mail/`,
			"/admin/assessments": "Kirra Williams",
			"/admin/audit":       "sign",
			"/admin":             "Sam Okafor",
		}},
	} {
		b := signedInBrowser(t, base, tc.email)
		for path, want := range tc.pages {
			if body := b.get(path); !regexp.MustCompile(want).MatchString(body) {
				t.Errorf("%s: %s lacks %q", tc.email, path, want)
			}
		}
		if tc.anyOf == nil {
			continue
		}
		found := false
		for _, path := range tc.anyOf {
			if strings.Contains(b.get(path), tc.any) {
				found = true
				break
			}
		}
		if !found {
			t.Errorf("%s: none of %v shows %q", tc.email, tc.anyOf, tc.any)
		}
	}
}

func prefixEach(p string, xs []string) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = p + x
	}
	return out
}

type demoBrowser struct {
	t    *testing.T
	base string
	hc   *http.Client
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func signedInBrowser(t *testing.T, base, email string) *demoBrowser {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	b := &demoBrowser{t: t, base: base, hc: &http.Client{Jar: jar, Timeout: 30 * time.Second}}
	m := csrfField.FindStringSubmatch(b.get("/signin"))
	if m == nil {
		t.Fatal("no csrf field on /signin")
	}
	r, err := b.hc.PostForm(base+"/signin", url.Values{"csrf": {m[1]}, "email": {email}, "password": {demoPassword}})
	if err != nil {
		t.Fatal(err)
	}
	r.Body.Close()
	if r.StatusCode != http.StatusOK || r.Request.URL.Path == "/signin" {
		t.Fatalf("sign in as %s: %d at %s", email, r.StatusCode, r.Request.URL.Path)
	}
	return b
}

func (b *demoBrowser) get(path string) string {
	b.t.Helper()
	r, err := b.hc.Get(b.base + path)
	if err != nil {
		b.t.Fatal(err)
	}
	defer r.Body.Close()
	body, _ := io.ReadAll(r.Body)
	if r.StatusCode != http.StatusOK {
		b.t.Errorf("GET %s: %d", path, r.StatusCode)
	}
	return string(body)
}

// The demo rebuilds its own database, so it refuses one that holds a real clinic.
func TestDemoRefusesAClinicThatIsNotTheDemo(t *testing.T) {
	db := filepath.Join(t.TempDir(), "clinic.db")
	if _, err := runCmd(t, env{"ALLIUM_DB": db}, "a long enough password\n", "user", "add", "--role", "owner",
		"--email", "owner@clinic.example", "--name", "Real Owner"); err != nil {
		t.Fatal(err)
	}
	if _, err := runCmd(t, env{"ALLIUM_DB": db}, "", "demo"); err == nil || !strings.Contains(err.Error(), "not the demo") {
		t.Fatalf("demo on a real clinic: %v; want a refusal", err)
	}
	st, err := store.Open(context.Background(), db, allium.Schema)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := st.Authenticate(context.Background(), "owner@clinic.example", "a long enough password"); err != nil {
		t.Errorf("the clinic's owner after the refusal: %v", err)
	}
}
