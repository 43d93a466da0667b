package handlers_test

// Benchmarks of the pages people use most, through the real app in-process (middleware,
// sessions, store, templates; no network). By default they run on a small clinic seeded here;
// ALLIUM_BENCH_DB names a generated clinic to run on instead (`make bench` passes a copy of the
// large demo: signing in writes sessions). A page that answers 404 is skipped: it has not landed.

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"allium"
	"allium/clinic"
	"allium/handlers"
	"allium/internal/testclinic"
	"allium/store"
)

// benchClinic is the app and the people and day its pages are measured with.
type benchClinic struct {
	h        http.Handler
	st       *store.Store
	loc      *time.Location
	day      clinic.Date
	service  int64
	chart    int64
	emails   map[clinic.Role]string
	password string
	cookies  map[clinic.Role]string
	csrf     map[clinic.Role]string
	path     string
}

func newBenchClinic(b *testing.B) *benchClinic {
	b.Helper()
	ctx := context.Background()
	path, now := os.Getenv("ALLIUM_BENCH_DB"), time.Now
	if path == "" {
		path, now = filepath.Join(b.TempDir(), "bench.db"), func() time.Time { return testEpoch }
	}
	st, err := store.Open(ctx, path, allium.Schema)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	st.Now = now
	bc := &benchClinic{st: st, password: os.Getenv("ALLIUM_BENCH_PASSWORD"), cookies: map[clinic.Role]string{},
		csrf: map[clinic.Role]string{}, path: path}
	if os.Getenv("ALLIUM_BENCH_DB") == "" {
		bc.password = testPassword
		seedBenchClinic(b, st)
	} else if bc.password == "" {
		bc.password = "allium-demo-2026"
	}
	as, vs := testclinic.MustViews(b)
	e, app, err := handlers.New(ctx, handlers.Config{Store: st, Views: vs, Assets: as, BaseURL: "http://127.0.0.1:1",
		Now: now, SessionKey: []byte("bench-session-key-0123456789abcdef-0123456789"),
		Log: slog.New(slog.DiscardHandler)})
	if err != nil {
		b.Fatal(err)
	}
	bc.h, bc.loc = e, app.Loc()
	bc.pick(b, path, now())
	return bc
}

// pick chooses people and the busiest day of the coming week from the database.
func (bc *benchClinic) pick(b *testing.B, path string, now time.Time) {
	b.Helper()
	db, err := sql.Open("sqlite3", "file:"+path+"?mode=ro")
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	bc.day = clinic.DateOf(now, bc.loc)
	most := -1
	for i := range 7 {
		d := clinic.DateOf(now, bc.loc).AddDays(i)
		from := time.Date(d.Y, d.M, d.D, 0, 0, 0, 0, bc.loc)
		var n int
		if err := db.QueryRow(`SELECT count(*) FROM appointments WHERE starts_at >= ? AND starts_at < ?`,
			from.Unix(), from.AddDate(0, 0, 1).Unix()).Scan(&n); err == nil && n > most {
			bc.day, most = d, n
		}
	}
	bc.emails = map[clinic.Role]string{}
	from := time.Date(bc.day.Y, bc.day.M, bc.day.D, 0, 0, 0, 0, bc.loc)
	for _, r := range []clinic.Role{clinic.RoleOwner, clinic.RoleReception, clinic.RoleTherapist, clinic.RoleClient} {
		// The therapist is the busiest on the day, as in the load run: the first by id may
		// have no sessions that day, and the page would measure an empty list.
		var email string
		if err := db.QueryRow(`SELECT email FROM users u WHERE role = ? AND active = 1 AND password_hash <> ''
			ORDER BY (SELECT count(*) FROM appointments a WHERE a.therapist_id = u.id AND a.starts_at >= ? AND a.starts_at < ?) DESC, id
			LIMIT 1`, r, from.Unix(), from.AddDate(0, 0, 1).Unix()).Scan(&email); err == nil {
			bc.emails[r] = email
		}
	}
	var n int
	if err := db.QueryRow(`SELECT client_id, count(*) AS n FROM appointments GROUP BY client_id ORDER BY abs(n - 200), n DESC LIMIT 1`).
		Scan(&bc.chart, &n); err != nil {
		b.Logf("no client with sessions: %v", err)
	}
	if err := db.QueryRow(`SELECT s.id FROM services s WHERE active = 1 ORDER BY (SELECT count(*) FROM therapist_services ts
		WHERE ts.service_id = s.id) DESC, course_sessions > 1 DESC, sort LIMIT 1`).Scan(&bc.service); err != nil {
		b.Fatalf("no service: %v", err)
	}
}

// as signs in through the sign-in form, once per role, and returns the browser's cookies.
func (bc *benchClinic) as(b *testing.B, role clinic.Role) string {
	b.Helper()
	if c, ok := bc.cookies[role]; ok {
		return c
	}
	email, ok := bc.emails[role]
	if !ok {
		b.Skipf("no %s with a password in the database", role)
	}
	rec := bc.serve(http.MethodGet, "/signin", "", nil)
	m := csrfInput.FindStringSubmatch(rec.Body.String())
	if m == nil {
		b.Fatalf("GET /signin: %d, no CSRF field", rec.Code)
	}
	jar := cookiesOf(rec, "")
	bc.csrf[role] = html.UnescapeString(m[1])
	form := url.Values{"csrf": {bc.csrf[role]}, "email": {email}, "password": {bc.password}}
	rec = bc.serve(http.MethodPost, "/signin", jar, strings.NewReader(form.Encode()))
	if rec.Code != http.StatusSeeOther {
		b.Fatalf("sign in as %s: %d; want 303", email, rec.Code)
	}
	bc.cookies[role] = cookiesOf(rec, jar)
	// Forms after sign-in carry the signed-in session's token, not the sign-in page's.
	rec = bc.serve(http.MethodGet, "/account", bc.cookies[role], nil)
	if m = csrfInput.FindStringSubmatch(rec.Body.String()); m == nil {
		b.Fatalf("GET /account as %s: %d, no CSRF field", email, rec.Code)
	}
	bc.csrf[role] = html.UnescapeString(m[1])
	return bc.cookies[role]
}

func (bc *benchClinic) serve(method, path, cookie string, body io.Reader) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, path, body)
	req.RemoteAddr = "127.0.0.1:40000"
	if body != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if cookie != "" {
		req.Header.Set("Cookie", cookie)
	}
	rec := httptest.NewRecorder()
	bc.h.ServeHTTP(rec, req)
	return rec
}

// cookiesOf adds the cookies a response sets to a Cookie header.
func cookiesOf(rec *httptest.ResponseRecorder, header string) string {
	jar := map[string]string{}
	for _, c := range (&http.Request{Header: http.Header{"Cookie": {header}}}).Cookies() {
		jar[c.Name] = c.Value
	}
	for _, c := range rec.Result().Cookies() {
		jar[c.Name] = c.Value
	}
	var parts []string
	for k, v := range jar {
		parts = append(parts, k+"="+v)
	}
	return strings.Join(parts, "; ")
}

// benchPage measures GET path as role; a page that is not there yet is skipped.
func benchPage(b *testing.B, role clinic.Role, path func(*benchClinic) string) {
	bc := newBenchClinic(b)
	cookie := bc.as(b, role)
	p := path(bc)
	rec := bc.serve(http.MethodGet, p, cookie, nil)
	if rec.Code == http.StatusNotFound {
		b.Skipf("GET %s: 404, not available yet", p)
	}
	if rec.Code != http.StatusOK {
		b.Fatalf("GET %s: %d; want 200\n%s", p, rec.Code, rec.Body)
	}
	b.ReportAllocs()
	b.ResetTimer()
	cpu := processCPU()
	for b.Loop() {
		if rec := bc.serve(http.MethodGet, p, cookie, nil); rec.Code != http.StatusOK {
			b.Fatalf("GET %s: %d", p, rec.Code)
		}
	}
	b.ReportMetric(float64(rec.Body.Len()), "page-bytes")
	// CPU per request, unlike ns/op, does not grow when other work shares the cores.
	b.ReportMetric(float64(processCPU()-cpu)/float64(b.N), "cpu-ns/op")
}

// processCPU is the user and system time the process has used, in nanoseconds.
func processCPU() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}

func BenchmarkPageBookTimes(b *testing.B) {
	benchPage(b, clinic.RoleClient, func(bc *benchClinic) string {
		return fmt.Sprintf("/book/times?service=%d&date=%s", bc.service, bc.day.AddDays(1))
	})
}

func BenchmarkPageBookStart(b *testing.B) {
	benchPage(b, clinic.RoleClient, func(*benchClinic) string { return "/book" })
}

// BenchmarkSignedInRequest is a signed-in request with no page, /healthz with reception's
// session: what every page costs before its own work (the session, the user, the middleware).
func BenchmarkSignedInRequest(b *testing.B) {
	benchPage(b, clinic.RoleReception, func(*benchClinic) string { return "/healthz" })
}

func BenchmarkPageDeskDay(b *testing.B) {
	benchPage(b, clinic.RoleReception, func(bc *benchClinic) string { return "/desk?date=" + bc.day.String() })
}

// BenchmarkPageTakings measures reception's takings for the day of the last seven with the most
// payments, as the load run does: the page's worst case.
func BenchmarkPageTakings(b *testing.B) {
	benchPage(b, clinic.RoleReception, func(bc *benchClinic) string { return "/desk/takings?date=" + bc.takingsDay(b).String() })
}

// takingsDay is the day of the seven before the clinic's today with the most payments.
func (bc *benchClinic) takingsDay(b *testing.B) clinic.Date {
	b.Helper()
	db, err := sql.Open("sqlite3", "file:"+bc.path+"?mode=ro")
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	today := clinic.DateOf(bc.st.Now(), bc.loc)
	day, most := today, -1
	for i := 1; i <= 7; i++ {
		d := today.AddDays(-i)
		from := time.Date(d.Y, d.M, d.D, 0, 0, 0, 0, bc.loc)
		var n int
		if err := db.QueryRow(`SELECT count(*) FROM payments WHERE taken_at >= ? AND taken_at < ?`,
			from.Unix(), from.AddDate(0, 0, 1).Unix()).Scan(&n); err == nil && n > most {
			day, most = d, n
		}
	}
	return day
}

func BenchmarkPageTherapistDay(b *testing.B) {
	benchPage(b, clinic.RoleTherapist, func(bc *benchClinic) string { return "/therapist?date=" + bc.day.String() })
}

func BenchmarkPageClientChart(b *testing.B) {
	benchPage(b, clinic.RoleOwner, func(bc *benchClinic) string { return fmt.Sprintf("/clients/%d/chart", bc.chart) })
}

// BenchmarkPageRecall measures reception's recall list: on the large demo, 200 entries.
func BenchmarkPageRecall(b *testing.B) {
	benchPage(b, clinic.RoleReception, func(*benchClinic) string { return "/desk/recall" })
}

// BenchmarkPageUtilisation measures the owner's utilisation report over its default twelve months.
func BenchmarkPageUtilisation(b *testing.B) {
	benchPage(b, clinic.RoleOwner, func(*benchClinic) string { return "/reports/utilisation" })
}

// BenchmarkPagePlan measures the plan page of the chart's client, giving them a plan first when
// they have none (the generated clinic has none), as the load tool does: two goals and a signed
// note with scores for each of their past sessions with the therapist who sees them most.
func BenchmarkPagePlan(b *testing.B) {
	benchPage(b, clinic.RoleOwner, func(bc *benchClinic) string { return fmt.Sprintf("/plans/%d", bc.plan(b)) })
}

// plan returns the newest plan of the chart's client, seeding one when there is none.
func (bc *benchClinic) plan(b *testing.B) int64 {
	b.Helper()
	id, _, err := bc.st.DemoPlan(context.Background(), bc.chart)
	if errors.Is(err, store.ErrNotFound) {
		b.Skip(err)
	}
	if err != nil {
		b.Fatal(err)
	}
	return id
}

// BenchmarkBookConfirm books one session per iteration as a client, each at a free time of the
// busiest therapist. When the free times run out, the bookings made are cancelled (off the clock)
// and the same times are booked again.
func BenchmarkBookConfirm(b *testing.B) {
	bc := newBenchClinic(b)
	cookie := bc.as(b, clinic.RoleClient)
	ctx := context.Background()
	services, err := bc.st.Services(ctx)
	if err != nil {
		b.Fatal(err)
	}
	var sv store.Service
	for _, s := range services {
		if s.ID == bc.service {
			sv = s
		}
	}
	var free []clinic.Slot
	from := time.Date(bc.day.Y, bc.day.M, bc.day.D, 0, 0, 0, 0, bc.loc)
	for _, tid := range sv.Therapists {
		q, err := bc.st.SlotQuery(ctx, sv.Service, []int64{tid}, from, from.AddDate(0, 0, 90))
		if err != nil {
			b.Fatal(err)
		}
		var list []clinic.Slot
		var next time.Time
		for _, s := range clinic.FreeTimes(q) {
			if !s.Start.Before(next) {
				list, next = append(list, s), s.Start.Add(sv.Duration+sv.BufferAfter)
			}
		}
		if len(list) > len(free) {
			free = list
		}
	}
	if len(free) == 0 {
		b.Skip("no free time to book")
	}
	db, err := sql.Open("sqlite3", "file:"+bc.path+"?_busy_timeout=5000")
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	var before int64
	if err := db.QueryRow(`SELECT coalesce(max(id), 0) FROM appointments`).Scan(&before); err != nil {
		b.Fatal(err)
	}
	// The client already has sessions in the seeded week; a time beside one of them is refused
	// (one person cannot be in two sessions), so those times are left out.
	rows, err := db.Query(`SELECT a.starts_at, a.busy_until FROM appointments a JOIN clients c ON c.id = a.client_id
		WHERE c.email = ? AND a.status <> 'cancelled'`, bc.emails[clinic.RoleClient])
	if err != nil {
		b.Fatal(err)
	}
	var own [][2]int64
	for rows.Next() {
		var st, until int64
		if err := rows.Scan(&st, &until); err != nil {
			b.Fatal(err)
		}
		own = append(own, [2]int64{st, until})
	}
	rows.Close()
	free = slices.DeleteFunc(free, func(s clinic.Slot) bool {
		from, to := s.Start.Unix(), s.Start.Add(sv.Duration+sv.BufferAfter).Unix()
		return slices.ContainsFunc(own, func(o [2]int64) bool { return from < o[1] && o[0] < to })
	})
	form := url.Values{"csrf": {bc.csrf[clinic.RoleClient]}, "service": {fmt.Sprint(sv.ID)}, "consent": {"1"}, "reminders": {"1"}}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if i == len(free) {
			b.StopTimer()
			if _, err := db.Exec(`UPDATE appointments SET status = 'cancelled' WHERE id > ? AND status = 'booked'`, before); err != nil {
				b.Fatal(err)
			}
			i = 0
			b.StartTimer()
		}
		s := free[i]
		i++
		form.Set("start_1", fmt.Sprintf("%d@%s", s.TherapistID, s.Start.UTC().Format(time.RFC3339)))
		if rec := bc.serve(http.MethodPost, "/book/confirm", cookie, strings.NewReader(form.Encode())); rec.Code != http.StatusSeeOther {
			b.Fatalf("POST /book/confirm at %s: %d; want 303\n%s", s.Start, rec.Code, rec.Body)
		}
	}
}

// seedBenchClinic makes a small working clinic: four therapists on weekdays, four rooms, two
// services, and the coming week booked through the store as reception would.
func seedBenchClinic(b *testing.B, st *store.Store) {
	b.Helper()
	ctx := context.Background()
	set := clinic.DefaultSettings()
	set.Name, set.TimeZone = "Bench Clinic", "Australia/Sydney"
	if err := st.SaveSettings(ctx, store.System, set); err != nil {
		b.Fatal(err)
	}
	loc, err := set.Location()
	if err != nil {
		b.Fatal(err)
	}
	mk := func(role clinic.Role, email, name string) store.User {
		u, err := st.CreateUser(ctx, store.System, store.NewUser{Role: role, Email: email, Name: name, Password: testPassword})
		if err != nil {
			b.Fatal(err)
		}
		return u
	}
	owner := mk(clinic.RoleOwner, "owner@bench.test", "Owner")
	mk(clinic.RoleReception, "desk@bench.test", "Desk")
	var clients []int64
	for i := range 30 {
		u := mk(clinic.RoleClient, fmt.Sprintf("client%d@bench.test", i), fmt.Sprintf("Client %d", i))
		id, err := st.ClientIDForUser(ctx, u.ID)
		if err != nil {
			b.Fatal(err)
		}
		clients = append(clients, id)
	}
	var sids []int64
	for i, sv := range []store.Service{
		{Service: clinic.Service{Key: "remedial_60", Name: "Remedial massage", Duration: time.Hour, BufferAfter: 15 * time.Minute, NeedsRoom: true}, CourseSessions: 4},
		{Service: clinic.Service{Key: "tuina_30", Name: "Tui Na", Duration: 30 * time.Minute, BufferAfter: 10 * time.Minute, NeedsRoom: true}, CourseSessions: 1},
	} {
		id, err := st.UpsertService(ctx, store.System, sv, i)
		if err != nil {
			b.Fatal(err)
		}
		sids = append(sids, id)
	}
	var hours clinic.WeeklyHours
	for d := time.Monday; d <= time.Friday; d++ {
		hours[d] = []clinic.Shift{{Start: 9 * 60, End: 18 * 60}}
	}
	var therapists []int64
	for i := range 4 {
		if _, err := st.EnsureRoom(ctx, store.System, fmt.Sprintf("Room %d", i+1)); err != nil {
			b.Fatal(err)
		}
		u := mk(clinic.RoleTherapist, fmt.Sprintf("t%d@bench.test", i), fmt.Sprintf("Therapist %d", i))
		if _, err := st.SetHours(ctx, store.System, u.ID, hours, loc); err != nil {
			b.Fatal(err)
		}
		if err := st.SetTherapistServices(ctx, store.System, u.ID, sids); err != nil {
			b.Fatal(err)
		}
		therapists = append(therapists, u.ID)
	}
	sv, err := st.ServiceByID(ctx, sids[0])
	if err != nil {
		b.Fatal(err)
	}
	by := store.Actor{UserID: owner.ID, Role: clinic.RoleOwner}
	from := time.Date(testEpoch.Year(), testEpoch.Month(), testEpoch.Day(), 0, 0, 0, 0, loc)
	n := 0
	for _, tid := range therapists {
		q, err := st.SlotQuery(ctx, sv.Service, []int64{tid}, from, from.AddDate(0, 0, 8))
		if err != nil {
			b.Fatal(err)
		}
		q.MinNotice = clinic.NoNotice
		var last time.Time
		for _, s := range clinic.FreeTimes(q) {
			if s.Start.Before(last) {
				continue
			}
			_, err := st.BookCourse(ctx, by, store.BookingRequest{ClientID: clients[n%len(clients)], ServiceID: sv.ID,
				TherapistID: tid, Starts: []time.Time{s.Start}, Consent: true})
			if err != nil {
				b.Fatalf("seed booking at %s: %v", s.Start, err)
			}
			last, n = s.Start.Add(sv.Duration+sv.BufferAfter), n+1
		}
	}
}
