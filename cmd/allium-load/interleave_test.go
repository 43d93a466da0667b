package main

import (
	"testing"
	"time"

	"allium/clinic"
)

// TestTurnsAddUpToOneRun checks that a page measured in turns reads as one run: counts and
// CPU summed, rates over the summed time, percentiles over every sample, and a floor's CPU
// per operation weighted by its operations.
func TestTurnsAddUpToOneRun(t *testing.T) {
	ms := time.Millisecond
	a := loadResult{OK: 3, Statuses: map[int]int{200: 3}, lat: []time.Duration{1 * ms, 2 * ms, 3 * ms}, window: time.Second,
		CPU: cpuUse{Wall: time.Second, Server: 30 * ms, Background: 10}}
	b := loadResult{OK: 1, Failed: 1, Statuses: map[int]int{200: 1, 500: 1}, lat: []time.Duration{10 * ms}, window: time.Second,
		CPU: cpuUse{Wall: time.Second, Server: 10 * ms, Background: 30}, Exhausted: true}
	got := loadResult{}.add(a, true).add(b, false)
	if got.OK != 4 || got.Failed != 1 || got.Statuses[200] != 4 || got.Statuses[500] != 1 || !got.Exhausted {
		t.Errorf("counts: %+v", got)
	}
	if got.PerSecond != 2 || got.CPU.Server != 40*ms || got.CPU.Wall != 2*time.Second || got.CPU.Background != 20 {
		t.Errorf("rate %v, CPU %+v; want 2/s, 40ms over 2s at 20%% background", got.PerSecond, got.CPU)
	}
	if got.Latency.P50 != 2*ms || got.Latency.P99 != 10*ms || got.Latency.N != 4 {
		t.Errorf("latency %+v; want p50 2ms and p99 10ms of 4", got.Latency)
	}
	f := opFloor{Ops: 100, CPU: 100 * time.Microsecond, wall: time.Second, lat: make([]time.Duration, 100)}.
		add(opFloor{Ops: 300, CPU: 200 * time.Microsecond, wall: time.Second, lat: make([]time.Duration, 300)})
	if f.Ops != 400 || f.CPU != 175*time.Microsecond || f.PerSecond != 200 {
		t.Errorf("floor %+v; want 400 operations at 175µs, 200/s", f)
	}
}

// TestTailLimitFollowsTheMachine checks the tail budget: 3 times the median, or the bare Echo
// handler's own ratio when the machine's tail is wider, never narrower than 3.
func TestTailLimitFollowsTheMachine(t *testing.T) {
	ms := time.Millisecond
	page := pageResult{Page: page{Name: "p"}, Available: true}
	page.Two.Latency = latencies{P50: 1 * ms, P99: 4500 * time.Microsecond}
	page.Many.OK = 1
	for _, tc := range []struct {
		echoP99 time.Duration
		limit   float64
		pass    bool
	}{
		{200 * time.Microsecond, 3, false}, // the machine's tail is 2x: the page's 4.5x is its own
		{550 * time.Microsecond, 5.5, true},
	} {
		rep := &report{EchoTwo: loadResult{Latency: latencies{P50: 100 * time.Microsecond, P99: tc.echoP99}}, Pages: []pageResult{page}}
		checked := 0
		for _, b := range rep.budgets() {
			if b.What != "p99 / p50 at 2" {
				continue
			}
			if b.Limit < tc.limit-0.001 || b.Limit > tc.limit+0.001 || b.pass() != tc.pass {
				t.Errorf("bare Echo p99 %v: limit %.2f, pass %v; want %.2f, %v", tc.echoP99, b.Limit, b.pass(), tc.limit, tc.pass)
			}
			checked++
		}
		if checked != 1 {
			t.Errorf("bare Echo p99 %v: %d tail budgets; want 1", tc.echoP99, checked)
		}
	}
}

// TestBaseCPUMatchesThePageAndItsConcurrency checks the fixed cost a page is allowed before its
// own work: a signed-in request's for a page that needs signing in, else the bare handler's; one
// request at a time for a page measured so, else at 64 connections.
func TestBaseCPUMatchesThePageAndItsConcurrency(t *testing.T) {
	us := time.Microsecond
	perReq := func(cpu time.Duration) loadResult { return loadResult{OK: 100, CPU: cpuUse{Server: 100 * cpu}} }
	rep := &report{EchoMany: perReq(30 * us), EchoOne: perReq(80 * us), SignedMany: perReq(120 * us), SignedOne: perReq(250 * us)}
	for _, tc := range []struct {
		role  clinic.Role
		conns int
		base  time.Duration
	}{
		{clinic.RoleReception, 1, 250 * us},
		{clinic.RoleReception, 64, 120 * us},
		{"", 1, 80 * us},
		{"", 64, 30 * us},
	} {
		p := pageResult{Page: page{Name: "p", Role: tc.role}, Available: true, Queries: &opFloor{CPU: 200 * us}}
		p.Many = loadResult{Conns: tc.conns, OK: 10, CPU: cpuUse{Server: 10 * 700 * us}}
		rep.Pages = []pageResult{p}
		// The limit is the base + 1.3 × 200 µs + 200 µs; the page's 700 µs passes where that is at least 700.
		want := tc.base + 460*us
		got := 0
		for _, b := range rep.budgets() {
			if b.What != "server CPU / SQL floor" {
				continue
			}
			got++
			if limit := time.Duration(b.Limit * float64(200*us)); limit < want-us || limit > want+us || b.pass() != (want >= 700*us) {
				t.Errorf("role %q at %d connections: limit %v, pass %v; want %v", tc.role, tc.conns, limit, b.pass(), want)
			}
		}
		if got != 1 {
			t.Errorf("role %q at %d connections: %d CPU budgets; want 1", tc.role, tc.conns, got)
		}
	}
}

// TestSignedInRequestHasALimitOfItsOwn checks that the base every signed-in page is allowed is
// itself held to the bare handler's CPU plus the rendering allowance, at each concurrency.
func TestSignedInRequestHasALimitOfItsOwn(t *testing.T) {
	us := time.Microsecond
	perReq := func(cpu time.Duration) loadResult { return loadResult{OK: 100, CPU: cpuUse{Server: 100 * cpu}} }
	rep := &report{EchoMany: perReq(30 * us), EchoOne: perReq(80 * us), SignedMany: perReq(120 * us), SignedOne: perReq(300 * us)}
	pass := map[string]bool{}
	for _, b := range rep.budgets() {
		if b.Page == "a signed-in request with no page" {
			pass[b.What] = b.pass()
		}
	}
	want := map[string]bool{"server CPU / bare Echo's, 64 connections": true, "server CPU / bare Echo's, one request at a time": false}
	if len(pass) != len(want) || pass["server CPU / bare Echo's, 64 connections"] != true || pass["server CPU / bare Echo's, one request at a time"] != false {
		t.Errorf("signed-in budgets pass = %v; want %v (120 µs within 30 + 200, 300 µs over 80 + 200)", pass, want)
	}
}
