package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"allium/clinic"
)

// pageResult is one page's figures.
type pageResult struct {
	Page       page
	Path       string
	Available  bool
	Note       string // why it was not measured, or what to know about it
	Two, Many  loadResult
	Queries    *opFloor
	Forms      int      // POST: bookings prepared
	Rows       *opFloor // POST: the course_rows floor, from the courses this run booked
	lastCourse int64    // POST: the newest course before the run
}

// report is everything one load run found.
type report struct {
	When     time.Time
	Machine  machine
	Opts     options
	DBName   string
	Counts   dbCounts
	Env      *env
	Ready    time.Duration
	PeakRSS  int64
	EchoTwo  loadResult
	EchoMany loadResult
	// EchoOne is the bare handler sent one request at a time, for the pages whose CPU is
	// measured that way.
	EchoOne loadResult
	// SignedMany and SignedOne are a signed-in request with no page: /healthz with reception's
	// session, at 64 connections and one at a time (baseCPUFor).
	SignedMany, SignedOne loadResult
	Insert                opFloor
	Pages                 []pageResult
	GoBench               string
	Retries               int
	// SeededNotes is how many signed notes the tool gave the chart's client (with a plan), when
	// the clinic had no plan to show.
	SeededNotes int
	ServerLog   string
}

// bgLimit is the background CPU above which a run is repeated (twice at most).
const bgLimit = 10.0

func measure(ctx context.Context, o options, log io.Writer) (*report, error) {
	rep := &report{When: time.Now(), Machine: describeMachine(), Opts: o, DBName: filepath.Base(o.DB)}
	if o.GoBench != "" {
		if b, err := os.ReadFile(o.GoBench); err == nil {
			rep.GoBench = string(b)
		}
	}
	scratch, err := os.MkdirTemp("", "allium-load-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(scratch)
	db := o.DB
	if o.Copy {
		if db, err = copyDB(o.DB, scratch); err != nil {
			return nil, err
		}
	}
	if fi, err := os.Stat(db); err == nil {
		rep.Counts.Bytes = fi.Size()
	} else {
		return nil, fmt.Errorf("database: %w", err)
	}

	fmt.Fprintln(log, "floor: bare Echo handler")
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	fp, err := startProcess(ctx, self, []string{"floor-server", "-addr", "ADDR"}, "/", io.Discard)
	if err != nil {
		return nil, fmt.Errorf("floor server: %w", err)
	}
	get := func(u string, cookie string) nextRequest {
		return func() (*http.Request, bool) {
			req, _ := http.NewRequest(http.MethodGet, u, nil)
			if cookie != "" {
				req.Header.Set("Cookie", cookie)
			}
			return req, true
		}
	}
	rep.EchoTwo = rep.steady(ctx, o, fp.pid(), 2, get(fp.base+"/", ""), http.StatusOK, true)
	rep.EchoMany = rep.steady(ctx, o, fp.pid(), 64, get(fp.base+"/", ""), http.StatusOK, true)
	waitQuiet(o.QuietWait, o.QuietPct, fp.pid())
	rep.EchoOne = serialRun(ctx, fp.pid(), o.Duration, get(fp.base+"/", ""), http.StatusOK)
	fp.stop()

	fmt.Fprintln(log, "allium serve on", db)
	logf, err := os.Create(filepath.Join(scratch, "serve.log"))
	if err != nil {
		return nil, err
	}
	defer logf.Close()
	sp, err := startProcess(ctx, o.ServerBin, []string{"serve", "--db", db, "--addr", "ADDR"}, "/healthz", logf)
	if err != nil {
		return nil, err
	}
	defer sp.stop()
	rep.Ready = sp.ready
	e, err := openEnv(ctx, db, o.Password)
	if err != nil {
		return nil, err
	}
	defer e.close()
	e.base, rep.Env = sp.base, e
	if err := e.pick(); err != nil {
		return nil, err
	}
	if o.Copy {
		if rep.SeededNotes, err = e.seedPlan(); err != nil {
			fmt.Fprintln(log, "plan page: no plan to show:", err)
		}
	}
	rep.Counts = dbCounts{Therapists: e.Counts.Therapists, Rooms: e.Counts.Rooms, Clients: e.Counts.Clients,
		Appointments: e.Counts.Appointments, Bytes: rep.Counts.Bytes}
	fmt.Fprintln(log, "floor: a signed-in request with no page")
	if id, err := e.as(clinic.RoleReception); err != nil {
		fmt.Fprintln(log, "signed-in floor: not measured:", err)
	} else {
		next := get(sp.base+"/healthz", id.Cookie)
		rep.SignedMany = rep.steady(ctx, o, sp.pid(), 64, next, http.StatusOK, true)
		waitQuiet(o.QuietWait, o.QuietPct, sp.pid())
		rep.SignedOne = serialRun(ctx, sp.pid(), o.Duration, next, http.StatusOK)
	}
	for _, p := range pages() {
		if !strings.Contains(p.Name, o.Only) {
			continue
		}
		fmt.Fprintln(log, "page:", p.Name)
		rep.Pages = append(rep.Pages, rep.measurePage(ctx, o, e, sp, p, get))
	}
	rep.PeakRSS, _ = procPeakRSS(sp.pid())
	if err := sp.stop(); err != nil {
		fmt.Fprintln(log, "stopping allium:", err)
	}
	rep.ServerLog = tail(filepath.Join(scratch, "serve.log"), 20, "level=ERROR")

	fmt.Fprintln(log, "floors: the course POST's rows, a bare insert transaction")
	for i, pr := range rep.Pages {
		if pr.Page.Forms != nil && pr.Available && pr.Two.OK+pr.Many.OK > 0 {
			f := courseRowsFloor(ctx, db, pr.lastCourse, o.FloorDuration)
			rep.Pages[i].Rows = &f
		}
	}
	rep.Insert = insertFloor(ctx, scratch, o.FloorDuration)
	return rep, nil
}

// steady is a load run on a quiet machine: it waits for quiet first and repeats a run that
// other processes disturbed (not a booking run, whose forms are used up).
func (rep *report) steady(ctx context.Context, o options, pid, conns int, next nextRequest, want int, repeatable bool) loadResult {
	var best loadResult
	for try := 0; try < 3; try++ {
		waitQuiet(o.QuietWait, o.QuietPct, pid)
		warm := o.Warmup
		if !repeatable {
			warm = 0
		}
		r := loadRun(ctx, pid, conns, warm, o.Duration, next, want)
		if try == 0 || r.CPU.Background < best.CPU.Background {
			best = r
		}
		if !repeatable || r.CPU.Background <= bgLimit || ctx.Err() != nil {
			break
		}
		rep.Retries++
	}
	return best
}

func (rep *report) measurePage(ctx context.Context, o options, e *env, sp *process, p page,
	get func(string, string) nextRequest) pageResult {
	pr := pageResult{Page: p}
	id, err := e.as(p.Role)
	if err != nil {
		pr.Note = "not measured: " + err.Error()
		return pr
	}
	if p.Forms != nil {
		return rep.measurePost(ctx, o, e, sp, p, id)
	}
	candidates := p.Paths(e)
	for _, path := range candidates {
		code, _, err := send(newHTTPClient(), mustRequest(get(sp.base+path, id.Cookie)))
		if err != nil {
			pr.Note = "not measured: " + err.Error()
			return pr
		}
		if code == http.StatusNotFound {
			continue
		}
		pr.Path, pr.Available = path, true
		if code != p.Want {
			pr.Note = fmt.Sprintf("not measured: answers %d, want %d", code, p.Want)
			return pr
		}
		break
	}
	if !pr.Available {
		pr.Note = "not available yet (404 at " + strings.Join(candidates, ", ") + ")"
		if len(candidates) == 0 {
			pr.Note = "not available yet (no data to pick a URL from)"
		}
		return pr
	}
	next := get(sp.base+pr.Path, id.Cookie)
	pr.Two = rep.steady(ctx, o, sp.pid(), 2, next, p.Want, true)
	run := func(o options) loadResult { return rep.steady(ctx, o, sp.pid(), 64, next, p.Want, true) }
	if p.NoRateBudget != "" {
		// A page opened a few times a day is not run at 64 connections: its requests would
		// outlast the window. Its CPU per request comes from requests sent one at a time.
		run = func(o options) loadResult {
			waitQuiet(o.QuietWait, o.QuietPct, sp.pid())
			return serialRun(ctx, sp.pid(), o.Duration, next, p.Want)
		}
	}
	// The page's CPU run and its own SQL take turns, so that both see the machine alike.
	var floor func(context.Context) error
	if p.Queries != nil {
		floor = p.Queries(e)
	}
	pr.Many, pr.Queries = inTurns(ctx, o, sp.pid(), run, floor)
	return pr
}

// measurePost sends each prepared form once: the first share at 2 connections, the rest at 64.
func (rep *report) measurePost(ctx context.Context, o options, e *env, sp *process, p page, id identity) pageResult {
	pr := pageResult{Page: p, Path: p.Paths(e)[0], Available: true}
	forms, err := p.Forms(e)
	if err != nil {
		pr.Note = "not measured: " + err.Error()
		return pr
	}
	pr.Forms = len(forms)
	if len(forms) < 10 {
		pr.Note = fmt.Sprintf("not measured: only %d free courses to book", len(forms))
		return pr
	}
	ids := make([]identity, len(e.Bookers)) // the first is id, p.Role's
	for k, b := range e.Bookers {
		if ids[k], err = e.identityOf(b); err != nil {
			pr.Note = "not measured: " + err.Error()
			return pr
		}
	}
	if err := e.db.QueryRowContext(ctx, `SELECT coalesce(max(id), 0) FROM courses`).Scan(&pr.lastCourse); err != nil {
		pr.Note = "not measured: " + err.Error()
		return pr
	}
	split := int(float64(len(forms)) * postShareOfTwo)
	post := func(list []postForm) nextRequest {
		var i atomic.Int64
		return func() (*http.Request, bool) {
			n := int(i.Add(1)) - 1
			if n >= len(list) {
				return nil, false
			}
			id := ids[list[n].As]
			v := url.Values{"csrf": {id.CSRF}}
			for k, vs := range list[n].Values {
				v[k] = vs
			}
			req, _ := http.NewRequest(http.MethodPost, sp.base+pr.Path, strings.NewReader(v.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("Cookie", id.Cookie)
			return req, true
		}
	}
	pr.Two = rep.steady(ctx, o, sp.pid(), 2, post(forms[:split]), p.Want, false)
	pr.Many = rep.steady(ctx, o, sp.pid(), 64, post(forms[split:]), p.Want, false)
	if pr.Two.Exhausted || pr.Many.Exhausted {
		pr.Note = "ran out of free times before the run's time was up; rates are over the time it ran"
	}
	return pr
}

func mustRequest(next nextRequest) *http.Request {
	req, _ := next()
	return req
}

// copyDB copies a database file (and its WAL, if one was left) into dir.
func copyDB(src, dir string) (string, error) {
	dst := filepath.Join(dir, filepath.Base(src))
	for _, suffix := range []string{"", "-wal"} {
		in, err := os.Open(src + suffix)
		if os.IsNotExist(err) && suffix != "" {
			continue
		}
		if err != nil {
			return "", err
		}
		out, err := os.Create(dst + suffix)
		if err != nil {
			in.Close()
			return "", err
		}
		_, err = io.Copy(out, in)
		in.Close()
		if cerr := out.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return "", err
		}
	}
	return dst, nil
}

// tail returns up to n lines of a file containing want, newest last.
func tail(path string, n int, want string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	var out []string
	for _, l := range strings.Split(string(b), "\n") {
		if strings.Contains(l, want) {
			out = append(out, l)
		}
	}
	if len(out) > n {
		out = out[len(out)-n:]
	}
	return strings.Join(out, "\n")
}
