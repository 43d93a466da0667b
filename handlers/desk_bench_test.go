package handlers_test

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"testing"
	"time"

	_ "github.com/mattn/go-sqlite3"

	"allium"
	"allium/assets"
	"allium/clinic"
	"allium/handlers"
	"allium/store"
	"allium/views"
)

// BenchmarkDeskDay renders reception's day for 20 therapists with 8 bookings each, and the
// recall list, over a history of two years (about 117,000 appointments). The day is one
// indexed range query, so its cost follows the day's bookings, not the history: with 6,250
// days (1,000,000 appointments) instead of 730 the timings stay the same. The day page went
// from 4.7-5.1 ms to 1.3-1.4 ms (29,272 to 3,732 allocations) when each booking was drawn
// once and the board written without html/template; the recall list is about 25 ms.
func BenchmarkDeskDay(b *testing.B) {
	// One clinic for the three pages, which only read it: go test calls a benchmark's function
	// again for each b.N it tries, and building the clinic there took minutes of make bench.
	base, hc := deskBenchClinic(b, 730)
	for _, path := range []string{"/desk?date=2026-03-05", "/desk?date=2026-03-05&by=room", "/desk/recall"} {
		b.Run(path, func(b *testing.B) {
			for range b.N {
				res, err := hc.Get(base + path)
				if err != nil {
					b.Fatal(err)
				}
				io.Copy(io.Discard, res.Body)
				res.Body.Close()
				if res.StatusCode != http.StatusOK {
					b.Fatalf("GET %s: %d", path, res.StatusCode)
				}
			}
		})
	}
}

// deskBenchClinic starts the app on a clinic of 20 therapists, 20,000 clients and 160
// bookings a day for the given number of days up to the test epoch (a third of them in
// courses, one in seven cancelled), and returns its URL and reception's signed-in browser.
func deskBenchClinic(b *testing.B, days int) (string, *http.Client) {
	ctx := context.Background()
	path := filepath.Join(b.TempDir(), "bench.db")
	st, err := store.Open(ctx, path, allium.Schema)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	st.Now = func() time.Time { return testEpoch }
	loc, _ := time.LoadLocation("Australia/Sydney")
	var week clinic.WeeklyHours
	for wd := range week {
		week[wd] = []clinic.Shift{{Start: clinic.Clock(8, 0), End: clinic.Clock(18, 0)}}
	}
	for i := range 20 {
		u, err := st.CreateUser(ctx, store.System, store.NewUser{Role: clinic.RoleTherapist,
			Email: fmt.Sprintf("t%d@clinic.test", i), Name: fmt.Sprintf("Therapist %02d", i)})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := st.SetHours(ctx, store.System, u.ID, week, loc); err != nil {
			b.Fatal(err)
		}
	}
	if _, err := st.CreateUser(ctx, store.System, store.NewUser{Role: clinic.RoleReception, Email: "desk@clinic.test",
		Name: "Desk", Password: testPassword}); err != nil {
		b.Fatal(err)
	}
	sv, err := st.UpsertService(ctx, store.System, store.Service{Service: clinic.Service{Key: "r60", Name: "Remedial 60",
		Duration: time.Hour, BufferAfter: 15 * time.Minute}}, 0)
	if err != nil {
		b.Fatal(err)
	}
	deskBenchFill(b, path, sv, days, time.Date(2026, 3, 10, 0, 0, 0, 0, loc))
	as, _ := assets.New()
	vs, err := views.New(as.URL)
	if err != nil {
		b.Fatal(err)
	}
	e, _, err := handlers.New(ctx, handlers.Config{Store: st, Views: vs, Assets: as, Now: st.Now,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil)), SessionKey: []byte("bench-session-key-0123456789abcdef-0123")})
	if err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(e)
	b.Cleanup(srv.Close)
	jar, _ := cookiejar.New(nil)
	hc := &http.Client{Jar: jar}
	res, err := hc.Get(srv.URL + "/signin")
	if err != nil {
		b.Fatal(err)
	}
	page, _ := io.ReadAll(res.Body)
	res.Body.Close()
	m := csrfInput.FindStringSubmatch(string(page))
	if m == nil {
		b.Fatal("no csrf on the sign-in page")
	}
	res, err = hc.PostForm(srv.URL+"/signin", url.Values{"csrf": {m[1]}, "email": {"desk@clinic.test"}, "password": {testPassword}})
	if err != nil || res.StatusCode != http.StatusOK {
		b.Fatalf("sign in: %v %v", res.StatusCode, err)
	}
	res.Body.Close()
	return srv.URL, hc
}

// deskBenchFill writes the history straight into the file: the booking path would check
// every row against the calendar, which is not what this measures.
func deskBenchFill(b *testing.B, path string, service int64, days int, until time.Time) {
	db, err := sql.Open("sqlite3", "file:"+path+"?_busy_timeout=5000&_foreign_keys=on")
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	first := until.AddDate(0, 0, -days).Unix()
	for _, q := range []struct {
		sql  string
		args []any
	}{
		{`WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i+1 FROM n WHERE i < 19999)
			INSERT INTO clients (name, email, phone, created_at, updated_at)
			SELECT 'Client ' || i, 'c' || i || '@example.com', '04' || (10000000 + i), 0, 0 FROM n`, nil},
		{`WITH RECURSIVE d(i) AS (SELECT 0 UNION ALL SELECT i+1 FROM d WHERE i < :last),
			s(j) AS (SELECT 0 UNION ALL SELECT j+1 FROM s WHERE j < 7),
			x(client, therapist, st) AS (SELECT 1 + abs(random()) % 20000, t.id, :first + d.i * 86400 + 28800 + s.j * 4500
				FROM d, s, (SELECT id FROM users WHERE role = 'therapist') t)
			INSERT INTO appointments (client_id, therapist_id, service_id, starts_at, ends_at, busy_until, status, created_at, updated_at)
			SELECT client, therapist, :service, st, st + 3600, st + 4500, 'completed', 0, 0 FROM x`,
			[]any{sql.Named("last", days-1), sql.Named("first", first), sql.Named("service", service)}},
		{`INSERT INTO courses (id, client_id, therapist_id, service_id, sessions, created_at)
			SELECT DISTINCT (a.id + 3) / 4, a.client_id, a.therapist_id, a.service_id, 6, 0 FROM appointments a WHERE a.id % 4 = 1`, nil},
		{`UPDATE appointments SET course_id = (id + 3) / 4 WHERE id % 3 <> 0 AND (id + 3) / 4 IN (SELECT id FROM courses)`, nil},
		{`UPDATE appointments SET status = 'cancelled' WHERE id % 7 = 0`, nil},
	} {
		if _, err := db.Exec(q.sql, q.args...); err != nil {
			b.Fatalf("%v\n%s", err, q.sql)
		}
	}
}
