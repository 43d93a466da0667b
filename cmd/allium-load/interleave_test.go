package main

import (
	"testing"
	"time"
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

// TestEchoTermMatchesThePagesConcurrency checks that a page whose CPU was measured one request
// at a time is allowed the bare handler's CPU one request at a time, and a page measured at 64
// connections the bare handler's at 64.
func TestEchoTermMatchesThePagesConcurrency(t *testing.T) {
	us := time.Microsecond
	rep := &report{
		EchoMany: loadResult{OK: 100, CPU: cpuUse{Server: 100 * 30 * us}},
		EchoOne:  loadResult{OK: 100, CPU: cpuUse{Server: 100 * 250 * us}},
	}
	for _, conns := range []int{1, 64} {
		p := pageResult{Page: page{Name: "p", NoRateBudget: "a few times a day"}, Available: true,
			Queries: &opFloor{CPU: 200 * us}}
		p.Many = loadResult{Conns: conns, OK: 10, CPU: cpuUse{Server: 10 * 700 * us}}
		rep.Pages = []pageResult{p}
		// The limit is the bare handler's CPU + 1.3 × 200 µs + 200 µs: 710 µs at one connection,
		// 490 µs at 64; the page's 700 µs passes only against its own concurrency's handler.
		want, pass := 710*us, true
		if conns == 64 {
			want, pass = 490*us, false
		}
		got := 0
		for _, b := range rep.budgets() {
			if b.What != "server CPU / SQL floor" {
				continue
			}
			got++
			if limit := time.Duration(b.Limit * float64(200*us)); limit < want-us || limit > want+us || b.pass() != pass {
				t.Errorf("%d connections: limit %v, pass %v; want %v, %v", conns, limit, b.pass(), want, pass)
			}
		}
		if got != 1 {
			t.Errorf("%d connections: %d CPU budgets; want 1", conns, got)
		}
	}
}
